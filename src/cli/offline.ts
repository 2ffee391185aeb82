// When no daemon runs, commands that can work offline open the store themselves and call the
// same API methods the daemon would (src/api/api.ts).
import { certificatePaths } from '../tls/settings.ts';
import { existsSync } from 'node:fs';
import os from 'node:os';
import { callMethod } from '../api/api.ts';
import { ApiError, type ApiContext, type Params, type Progress } from '../api/method.ts';
import { createLogger, type Logger } from '../log/log.ts';
import type { Store } from '../store/index.ts';
import { TlsManager } from '../tls/manager.ts';
import { useDataDir } from '../runtime/sea.ts';

export async function callOffline(dataDir: string, method: string, params: Params, progress?: (p: Progress) => void): Promise<unknown> {
  if (!existsSync(dataDir)) {
    throw new ApiError('needs-daemon', `homepost is not running and there is no data folder ${dataDir} (give --data DIR or set HOMEPOST_DATA)`);
  }
  // Problems go to stderr as log lines: stdout holds the command's output.
  const log = createLogger({ level: 'warn', write: (line) => process.stderr.write(line) });
  // The store (and with it lmdb's native addon) is imported only now that the data folder is
  // known: the single executable unpacks the addon there (sea.ts).
  useDataDir(dataDir);
  // What the store and the certificate files are created with: the owner's alone, as in serve.
  process.umask(0o077);
  const { Store } = await import('../store/index.ts');
  const { backupBeforeMigration } = await import('../backup/migration.ts');
  const storeLog = log.child({ component: 'store' });
  const store = await Store.open(dataDir, storeLog, { beforeMigration: backupBeforeMigration(dataDir, storeLog) });
  let tls: TlsManager | undefined;
  const ctx: ApiContext = {
    store,
    dataDir,
    daemon: null,
    log,
    progress,
    tls: (opts) => (tls ??= offlineTls(store, dataDir, opts?.create ?? false, log)),
  };
  try {
    return await callMethod(ctx, method, params);
  } finally {
    tls?.close();
    await store.close();
  }
}

// A manager over the files the daemon uses.
function offlineTls(store: Store, dataDir: string, create: boolean, log: Logger): TlsManager {
  const { certFile, keyFile } = certificatePaths(store.settings, dataDir);
  if (!create && !(existsSync(certFile) && existsSync(keyFile))) {
    throw new ApiError('not-found', 'no certificate yet: homepost serve makes one on its first start, or run homepost cert generate');
  }
  return new TlsManager({
    certFile,
    keyFile,
    hostname: os.hostname(),
    domains: store.domains.list().map((d) => d.name),
    log: log.child({ component: 'tls' }),
  });
}
