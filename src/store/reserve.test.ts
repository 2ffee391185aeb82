import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { storeInternals, storeWithAccount } from '../../test/support/temp-store.ts';
import { RESERVE_LOW_BYTES, RESERVE_STEP_BYTES } from './reserve.ts';
import { STORE_FILE } from './open.ts';
import type { Store } from './store.ts';

// Incompressible, so each message takes pages of its own and the store outgrows its reserve.
const message = (i: number, bytes: number) => Buffer.from(`From: a@example.org\r\nSubject: ${i}\r\n\r\n${randomBytes(bytes).toString('base64')}\r\n`);

// What the store holds, in delivery order, against what was sent.
function assertStored(store: Store, mailboxId: number, sent: Buffer[]): void {
  const stored = store.messages.list(mailboxId).map((m) => store.messages.body(m.hash)!.toString('latin1'));
  assert.deepEqual(
    stored.map((s) => s.slice(s.indexOf('Subject:'))),
    sent.map((s) => s.toString('latin1').slice(s.indexOf('Subject:'))),
  );
}

test('while commits are small, the file stays ahead of the pages LMDB uses, grown with zeros that never touch stored data', async () => {
  const { store, dir, account, close } = await storeWithAccount();
  try {
    const file = path.join(dir, STORE_FILE);
    // The store's private context: the reserve is plumbing no caller of the store sees.
    const reserve = storeInternals(store).reserve;
    assert.ok(reserve.ahead() >= RESERVE_LOW_BYTES, `a new store is ${reserve.ahead()} bytes ahead`);
    const sizes = new Set([statSync(file).size]);
    const sent: Buffer[] = [];
    // About 9 MB of mail, a delivery (about 3 pages) per commit.
    for (let i = 0; i < 800; i++) {
      const raw = message(i, 8000);
      sent.push(raw);
      await store.messages.deliver({ raw, targets: [{ accountId: account.id }] });
      sizes.add(statSync(file).size);
    }
    assert.ok(reserve.ahead() > 0, `${reserve.ahead()} bytes ahead at the end`);
    assert.ok(statSync(file).size > 2 * RESERVE_STEP_BYTES, `the store grew past two steps: ${statSync(file).size} bytes`);
    // Grown in steps, not by LMDB a commit at a time.
    assert.ok(sizes.size < 10, `${sizes.size} file sizes over ${sent.length} deliveries`);
    assertStored(store, store.mailboxes.get(account.id, 'INBOX')!.id, sent);
  } finally {
    await close();
  }
});

test('commits that add more pages than growing the file costs grow it themselves; small ones bring the reserve back', async () => {
  const { store, dir, account, close } = await storeWithAccount();
  try {
    const file = path.join(dir, STORE_FILE);
    const reserve = storeInternals(store).reserve;
    const sizes = new Set<number>();
    const sent: Buffer[] = [];
    const deliver = (batch: Buffer[]) => {
      sent.push(...batch);
      return Promise.all(batch.map((raw) => store.messages.deliver({ raw, targets: [{ accountId: account.id }] })));
    };
    // About 10 MB in bursts of 16 deliveries sharing a commit (some 70 pages each).
    for (let i = 0; i < 40; i++) {
      await deliver(Array.from({ length: 16 }, (_, k) => message(i * 16 + k, 12_000)));
      sizes.add(statSync(file).size);
    }
    assert.ok(reserve.ahead() < RESERVE_LOW_BYTES, `not topped up: ${reserve.ahead()} bytes ahead`);
    assert.ok(sizes.size > 20, `grown by the commits: ${sizes.size} file sizes over 40 commits`);
    // Lone small deliveries again: the next look tops the reserve up (its write commits before the
    // delivery after it).
    for (let i = 0; i < 33; i++) await deliver([message(1000 + i, 2000)]);
    assert.ok(reserve.ahead() >= RESERVE_LOW_BYTES, `${reserve.ahead()} bytes ahead after small commits`);
    assertStored(store, store.mailboxes.get(account.id, 'INBOX')!.id, sent);
  } finally {
    await close();
  }
});
