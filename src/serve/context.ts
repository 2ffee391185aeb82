// What `homepost serve` hands each protocol when it starts it.
import type { AuthThrottle } from '../auth/throttle.ts';
import type { ServeOptions } from '../config/options.ts';
import type { Logger } from '../log/log.ts';
import type { Listener } from '../net/listener.ts';
import type { Store } from '../store/index.ts';
import type { TlsManager } from '../tls/manager.ts';

export interface ServiceContext {
  options: ServeOptions;
  store: Store;
  tls: TlsManager;
  // One throttle for every protocol's authentication (design.md, security model).
  throttle: AuthThrottle;
  log: Logger;
  // When the server started (ms since the epoch) and the listeners started so far, in start order
  // (for `homepost status`).
  startedAt: number;
  listeners: readonly Listener[];
}

// A protocol's entry point: start its listeners; their close() ends its sessions gracefully.
export type ServiceStarter = (ctx: ServiceContext) => Promise<Listener[]>;
