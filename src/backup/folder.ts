// The folders backups are listed and served from: the data folder's backups/ (where `homepost
// backup` writes without --to, and the setup page makes its backups) and backup.folder, where
// scheduled backups go (schedule.ts). Only files named as createBackup() names them are listed,
// served or deleted. A restore keeps what it replaced in previous-STAMP/ (previousFolders).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { readSetting, type SettingsSource } from '../settings/define.ts';
import { BACKUP_SETTINGS } from './settings.ts';

// Where the device's firmware mounts a USB drive and makes homepost's folder on it
// (firmware/rootfs/usr/local/sbin/homepost-usb): it exists only while such a drive is plugged in.
export const USB_BACKUP_FOLDER = '/media/homepost-usb/homepost-backups';

export const BACKUP_NAME = /^homepost-backup-(\d{8})-(\d{6})(?:-(\d+))?\.tar(\.sealed)?$/;

export interface BackupEntry {
  folder: string;
  name: string;
  bytes: number;
  at: number; // when it was made (from its name, UTC)
  seq: number; // 1, or n for the nth backup made in that second
  sealed: boolean;
}

export const backupsFolder = (dataDir: string) => path.join(dataDir, 'backups');

// Where scheduled backups go: backup.folder, or the data folder's backups/.
export const scheduledFolder = (dataDir: string, settings: SettingsSource) => readSetting(settings, BACKUP_SETTINGS.folder) ?? backupsFolder(dataDir);

export function backupFolders(dataDir: string, settings: SettingsSource): string[] {
  return [...new Set([backupsFolder(dataDir), scheduledFolder(dataDir, settings)])];
}

// The backups in a folder, newest first; none when it cannot be read (a drive not plugged in).
export function listBackups(folder: string): BackupEntry[] {
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return [];
  }
  const out: BackupEntry[] = [];
  for (const name of names) {
    const m = BACKUP_NAME.exec(name);
    if (!m) continue;
    const [, d, t, n, sealed] = m;
    const at = Date.UTC(+d!.slice(0, 4), +d!.slice(4, 6) - 1, +d!.slice(6, 8), +t!.slice(0, 2), +t!.slice(2, 4), +t!.slice(4, 6));
    out.push({ folder, name, bytes: statSync(path.join(folder, name)).size, at, seq: n ? Number(n) : 1, sealed: Boolean(sealed) });
  }
  return out.sort(newestFirst);
}

export const newestFirst = (a: BackupEntry, b: BackupEntry) => b.at - a.at || b.seq - a.seq;

// The path of a listed backup in one of the folders, or null: a name from a request is never a path.
export function backupPath(folders: readonly string[], name: string): string | null {
  if (!BACKUP_NAME.test(name)) return null;
  for (const folder of folders) if (listBackups(folder).some((b) => b.name === name)) return path.join(folder, name);
  return null;
}

// The folders earlier restores kept; removed with --discard-previous.
export function previousFolders(dataDir: string): string[] {
  return readdirSync(dataDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && /^previous-\d{8}-\d{6}$/.test(e.name))
    .map((e) => path.join(dataDir, e.name));
}
