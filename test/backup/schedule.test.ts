// Scheduled backups (src/backup/schedule.ts) on a real store: due by the newest backup in the
// folder, the oldest deleted beyond backup.keep, sealed with backup.passphrase, a missing folder
// recorded as a failure (and never made), which the next good backup clears. And the daemon:
// started with a daily schedule, it writes one by itself.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { BACKUP_NAME } from '../../src/backup/folder.ts';
import { BackupSchedule } from '../../src/backup/schedule.ts';
import { BACKUP_FAILURE, BACKUP_SETTINGS, LAST_BACKUP } from '../../src/backup/settings.ts';
import { createLogger } from '../../src/log/log.ts';
import { readSetting } from '../../src/settings/define.ts';
import { Store } from '../../src/store/index.ts';
import { startServeChild } from '../support/serve-child.ts';
import { tempDir } from '../support/temp-store.ts';

const HOUR = 3600_000;

test('due by the newest backup; keep N; sealed with the passphrase; a missing folder fails, is not made, and is cleared by the next success', async () => {
  const data = tempDir('homepost-schedule-');
  const folder = tempDir('homepost-schedule-usb-');
  const lines: string[] = [];
  const store = await Store.open(data);
  try {
    const schedule = new BackupSchedule(store, data, createLogger({ write: (l: string) => lines.push(l) }));
    assert.deepEqual(await schedule.runDue(), { ran: false }, 'off by default');
    await store.settings.set(BACKUP_SETTINGS.schedule.key, 'daily');
    await store.settings.set(BACKUP_SETTINGS.folder.key, folder);
    await store.settings.set(BACKUP_SETTINGS.keep.key, 2);
    await store.settings.set(BACKUP_SETTINGS.passphrase.key, 'scheduled passphrase');
    const now = Date.now();
    const first = await schedule.runDue(now);
    assert.ok(first.ran && 'file' in first, JSON.stringify(first));
    assert.match(path.basename(first.file), /\.tar\.sealed$/);
    assert.ok(readFileSync(first.file).toString('latin1').startsWith('homepost-backup-sealed 1\n'));
    assert.deepEqual(await schedule.runDue(now + 22 * HOUR), { ran: false }, 'not due within the day');
    const second = await schedule.runDue(now + 23.5 * HOUR);
    const third = await schedule.runDue(now + 48 * HOUR);
    assert.ok('file' in second && 'file' in third);
    assert.deepEqual(third.pruned, [path.basename(first.file)]);
    assert.deepEqual(readdirSync(folder).sort(), [path.basename(second.file), path.basename(third.file)].sort());
    assert.equal(readSetting(store.settings, LAST_BACKUP)?.file, third.file);

    // The drive is gone: the failure is recorded, the folder is not made on the SD card.
    rmSync(folder, { recursive: true });
    const failed = await schedule.runDue(now + 96 * HOUR);
    assert.ok('error' in failed && /does not exist \(is the drive plugged in\?\)/.test(failed.error), JSON.stringify(failed));
    assert.equal(existsSync(folder), false);
    assert.equal(readSetting(store.settings, BACKUP_FAILURE)?.folder, folder);
    assert.ok(lines.some((l) => l.includes('"backup.scheduled_failed"')));
    // Without backup.folder: the data folder's backups/, made as needed; the failure is cleared.
    await store.settings.set(BACKUP_SETTINGS.folder.key, null);
    const local = await schedule.runDue(now + 97 * HOUR);
    assert.ok('file' in local && path.dirname(local.file) === path.join(data, 'backups'));
    assert.equal(readSetting(store.settings, BACKUP_FAILURE), null);
  } finally {
    await store.close();
    rmSync(data, { recursive: true, force: true });
    rmSync(folder, { recursive: true, force: true });
  }
});

test('the daemon with a daily schedule writes a backup by itself soon after it starts', async () => {
  const data = tempDir('homepost-schedule-daemon-');
  const folder = tempDir('homepost-schedule-daemon-usb-');
  writeFileSync(path.join(folder, 'not-a-backup.txt'), 'left alone');
  try {
    const store = await Store.open(data);
    await store.settings.set(BACKUP_SETTINGS.schedule.key, 'daily');
    await store.settings.set(BACKUP_SETTINGS.folder.key, folder);
    await store.close();
    const server = await startServeChild({ dataDir: data, args: ['--dev'] });
    try {
      // Finished backups only: the one being written is NAME.partial until its rename.
      const backups = () => readdirSync(folder).filter((n) => BACKUP_NAME.test(n));
      for (let i = 0; i < 300 && backups().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
      assert.equal(backups().length, 1);
      assert.match(backups()[0]!, /^homepost-backup-\d{8}-\d{6}\.tar$/);
      for (let i = 0; i < 50 && !server.lines.some((l) => l.includes('"backup.scheduled"')); i++) await new Promise((r) => setTimeout(r, 100));
      assert.ok(server.lines.some((l) => l.includes('"backup.scheduled"')));
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
    assert.ok(existsSync(path.join(folder, 'not-a-backup.txt')));
  } finally {
    rmSync(data, { recursive: true, force: true });
    rmSync(folder, { recursive: true, force: true });
  }
});
