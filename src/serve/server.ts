// `homepost serve`: one process, one store, every listener.
import { LoginGate } from '../auth/login.ts';
import type { ServeOptions } from '../config/options.ts';
import type { Logger } from '../log/log.ts';
import { KeptMail } from '../junk/kept.ts';
import { JunkService } from '../junk/service.ts';
import { MEMORY_BUDGET, MemoryBudget } from '../memory/budget.ts';
import type { Listener } from '../net/listener.ts';
import { WorkerPool } from '../offload/pool.ts';
import { Store } from '../store/index.ts';
import { backupBeforeMigration } from '../backup/migration.ts';
import { BackupSchedule } from '../backup/schedule.ts';
import { startReparse } from '../store/reparse.ts';
import { readSetting } from '../settings/define.ts';
import { startTls } from '../tls/service.ts';
import { SECURITY_UPDATES, writeSecurityUpdates } from '../update/security.ts';
import type { Restart, ServiceContext, ServiceStarter } from '../service/context.ts';
import { ensureDevAccount } from './dev.ts';
import { serverHostname } from '../settings/hostname.ts';
import { serviceStarters } from './services.ts';

export interface RunningServer {
  context: ServiceContext;
  listeners: Listener[];
  // Port of each listener by name (the actual one when 0 was asked for).
  ports: Record<string, number>;
  devAccount: { address: string; password: string } | null;
  stop(): Promise<void>;
}

export async function startServer(
  flags: ServeOptions,
  log: Logger,
  starters: ServiceStarter[] = serviceStarters,
  restart: Restart | null = null,
): Promise<RunningServer> {
  const storeLog = log.child({ component: 'store' });
  const store = await Store.open(flags.dataDir, storeLog, { beforeMigration: backupBeforeMigration(flags.dataDir, storeLog) });
  // The host name is a setting the setup page changes while the daemon runs: read at each use.
  const options: ServeOptions = {
    ...flags,
    get hostname() {
      return serverHostname(store.settings, flags.hostname);
    },
  };
  const devAccount = options.dev ? await ensureDevAccount(store, options.dataDir) : null;
  const tls = startTls(store, options.dataDir, flags.hostname, log.child({ component: 'tls' }));
  const listeners: Listener[] = [];
  const budget = new MemoryBudget(readSetting(store.settings, MEMORY_BUDGET));
  const offload = new WorkerPool({ log: log.child({ component: 'offload' }) });
  const junk = new JunkService(store, {
    log: log.child({ component: 'junk' }),
    scan: (raw) => {
      const bytes = new Uint8Array(raw);
      return offload.run('junk-scan', bytes, { deadlineMs: 60_000, transfer: [bytes.buffer] });
    },
  });
  const context: ServiceContext = {
    options,
    store,
    tls,
    logins: new LoginGate({ log: log.child({ component: 'auth' }) }),
    budget,
    offload,
    junk,
    log,
    startedAt: Date.now(),
    listeners,
    restart,
  };
  // Bodies parsed by an older MIME parser are parsed again, in the background and in workers.
  const reparse = startReparse(store, {
    parse: (raw) => {
      const bytes = new Uint8Array(raw);
      return offload.run('parse', bytes, { deadlineMs: 60_000, transfer: [bytes.buffer] });
    },
    log: log.child({ component: 'store' }),
  });
  // Read mail kept for a while trains each account's junk filter as ham, hourly.
  const kept = new KeptMail(store, junk, log.child({ component: 'junk' }));
  kept.start();
  // The device's security updates follow the store's choice (src/update/security.ts).
  writeSecurityUpdates(options.dataDir, readSetting(store.settings, SECURITY_UPDATES));
  // Scheduled backups (backup.schedule), checked 10 s after the start, then hourly.
  const backups = new BackupSchedule(store, options.dataDir, log.child({ component: 'backup' }));
  backups.start();
  const stop = async () => {
    // Stop accepting and end sessions, then let in-flight commits finish and close the store.
    // The junk filter first finishes the training asked for (its scans run in the workers) and
    // saves its counts; then the workers end, busy or not: what they were checking was not
    // acknowledged yet, and its sender hears 421 and tries again.
    await Promise.allSettled([
      reparse.stop(),
      backups.stop(),
      kept
        .stop()
        .then(() => junk.close())
        .finally(() => offload.close()),
      ...listeners.map((l) => l.close()),
    ]);
    tls.close();
    await store.close();
  };
  try {
    for (const start of starters) listeners.push(...(await start(context)));
  } catch (e) {
    await stop();
    throw e;
  }
  // TCP listeners only (the control socket is a Unix socket, port 0).
  const ports = Object.fromEntries(listeners.filter((l) => l.port > 0).map((l) => [l.name, l.port]));
  log.info('server.ready', { dataDir: options.dataDir, ports, dev: options.dev });
  return { context, listeners, ports, devAccount, stop };
}
