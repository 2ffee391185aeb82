// A backup before the store's format changes (docs/backup.md): the daemon and the CLI open the
// store with this hook, so a migration that goes wrong, or a return to the older homepost, can
// start again from the store as it was. It is an ordinary backup in the data folder's backups/
// (listed on the setup page, restored with `homepost restore`); if it cannot be made (a full
// disk), the store is not migrated and homepost does not start.
import type { Logger } from '../log/log.ts';
import type { OpenOptions } from '../store/index.ts';
import { createBackup } from './create.ts';
import { backupsFolder } from './folder.ts';

export function backupBeforeMigration(dataDir: string, log: Logger): OpenOptions['beforeMigration'] {
  return async (from, to, snapshot) => {
    try {
      const r = await createBackup({ snapshot, storeFormat: from }, dataDir, { to: backupsFolder(dataDir) });
      log.info('store.migration_backup', { from, to, file: r.file, bytes: r.bytes, ms: r.ms });
    } catch (e) {
      throw new Error(`the store needs migrating from format ${from} to ${to}, and the backup before it failed (${(e as Error).message}); nothing was changed`);
    }
  };
}
