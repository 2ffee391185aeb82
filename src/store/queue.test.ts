import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { message, storeWithAccount } from '../../test/support/temp-store.ts';

test('queue entries are durable records that reference their body once', async () => {
  const t = await storeWithAccount();
  try {
    const raw = message('queued');
    const a = await t.store.queue.enqueue({
      sender: 'user@example.test',
      recipients: ['x@remote.example', 'y@remote.example'],
      raw,
      accountId: t.account.id,
      now: 1000,
    });
    assert.equal(a.id, 1);
    assert.equal(t.store.bodies.refs(a.hash), 1);
    assert.deepEqual(
      a.recipients.map((r) => [r.address, r.state]),
      [
        ['x@remote.example', 'queued'],
        ['y@remote.example', 'queued'],
      ],
    );
    const b = await t.store.queue.enqueue({
      sender: '',
      recipients: [],
      deferred: [{ address: 'user@example.test', result: '452 4.2.2 Mailbox full', status: '4.2.2' }],
      raw,
      now: 2000,
    });
    assert.equal(b.id, 2);
    assert.equal(t.store.bodies.refs(a.hash), 1, 'an entry stored later has a body of its own');
    assert.equal(t.store.bodies.refs(b.hash), 1);
    assert.equal(b.recipients[0].state, 'deferred');
    assert.deepEqual(t.store.queue.body(b), raw);
    assert.deepEqual(
      t.store.queue.list().map((e) => e.id),
      [1, 2],
    );
    assert.deepEqual(
      t.store.queue.due(1500).map((e) => e.id),
      [1],
    );
    const done = a.recipients.map((r) => ({ ...r, state: 'delivered' as const, attempts: 1 }));
    await t.store.queue.update(1, { recipients: done, nextAttemptAt: 9999 });
    assert.deepEqual(
      t.store.queue.due(5000).map((e) => e.id),
      [2],
    );
    await t.store.queue.remove(1);
    await t.store.queue.remove(2);
    assert.equal(t.store.queue.list().length, 0);
    assert.equal(t.store.bodies.refs(a.hash), 0, 'the body goes with its last reference');
    assert.equal(t.store.bodies.refs(b.hash), 0);
    await assert.rejects(t.store.queue.remove(1), { code: 'not-found' });
    await assert.rejects(t.store.queue.enqueue({ sender: '', recipients: [], raw }), { code: 'invalid' });
  } finally {
    await t.close();
  }
});

test('queue entries survive reopening the store', async () => {
  const t = await storeWithAccount();
  const { Store } = await import('./index.ts');
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

test('modify: a read-modify-write in one commit, null removes; subscribers hear after the commit', async () => {
  const t = await storeWithAccount();
  try {
    const events: string[] = [];
    const off = t.store.queue.subscribe((e) => events.push(`${e.kind}:${e.kind === 'enqueued' ? e.entry.id : e.id}`));
    const raw = message('modify');
    const e = await t.store.queue.enqueue({
      sender: 'user@example.test',
      recipients: ['a@remote.example', { address: 'b@remote.example', notify: ['success'], orcpt: 'rfc822;b@alias.example' }],
      raw,
      envid: 'env1',
      ret: 'hdrs',
      now: 100,
    });
    assert.deepEqual(
      [e.envid, e.ret, e.recipients[1].notify, e.recipients[1].orcpt, e.recipients[0].nextAttemptAt],
      ['env1', 'hdrs', ['success'], 'rfc822;b@alias.example', 100],
    );
    // Two changes issued together both land: each sees the other's write.
    await Promise.all([
      t.store.queue.modify(e.id, (x) => ({
        ...x,
        recipients: x.recipients.map((r) => (r.address === 'a@remote.example' ? { ...r, state: 'deferred' as const, nextAttemptAt: 500 } : r)),
      })),
      t.store.queue.modify(e.id, (x) => ({
        ...x,
        recipients: x.recipients.map((r) => (r.address === 'b@remote.example' ? { ...r, state: 'delivered' as const } : r)),
      })),
    ]);
    const both = t.store.queue.get(e.id)!;
    assert.deepEqual(
      both.recipients.map((r) => r.state),
      ['deferred', 'delivered'],
    );
    assert.equal(both.nextAttemptAt, 500, 'follows the pending recipients');
    assert.deepEqual(t.store.queue.due(400), []);
    assert.deepEqual(
      t.store.queue.due(500).map((x) => x.id),
      [e.id],
    );
    assert.equal(await t.store.queue.modify(e.id, () => null), null);
    assert.equal(t.store.queue.get(e.id), null);
    assert.equal(t.store.bodies.refs(e.hash), 0);
    await assert.rejects(
      t.store.queue.modify(e.id, (x) => x),
      { code: 'not-found' },
    );
    assert.deepEqual(events, [`enqueued:${e.id}`, `changed:${e.id}`, `changed:${e.id}`, `removed:${e.id}`]);
    off();
  } finally {
    await t.close();
  }
});

test('deferred recipients wait until retryAt; the entry is due with its earliest recipient', async () => {
  const t = await storeWithAccount();
  try {
    const e = await t.store.queue.enqueue({
      sender: '',
      recipients: [],
      deferred: [{ address: 'user@example.test', result: '452 4.2.2 Mailbox full', status: '4.2.2' }],
      raw: message('later'),
      retryAt: 9000,
      now: 1000,
    });
    assert.deepEqual([e.recipients[0].nextAttemptAt, e.nextAttemptAt, e.recipients[0].status], [9000, 9000, '4.2.2']);
    assert.deepEqual(t.store.queue.due(8999), []);
    assert.deepEqual(
      t.store.queue.due(9000).map((x) => x.id),
      [e.id],
    );
    await t.store.queue.remove(e.id);
  } finally {
    await t.close();
  }
});
