// Scheduled backups (backup.schedule, docs/backup.md): the daemon checks 10 s after it starts and
// then hourly; when the newest backup in the scheduled folder is older than the interval (less an
// hour's slack, so a daily backup does not creep later each day), it writes one there, then deletes
// the oldest beyond backup.keep. The folder is never made when it is backup.folder: a USB drive
// that is not plugged in must not become a folder on the SD card. A failure is recorded
// (backup.lastFailure, shown on the setup page) and tried again at the next check.
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../log/log.ts';
import { readSetting } from '../settings/define.ts';
import type { Store } from '../store/index.ts';
import { createBackup } from './create.ts';
import { backupsFolder, listBackups, scheduledFolder } from './folder.ts';
import { recordBackup } from './record.ts';
import { BACKUP_FAILURE, BACKUP_SETTINGS } from './settings.ts';

const FIRST_CHECK_MS = 10_000;
const CHECK_EVERY_MS = 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const INTERVAL = { daily: 24 * HOUR, weekly: 7 * 24 * HOUR };

export type ScheduleOutcome = { ran: false } | { ran: true; file: string; pruned: string[] } | { ran: true; error: string };

export class BackupSchedule {
  private store: Store;
  private dataDir: string;
  private log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;

  constructor(store: Store, dataDir: string, log: Logger) {
    this.store = store;
    this.dataDir = dataDir;
    this.log = log;
  }

  start(): void {
    const check = (after: number) => {
      this.timer = setTimeout(() => {
        this.running = this.runDue().finally(() => {
          this.running = null;
          if (this.timer) check(CHECK_EVERY_MS);
        });
      }, after);
      this.timer.unref();
    };
    check(FIRST_CHECK_MS);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  // One check: a backup when one is due. Never throws: a failure is logged and recorded.
  async runDue(now = Date.now()): Promise<ScheduleOutcome> {
    const schedule = readSetting(this.store.settings, BACKUP_SETTINGS.schedule);
    if (schedule === 'off') return { ran: false };
    const folder = scheduledFolder(this.dataDir, this.store.settings);
    const newest = listBackups(folder)[0];
    if (newest && now - newest.at < INTERVAL[schedule] - HOUR) return { ran: false };
    try {
      if (folder === backupsFolder(this.dataDir)) mkdirSync(folder, { recursive: true, mode: 0o700 });
      const passphrase = readSetting(this.store.settings, BACKUP_SETTINGS.passphrase) ?? undefined;
      const r = await createBackup(this.store, this.dataDir, { to: folder, passphrase, mustExist: true });
      const keep = readSetting(this.store.settings, BACKUP_SETTINGS.keep);
      const pruned = listBackups(folder)
        .slice(keep)
        .map((b) => b.name);
      for (const name of pruned) rmSync(path.join(folder, name), { force: true });
      await recordBackup(this.store, r);
      await this.store.settings.set(BACKUP_FAILURE.key, null);
      this.log.info('backup.scheduled', { file: r.file, bytes: r.bytes, sealed: r.sealed, ms: r.ms, pruned: pruned.length });
      return { ran: true, file: r.file, pruned };
    } catch (e) {
      const error = (e as Error).message;
      this.log.warn('backup.scheduled_failed', { folder, error });
      await this.store.settings.set(BACKUP_FAILURE.key, { at: now, folder, error }).catch(() => {});
      return { ran: true, error };
    }
  }
}
