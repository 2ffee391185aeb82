// Every setting homepost keeps in its store, in one list: `homepost config`, the setup page and
// docs/admin.md show them from here. Each is declared beside the code that reads it.
import { ADMIN_PASSWORD } from '../auth/admin-password.ts';
import { ADMIN_ALLOW_FROM } from '../http/lan.ts';
import { BACKUP_FAILURE, BACKUP_SETTINGS, LAST_BACKUP, LAST_RESTORE } from '../backup/settings.ts';
import { DNS_PUBLIC_ADDRESSES } from '../dns-records/settings.ts';
import { IMAP_SETTINGS } from '../imap/settings.ts';
import { HAM_AFTER_SETTING, JUNK_THRESHOLD_SETTING } from '../junk/settings.ts';
import { MEMORY_BUDGET } from '../memory/budget.ts';
import { POP3_SETTINGS } from '../pop3/settings.ts';
import { SERVER_HOSTNAME } from '../settings/hostname.ts';
import { POSTMASTER } from '../smtpserver/postmaster.ts';
import { LAST_PROBE } from '../queue/probe.ts';
import { OUTBOUND_SETTINGS, SRS_SECRET } from '../queue/settings.ts';
import { SMTP_SETTINGS } from '../smtp/settings.ts';
import { DNSBL_REFUSED } from '../smtp/reputation/refused.ts';
import { ACME_SETTINGS, TLS_SETTINGS } from '../tls/settings.ts';
import { LAST_UPDATE } from '../update/settings.ts';
import { SECURITY_UPDATES } from '../update/security.ts';
import type { SettingDef } from '../settings/define.ts';

const all: SettingDef<unknown>[] = [
  SERVER_HOSTNAME,
  ...Object.values(SMTP_SETTINGS),
  DNSBL_REFUSED,
  DNS_PUBLIC_ADDRESSES,
  POSTMASTER,
  ...Object.values(OUTBOUND_SETTINGS),
  SRS_SECRET,
  LAST_PROBE,
  ...Object.values(IMAP_SETTINGS),
  ...Object.values(POP3_SETTINGS),
  ...Object.values(TLS_SETTINGS),
  ...Object.values(ACME_SETTINGS),
  JUNK_THRESHOLD_SETTING,
  HAM_AFTER_SETTING,
  MEMORY_BUDGET,
  ...Object.values(BACKUP_SETTINGS),
  LAST_BACKUP,
  BACKUP_FAILURE,
  LAST_RESTORE,
  LAST_UPDATE,
  SECURITY_UPDATES,
  ADMIN_PASSWORD,
  ADMIN_ALLOW_FROM,
];

export const SETTINGS: ReadonlyMap<string, SettingDef<unknown>> = new Map(all.map((d) => [d.key, d]));

if (SETTINGS.size !== all.length) throw new Error('two settings share a key');
