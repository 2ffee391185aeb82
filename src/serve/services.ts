// The protocols `homepost serve` starts, in order.
import { createAdminService } from '../admin/index.ts';
import { createPop3Service } from '../pop3/index.ts';
import { createControlService } from '../control/server.ts';
import { createImapService } from '../imap/server.ts';
import { createSmtpService } from '../smtpserver/service.ts';
import { createQueueService } from '../queue/service.ts';
import type { ServiceStarter } from '../service/context.ts';

// The control socket comes first: it refuses to start when another daemon uses the data folder.
export const serviceStarters: ServiceStarter[] = [
  createControlService(),
  createPop3Service(),
  createSmtpService(),
  createImapService(),
  createQueueService(),
  createAdminService(),
];
