// Every command group, in the order `homepost --help` lists them. A new group (the outbound
// queue's) is one file beside this one and one line here.
import type { CommandGroup } from '../group.ts';
import { adminGroup } from './admin.ts';
import { aliasGroup } from './alias.ts';
import { backupGroup } from './backup.ts';
import { certGroup } from './cert.ts';
import { clientGroup } from './client.ts';
import { configGroup } from './config.ts';
import { dkimGroup } from './dkim.ts';
import { dnsGroup } from './dns.ts';
import { domainGroup } from './domain.ts';
import { junkGroup } from './junk.ts';
import { postmasterGroup } from './postmaster.ts';
import { queueGroup } from './queue.ts';
import { relayGroup } from './relay.ts';
import { setupGroup } from './setup.ts';
import { smarthostGroup } from './smarthost.ts';
import { statusGroup } from './status.ts';
import { exportGroup, importGroup } from './transfer.ts';
import { updateGroup } from './update.ts';
import { userGroup } from './user.ts';
import { verifyGroup } from './verify.ts';

export const commandGroups: CommandGroup[] = [
  statusGroup,
  verifyGroup,
  setupGroup,
  domainGroup,
  userGroup,
  clientGroup,
  aliasGroup,
  postmasterGroup,
  relayGroup,
  smarthostGroup,
  certGroup,
  queueGroup,
  junkGroup,
  dkimGroup,
  dnsGroup,
  configGroup,
  backupGroup,
  exportGroup,
  importGroup,
  updateGroup,
  adminGroup,
];
