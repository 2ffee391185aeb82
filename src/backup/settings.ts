// What the setup page and `homepost backup list` know of backups: the last one that succeeded,
// wherever it went (the data folder's backups/ or a folder given with --to), written when it
// succeeds; after BACKUP_STALE_MS without one the page warns.
import { structured } from '../settings/define.ts';

export const BACKUP_STALE_MS = 7 * 24 * 60 * 60 * 1000;

export interface LastBackup {
  at: number; // ms since the epoch, when it was finished
  file: string;
  bytes: number;
  sealed: boolean;
}

export const LAST_BACKUP = structured<LastBackup | null>({
  key: 'backup.last',
  default: null,
  rule: 'the last backup that succeeded',
  parse: (v) => {
    const b = v as LastBackup;
    if (v === null) return null;
    if (typeof b !== 'object' || typeof b.at !== 'number' || typeof b.file !== 'string' || typeof b.bytes !== 'number' || typeof b.sealed !== 'boolean') {
      throw new Error('not a backup record');
    }
    return b;
  },
  internal: true,
  description: 'when the last backup that succeeded was finished, its file, size and whether it is sealed',
});
