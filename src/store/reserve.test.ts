import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { storeInternals, storeWithAccount } from '../../test/support/temp-store.ts';
import { RESERVE_LOW_BYTES, RESERVE_STEP_BYTES } from './reserve.ts';
import { STORE_FILE } from './open.ts';

// Incompressible, so each message takes pages of its own and the store outgrows its reserve.
const message = (i: number) => Buffer.from(`From: a@example.org\r\nSubject: ${i}\r\n\r\n${randomBytes(12_000).toString('base64')}\r\n`);

test('the file stays ahead of the pages LMDB uses, grown with zeros that never touch stored data', async () => {
  const { store, dir, account, close } = await storeWithAccount();
  try {
    const file = path.join(dir, STORE_FILE);
    // The store's private context: the reserve is plumbing no caller of the store sees.
    const ctx = storeInternals(store);
    const reserve = ctx.reserve;
    assert.ok(reserve.ahead() >= RESERVE_LOW_BYTES, `a new store is ${reserve.ahead()} bytes ahead`);
    const sizes = new Set([statSync(file).size]);
    const sent: Buffer[] = [];
    // About 11 MB of mail, a commit at a time and in concurrent batches.
    for (let i = 0; i < 160; i++) {
      const batch = Array.from({ length: i % 2 ? 1 : 8 }, (_, k) => message(i * 8 + k));
      sent.push(...batch);
      await Promise.all(batch.map((raw) => store.messages.deliver({ raw, targets: [{ accountId: account.id }] })));
      sizes.add(statSync(file).size);
    }
    // Let the last check run, as the 16th commit after a look would.
    await reserve.maintain(ctx);
    assert.ok(reserve.ahead() >= RESERVE_LOW_BYTES, `${reserve.ahead()} bytes ahead at the end`);
    assert.ok(statSync(file).size > 2 * RESERVE_STEP_BYTES, `the store grew past two steps: ${statSync(file).size} bytes`);
    // Grown in steps, not by LMDB a commit at a time.
    assert.ok(sizes.size < 20, `${sizes.size} file sizes over ${sent.length} deliveries`);
    const inbox = store.mailboxes.get(account.id, 'INBOX')!;
    const stored = store.messages.list(inbox.id).map((m) => store.messages.body(m.hash)!.toString('latin1'));
    assert.deepEqual(
      stored.map((s) => s.slice(s.indexOf('Subject:'))),
      sent.map((s) => s.toString('latin1').slice(s.indexOf('Subject:'))),
    );
  } finally {
    await close();
  }
});
