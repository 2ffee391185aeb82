// A backup that succeeded, recorded for the setup page (backup.last), whoever made it.
import type { Store } from '../store/index.ts';
import type { BackupResult } from './create.ts';
import { LAST_BACKUP, type LastBackup } from './settings.ts';

export async function recordBackup(store: Store, r: BackupResult): Promise<void> {
  const last: LastBackup = { at: Date.now(), file: r.file, bytes: r.bytes, sealed: r.sealed };
  await store.settings.set(LAST_BACKUP.key, last);
}
