// The protocols `homepost serve` starts, in order.
import { createAdminService } from '../admin/index.ts';
import { createPop3Service } from '../pop3/index.ts';
import { createControlService } from '../control/server.ts';
import { createImapService } from '../imap/server.ts';
import { createSmtpService } from '../smtp/service.ts';
import { createQueueService } from '../smtp/queue/service.ts';
import type { ServiceStarter } from './context.ts';

// The control socket comes first: it refuses to start when another daemon uses the data folder.
export const serviceStarters: ServiceStarter[] = [createControlService(), createPop3Service(), createSmtpService(), createImapService(), createQueueService(), createAdminService()];
