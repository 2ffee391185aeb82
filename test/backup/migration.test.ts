// A store of an older format is backed up before it is migrated, by the CLI opening it offline
// (the daemon passes the same hook, src/serve/server.ts); the backup holds the store as it was and
// restores. When that backup cannot be made, the store is left unmigrated and not opened.
import assert from 'node:assert/strict';
import { closeSync, openSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { hashNewPassword } from '../../src/auth/password.ts';
import { readBackup } from '../../src/backup/restore.ts';
import { Store } from '../../src/store/index.ts';
import { openEnv, STORE_FORMAT } from '../../src/store/open.ts';
import { runCli, runJson } from '../cli/run-cli.ts';
import { message, storeInternals, tempDir } from '../support/temp-store.ts';

// A store with one message, marked as written by the format before this one.
async function olderStore(): Promise<string> {
  const dir = tempDir('homepost-migration-backup-');
  const store = await Store.open(dir);
  await store.domains.add('example.test');
  const account = await store.accounts.create({ address: 'ann@example.test', passwordHash: await hashNewPassword('ann password 1') });
  await store.messages.append({ mailboxId: store.mailboxes.get(account.id, 'INBOX')!.id, raw: message(1) });
  await storeInternals(store).write(() => storeInternals(store).dbs.meta.putSync('format', STORE_FORMAT - 1));
  await store.close();
  return dir;
}

async function formatOf(dir: string): Promise<number> {
  const { env, dbs } = openEnv(dir);
  try {
    return dbs.meta.get('format') as number;
  } finally {
    await env.close();
  }
}

test('opening an older store backs it up first; the backup holds the old format and restores', async () => {
  const dir = await olderStore();
  assert.deepEqual((await runJson<{ problems: string[] }>(['verify', '--data', dir])).problems, []);
  assert.equal(await formatOf(dir), STORE_FORMAT);
  const backups = readdirSync(path.join(dir, 'backups'));
  assert.equal(backups.length, 1);
  assert.match(backups[0]!, /^homepost-backup-\d{8}-\d{6}\.tar$/);
  const fd = openSync(path.join(dir, 'backups', backups[0]!), 'r');
  try {
    assert.equal((await readBackup(fd, undefined)).storeFormat, STORE_FORMAT - 1);
  } finally {
    closeSync(fd);
  }
  // Opened again: nothing to migrate, no second backup.
  await runJson(['verify', '--data', dir]);
  assert.equal(readdirSync(path.join(dir, 'backups')).length, 1);
  const fresh = tempDir('homepost-migration-restored-');
  const r = await runCli(['restore', path.join(dir, 'backups', backups[0]!), '--data', fresh, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual([JSON.parse(r.stdout).manifest.storeFormat, JSON.parse(r.stdout).messages], [STORE_FORMAT - 1, 1]);
  assert.equal(await formatOf(fresh), STORE_FORMAT);
});

test('when the backup cannot be made, the store is not migrated and does not open', async () => {
  const dir = await olderStore();
  // backups/ cannot be made: a file has its name.
  writeFileSync(path.join(dir, 'backups'), 'in the way');
  const r = await runCli(['verify', '--data', dir]);
  assert.notEqual(r.code, 0);
  assert.match(
    r.stderr,
    new RegExp(`needs migrating from format ${STORE_FORMAT - 1} to ${STORE_FORMAT}, and the backup before it failed .*nothing was changed`),
  );
  assert.equal(await formatOf(dir), STORE_FORMAT - 1);
});
