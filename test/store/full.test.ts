// A full disk: the store refuses writes with the temporary 'full' error, the process survives,
// nothing acknowledged before is lost, and once there is room again the store works.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { Store } from '../../src/store/index.ts';
import { message, tempDir } from '../support/temp-store.ts';

const worker = path.join(import.meta.dirname, 'full-worker.ts');

test('a full disk gives a temporary error, the process survives, acknowledged mail stays', async () => {
  const dir = tempDir('homepost-full-');
  try {
    // 12 MB file size limit (ulimit -f counts 1 KB blocks); SIGXFSZ ignored so writes get EFBIG.
    const underLimit = (...args: string[]) =>
      execFileSync('bash', ['-c', `trap '' XFSZ; ulimit -f 12288; exec "$@"`, 'bash', process.execPath, worker, dir, ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'pipe'],
      });
    const lines = underLimit().trim().split('\n');
    const delivered = lines.filter((l) => l.startsWith('D ')).map((l) => l.split(' ')[1]);
    const refused = lines.filter((l) => l.startsWith('E '));
    assert.ok(delivered.length > 100, `delivered ${delivered.length} before the disk filled`);
    assert.equal(refused.length, 5);
    for (const r of refused) assert.equal(r.split(' ')[2], 'full', r);
    assert.equal(lines.at(-1), 'done', 'the process survived and closed the store');

    // Opened again while still full: the file reserve cannot grow, yet the store opens and reads.
    const again = underLimit('reopen').trim().split('\n');
    assert.equal(again[0], `R ${delivered.length}`);
    assert.match(again[1], /^E r0 full$/);
    assert.equal(again.at(-1), 'done');

    const store = await Store.open(dir);
    try {
      assert.deepEqual(store.checkConsistency(), []);
      const account = store.accounts.get('user@example.test')!;
      const inbox = store.mailboxes.get(account.id, 'INBOX')!;
      const subjects = new Set(store.messages.list(inbox.id).map((m) => /^Subject: (\S+)/.exec(store.messages.body(m.hash)!.toString('latin1'))![1]));
      for (const tag of delivered) assert.ok(subjects.has(tag), `acknowledged ${tag} is there`);
      const [after] = await store.messages.deliver({ raw: message('after'), targets: [{ accountId: account.id }] });
      assert.ok(after.ok, 'writes work again once there is room');
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
