// `homepost backup`: a backup of the store and the certificates into one file (src/backup, docs/
// backup.md), taken by whichever process holds the store: the running daemon, without pausing
// delivery, or the CLI itself when none runs. The file is written by that process, as the data
// folder's owner, into --to DIR (default: the data folder's backups/). `homepost restore` is its
// own command (src/cli/restore.ts): it needs the daemon stopped.
import path from 'node:path';
import type { BackupResult } from '../../backup/create.ts';
import { type BackupEntry, backupFolders, backupsFolder, listBackups, newestFirst } from '../../backup/folder.ts';
import { recordBackup } from '../../backup/record.ts';
import { BACKUP_FAILURE, BACKUP_STALE_MS, type BackupFailure, LAST_BACKUP, type LastBackup } from '../../backup/settings.ts';
import { readSetting } from '../../settings/define.ts';
import { formatBytes } from '../../settings/units.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, method, noParams, optStr } from '../method.ts';

// A passphrase file's text is the passphrase, less one final line break.
function passphraseOf(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const p = text.replace(/\r?\n$/, '');
  if (p.length < 8) throw new ApiError('bad-request', 'the passphrase must be at least 8 characters');
  if (p.length > 1024) throw new ApiError('bad-request', 'the passphrase must be at most 1024 characters');
  return p;
}

const backup = method({
  offline: true,
  write: true,
  params: (raw) => ({ to: optStr(raw, 'to'), passphrase: passphraseOf(optStr(raw, 'passphrase')) }),
  async run(ctx, p): Promise<BackupResult> {
    const { createBackup } = await import('../../backup/create.ts');
    const to = p.to ? path.resolve(p.to) : backupsFolder(ctx.dataDir);
    let result: BackupResult;
    try {
      result = await createBackup(ctx.store, ctx.dataDir, {
        to,
        passphrase: p.passphrase,
        progress: (done, total) => ctx.progress?.({ what: 'bytes', done, total }),
      });
    } catch (e) {
      ctx.log.warn('backup.failed', { to, error: e });
      throw new ApiError('internal', `backup failed: ${(e as Error).message}`);
    }
    ctx.log.info('backup.done', { file: result.file, bytes: result.bytes, sealed: result.sealed, ms: result.ms });
    await recordBackup(ctx.store, result);
    return result;
  },
});

export interface BackupList {
  // The data folder's backups/, then the scheduled folder when it is another.
  folders: string[];
  backups: BackupEntry[];
  last: LastBackup | null;
  // No backup succeeded in the last BACKUP_STALE_MS.
  stale: boolean;
  // The last scheduled backup that failed, unless one succeeded since.
  failure: BackupFailure | null;
}

// The setup page's Backups view and Status warning.
const list = method({
  offline: true,
  write: false,
  params: noParams,
  run: (ctx): BackupList => {
    const last = readSetting(ctx.store.settings, LAST_BACKUP);
    const folders = backupFolders(ctx.dataDir, ctx.store.settings);
    return {
      folders,
      backups: folders.flatMap(listBackups).sort(newestFirst),
      last,
      stale: !last || Date.now() - last.at > BACKUP_STALE_MS,
      failure: readSetting(ctx.store.settings, BACKUP_FAILURE),
    };
  },
});

export const backupGroup: CommandGroup = {
  name: 'backup',
  summary: 'write a backup of the mail, accounts, settings and certificates to one file',
  entries: [
    entry('', backup, {
      summary: 'a consistent backup taken while the server runs (restore it with homepost restore FILE)',
      options: [
        {
          flag: '--to',
          param: 'to',
          kind: 'string',
          value: 'DIR',
          help: "the folder for the backup file (default: the data folder's backups/); the daemon's user writes it",
        },
        {
          flag: '--passphrase-file',
          param: 'passphrase',
          kind: 'string',
          value: 'FILE',
          help: 'seal the backup with the passphrase in FILE (AES-256-GCM, key by argon2id)',
        },
      ],
      files: ['passphrase'],
      // A large store takes a while to copy, most of all onto a USB stick.
      timeoutMs: 6 * 60 * 60 * 1000,
      text: (r) => `${r.sealed ? 'sealed backup' : 'backup'} written: ${r.file} (${formatBytes(r.bytes)}, ${(r.ms / 1000).toFixed(1)} s)\n`,
    }),
    entry('list', list),
  ],
};
