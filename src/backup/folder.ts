// The data folder's backups/: where `homepost backup` writes without --to and the setup page makes
// and offers its backups. Only files named as createBackup() names them are listed or served.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export const BACKUP_NAME = /^homepost-backup-(\d{8})-(\d{6})\.tar(\.sealed)?$/;

export interface BackupEntry {
  name: string;
  bytes: number;
  at: number; // when it was made (from its name, UTC)
  sealed: boolean;
}

export const backupsFolder = (dataDir: string) => path.join(dataDir, 'backups');

// Newest first.
export function listBackups(dataDir: string): BackupEntry[] {
  let names: string[];
  try {
    names = readdirSync(backupsFolder(dataDir));
  } catch {
    return [];
  }
  const out: BackupEntry[] = [];
  for (const name of names) {
    const m = BACKUP_NAME.exec(name);
    if (!m) continue;
    const [, d, t, sealed] = m;
    const at = Date.UTC(+d!.slice(0, 4), +d!.slice(4, 6) - 1, +d!.slice(6, 8), +t!.slice(0, 2), +t!.slice(2, 4), +t!.slice(4, 6));
    out.push({ name, bytes: statSync(path.join(backupsFolder(dataDir), name)).size, at, sealed: Boolean(sealed) });
  }
  return out.sort((a, b) => b.at - a.at || b.name.localeCompare(a.name));
}

// The path of a listed backup, or null: a name from a request is never a path.
export function backupPath(dataDir: string, name: string): string | null {
  if (!BACKUP_NAME.test(name)) return null;
  return listBackups(dataDir).some((b) => b.name === name) ? path.join(backupsFolder(dataDir), name) : null;
}
