import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { message, storeWithAccount } from '../../test/support/temp-store.ts';

test('queue entries are durable records that reference their body once', async () => {
  const t = await storeWithAccount();
  try {
    const raw = message('queued');
    const a = await t.store.queue.enqueue({ sender: 'user@example.test', recipients: ['x@remote.example', 'y@remote.example'], raw, accountId: t.account.id, now: 1000 });
    assert.equal(a.id, 1);
    assert.equal(t.store.bodies.refs(a.hash), 1);
    assert.deepEqual(a.recipients.map((r) => [r.address, r.state]), [['x@remote.example', 'queued'], ['y@remote.example', 'queued']]);
    const b = await t.store.queue.enqueue({ sender: '', recipients: [], deferred: [{ address: 'user@example.test', result: '452 4.2.2 Mailbox full' }], raw, now: 2000 });
    assert.equal(b.id, 2);
    assert.equal(t.store.bodies.refs(a.hash), 2, 'the same body is shared');
    assert.equal(b.recipients[0].state, 'deferred');
    assert.deepEqual(t.store.queue.body(b), raw);
    assert.deepEqual(t.store.queue.list().map((e) => e.id), [1, 2]);
    assert.deepEqual(t.store.queue.due(1500).map((e) => e.id), [1]);
    const done = a.recipients.map((r) => ({ ...r, state: 'delivered' as const, attempts: 1 }));
    await t.store.queue.update(1, { recipients: done, nextAttemptAt: 9999 });
    assert.deepEqual(t.store.queue.due(5000).map((e) => e.id), [2]);
    await t.store.queue.remove(1);
    await t.store.queue.remove(2);
    assert.equal(t.store.queue.list().length, 0);
    assert.equal(t.store.bodies.refs(a.hash), 0, 'the body goes with its last reference');
    await assert.rejects(t.store.queue.remove(1), { code: 'not-found' });
    await assert.rejects(t.store.queue.enqueue({ sender: '', recipients: [], raw }), { code: 'invalid' });
  } finally {
    await t.close();
  }
});

test('queue entries survive reopening the store', async () => {
  const t = await storeWithAccount();
  const { Store } = await import('../store/index.ts');
  const raw = message('durable');
  await t.store.queue.enqueue({ sender: 'user@example.test', recipients: ['x@remote.example'], raw });
  await t.store.close();
  const again = await Store.open(t.dir);
  try {
    const [entry] = again.queue.list();
    assert.equal(entry.recipients[0].address, 'x@remote.example');
    assert.deepEqual(again.queue.body(entry), raw);
    assert.deepEqual(again.checkConsistency(), []);
  } finally {
    await again.close();
    rmSync(t.dir, { recursive: true, force: true });
  }
});
