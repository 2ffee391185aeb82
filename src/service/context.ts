// What `homepost serve` hands each protocol when it starts it.
import type { LoginGate } from '../auth/login.ts';
import type { ServeOptions } from '../config/options.ts';
import type { JunkService } from '../junk/service.ts';
import type { Logger } from '../log/log.ts';
import type { MemoryBudget } from '../memory/budget.ts';
import type { Listener } from '../net/listener.ts';
import type { WorkerPool } from '../offload/pool.ts';
import type { Store } from '../store/index.ts';
import type { TlsManager } from '../tls/manager.ts';

// Ends the process for its supervisor to start again, after `afterStop` ran with every service
// stopped and the store closed.
export type Restart = (afterStop?: () => Promise<void> | void) => void;

export interface ServiceContext {
  options: ServeOptions;
  store: Store;
  tls: TlsManager;
  // The one way every protocol logs in, behind one throttle (src/auth/login.ts).
  logins: LoginGate;
  // Message bytes in memory across every protocol, and the worker threads that parse and check
  // what remote parties send (nothing of theirs runs unbounded on the event loop).
  budget: MemoryBudget;
  offload: WorkerPool;
  // Each account's junk filter: delivery asks it, the user's moves train it (src/junk).
  junk: JunkService;
  log: Logger;
  // When the server started (ms since the epoch) and the listeners started so far, in start order
  // (for `homepost status`).
  startedAt: number;
  listeners: readonly Listener[];
  // Ends the process for its supervisor to start again (src/cli/serve.ts); null unsupervised.
  restart: Restart | null;
}

// A protocol's entry point: start its listeners; their close() ends its sessions gracefully.
export type ServiceStarter = (ctx: ServiceContext) => Promise<Listener[]>;
