// Backups' settings: the schedule (schedule.ts) and what the setup page knows: the last backup
// that succeeded, wherever it went (the data folder's backups/ or a folder given with --to),
// written when it succeeds, and the last scheduled one that failed; after BACKUP_STALE_MS without
// a good one the page warns.
import path from 'node:path';
import { choice, integer, structured, text } from '../settings/define.ts';

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

export const BACKUP_SETTINGS = {
  schedule: choice({
    key: 'backup.schedule',
    default: 'off',
    values: ['off', 'daily', 'weekly'] as const,
    description: 'how often homepost writes a backup by itself into backup.folder',
  }),
  folder: text({
    key: 'backup.folder',
    default: null,
    rule: 'an absolute path',
    test: (v) => path.isAbsolute(v) && !v.includes('\0') && v.length < 1024,
    defaultText: "the data folder's backups/",
    description: 'where scheduled backups go: a USB drive the firmware mounts, for one; a backup missing its folder fails and is tried again an hour later',
  }),
  keep: integer({
    key: 'backup.keep',
    default: 7,
    min: 1,
    max: 365,
    description: 'how many scheduled backups are kept in backup.folder; older ones are deleted after a new one succeeded',
  }),
  passphrase: text({
    key: 'backup.passphrase',
    default: null,
    rule: '8 to 1024 characters',
    test: (v) => v.length >= 8 && v.length <= 1024,
    secret: true,
    description: 'when set, scheduled backups are sealed with it (AES-256-GCM, key by argon2id); without it nobody can restore them',
  }),
};

export interface BackupFailure {
  at: number;
  folder: string;
  error: string;
}

export const BACKUP_FAILURE = structured<BackupFailure | null>({
  key: 'backup.lastFailure',
  default: null,
  rule: 'the last scheduled backup that failed',
  parse: (v) => {
    const f = v as BackupFailure;
    if (v === null) return null;
    if (typeof f !== 'object' || typeof f.at !== 'number' || typeof f.folder !== 'string' || typeof f.error !== 'string') throw new Error('not a failure');
    return f;
  },
  internal: true,
  description: 'when the last scheduled backup failed, into which folder, and why (cleared by the next one that succeeds)',
});

// Written into a restored store before it takes the current one's place (a restore from the setup
// page), so the page can say what it runs on.
export interface LastRestore {
  at: number;
  name: string; // the backup file's name
  created: string; // when the backup was made (its manifest)
}

export const LAST_RESTORE = structured<LastRestore | null>({
  key: 'backup.restored',
  default: null,
  rule: 'the restore that made this store',
  parse: (v) => {
    const r = v as LastRestore;
    if (v === null) return null;
    if (typeof r !== 'object' || typeof r.at !== 'number' || typeof r.name !== 'string' || typeof r.created !== 'string') throw new Error('not a restore');
    return r;
  },
  internal: true,
  description: 'when this store was restored from a backup on the setup page, and from which',
});
