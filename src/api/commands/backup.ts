// `homepost backup`: a backup of the store and the certificates into one file (src/backup, docs/
// backup.md), taken by whichever process holds the store: the running daemon, without pausing
// delivery, or the CLI itself when none runs. The file is written by that process, as the data
// folder's owner, into --to DIR (default: the data folder's backups/). `homepost restore` is its
// own command (src/cli/restore.ts): it needs the daemon stopped.
import path from 'node:path';
import type { BackupResult } from '../../backup/create.ts';
import { closeSync, existsSync, openSync } from 'node:fs';
import {
  type BackupEntry,
  backupFolders,
  backupPath,
  backupsFolder,
  listBackups,
  newestFirst,
  previousFolders,
  USB_BACKUP_FOLDER,
} from '../../backup/folder.ts';
import type { StagedRestore } from '../../backup/restore.ts';
import { recordBackup } from '../../backup/record.ts';
import { BACKUP_FAILURE, BACKUP_STALE_MS, type BackupFailure, LAST_BACKUP, LAST_RESTORE, type LastBackup, type LastRestore } from '../../backup/settings.ts';
import { readSetting } from '../../settings/define.ts';
import { formatBytes } from '../../settings/units.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, method, noParams, optStr, str } from '../method.ts';

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
  // The page's restore from this store's backup, when this store came from one.
  restored: LastRestore | null;
  // Folders a restore kept (previous-STAMP/) until homepost restore --discard-previous.
  previous: string[];
  // Whether the page may restore: the daemon restarts into the restored store (under systemd).
  canRestore: boolean;
  // The USB drive's folder on the device, and whether a drive is plugged in (firmware mounts it).
  usb: { folder: string; present: boolean };
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
      restored: readSetting(ctx.store.settings, LAST_RESTORE),
      previous: previousFolders(ctx.dataDir),
      canRestore: Boolean(ctx.daemon?.restart),
      usb: { folder: USB_BACKUP_FOLDER, present: existsSync(USB_BACKUP_FOLDER) },
    };
  },
});

// The setup page's restore of a listed backup, while the daemon runs: the backup is checked,
// unpacked and its store checked (src/backup/restore.ts, steps 1 to 3) with mail still served;
// then the daemon stops every service, switches to the restored store and certificates (step 4)
// and exits for its supervisor to start it again on them. A failure before the switch changes
// nothing. The CLI's `homepost restore` does the same with the daemon stopped.
const restore = method({
  offline: false,
  write: true,
  params: (raw) => ({ name: str(raw, 'name'), passphrase: optStr(raw, 'passphrase') }),
  async run(ctx, p): Promise<{ restarting: true; created: string; accounts: number; messages: number }> {
    const restart = ctx.daemon?.restart;
    if (!restart)
      throw new ApiError(
        'forbidden',
        'homepost is not run by its service here, so it cannot restart into a restored store: stop it and run homepost restore FILE',
      );
    const file = backupPath(backupFolders(ctx.dataDir, ctx.store.settings), p.name);
    if (!file) throw new ApiError('not-found', `no backup ${p.name.slice(0, 80)}`);
    const { BackupError, stageRestore, switchToRestored } = await import('../../backup/restore.ts');
    const { SealedError } = await import('../../backup/sealed.ts');
    const fd = openSync(file, 'r');
    let step = 0;
    let staged: StagedRestore;
    try {
      staged = await stageRestore(
        ctx.dataDir,
        fd,
        p.passphrase,
        (line) => ctx.progress?.({ what: line, done: step++, total: 3 }),
        (store, manifest) => store.settings.set(LAST_RESTORE.key, { at: Date.now(), name: p.name, created: manifest.created }),
      );
    } catch (e) {
      if (e instanceof BackupError || e instanceof SealedError) throw new ApiError('invalid', e.message);
      throw e;
    } finally {
      closeSync(fd);
    }
    ctx.log.info('backup.restore_staged', { name: p.name, created: staged.manifest.created, accounts: staged.accounts, messages: staged.messages });
    restart(() => {
      const r = switchToRestored(ctx.dataDir, staged);
      ctx.log.info('backup.restored', { name: p.name, previous: r.previous });
    });
    return { restarting: true, created: staged.manifest.created, accounts: staged.accounts, messages: staged.messages };
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
    entry('restore', restore),
  ],
};
