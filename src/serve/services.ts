// The protocols `homepost serve` starts, in order.
import { adminStarter } from '../admin/index.ts';
import { pop3Starter } from '../pop3/index.ts';
import { startControl } from '../control/server.ts';
import { startImap } from '../imap/server.ts';
import { smtpStarter } from '../smtp/service.ts';
import { outboundStarter } from '../smtp/queue/service.ts';
import type { ServiceStarter } from './context.ts';

// The control socket comes first: it refuses to start when another daemon uses the data folder.
export const serviceStarters: ServiceStarter[] = [startControl, pop3Starter(), smtpStarter, startImap, outboundStarter, adminStarter()];
