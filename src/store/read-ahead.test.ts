// The read-ahead of passes over a mailbox: every message becomes ready, in batches that stay a
// bounded distance ahead, with each body asked for once; and a closed store ends it quietly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { message, storeWithAccount } from '../../test/support/temp-store.ts';
import { ReadAhead } from './read-ahead.ts';

test('each message becomes ready, read a bounded number of batches ahead, its body asked for once', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    await t.store.messages.appendMany({ mailboxId: inbox, messages: Array.from({ length: 230 }, (_, i) => ({ raw: message(i) })) });
    // One expunged: the pass still asks for its UID, and gets past it.
    await t.store.messages.expunge({ mailboxId: inbox, uids: [100], onlyDeleted: false });
    const uids = Array.from({ length: 230 }, (_, i) => i + 1);
    // The real store, what it is asked to read recorded on the way through.
    const messages = t.store.messages;
    const askedRecords: number[] = [];
    const askedBodies: string[] = [];
    const spied = Object.create(messages) as typeof messages;
    spied.prefetchMessages = (mailboxId, list, reads) => {
      askedRecords.push(...list);
      return messages.prefetchMessages.call(spied, mailboxId, list, reads);
    };
    spied.prefetchBodies = (hashes, raw) => {
      assert.equal(raw, true);
      askedBodies.push(...hashes.map((h) => h.toString('hex')));
      return messages.prefetchBodies(hashes, raw);
    };
    const ahead = new ReadAhead(spied, inbox, uids, { reads: 'whole', batch: 20, batches: 2 });
    for (let i = 0; i < uids.length; i++) {
      const reading = ahead.ready(i);
      // Never more than the batch of position i and two more asked for.
      assert.ok(askedRecords.length <= Math.min(uids.length, (Math.floor(i / 20) + 3) * 20), `position ${i}: ${askedRecords.length} asked`);
      assert.ok(askedRecords.length > i);
      if (reading) await reading;
      assert.equal(ahead.ready(i), null, `position ${i}`);
    }
    assert.deepEqual(askedRecords, uids);
    const stored = messages.list(inbox).map((r) => r.hash.toString('hex'));
    assert.equal(stored.length, 229);
    // Each batch asks once its records are read, and the reads run side by side: in any order.
    assert.deepEqual(askedBodies.sort(), stored.sort());
  } finally {
    await t.close();
  }
});

test('a pass that reads records, or parses, asks for no more of the bodies', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    await t.store.messages.appendMany({ mailboxId: inbox, messages: Array.from({ length: 5 }, (_, i) => ({ raw: message(i) })) });
    const messages = t.store.messages;
    for (const [reads, asked] of [
      ['records', []],
      ['parsed', [false]],
    ] as const) {
      const raws: boolean[] = [];
      const spied = Object.create(messages) as typeof messages;
      spied.prefetchBodies = (hashes, raw) => {
        raws.push(raw ?? true);
        return messages.prefetchBodies(hashes, raw);
      };
      const ahead = new ReadAhead(spied, inbox, [1, 2, 3, 4, 5], { reads, batch: 10, batches: 1 });
      await ahead.ready(0);
      assert.deepEqual(raws, asked, reads);
    }
  } finally {
    await t.close();
  }
});

test('a read-ahead on a store that has closed settles without reading', async () => {
  const t = await storeWithAccount();
  const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
  await t.store.messages.appendMany({ mailboxId: inbox, messages: [{ raw: message(1) }, { raw: message(2) }] });
  const messages = t.store.messages;
  await t.close();
  const ahead = new ReadAhead(messages, inbox, [1, 2], { reads: 'whole', batch: 1, batches: 1 });
  await ahead.ready(0);
  await ahead.ready(1);
  assert.equal(ahead.ready(1), null);
});
