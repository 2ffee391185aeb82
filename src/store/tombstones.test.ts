import assert from 'node:assert/strict';
import { test } from 'node:test';
import { message, storeWithAccount } from '../../test/support/temp-store.ts';
import { MAX_TOMBSTONES, WRITE_CHUNK } from './messages.ts';

// Fills INBOX with `n` messages in few commits (copies of 100 bodies).
async function fillInbox(t: Awaited<ReturnType<typeof storeWithAccount>>, n: number): Promise<number> {
  const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
  const drafts = t.store.mailboxes.get(t.account.id, 'Drafts')!.id;
  for (let i = 1; i <= 100; i++) await t.store.messages.append({ mailboxId: drafts, raw: message(i) });
  const uids = Array.from({ length: 100 }, (_, i) => i + 1);
  for (let copied = 0; copied < n; copied += 100) await t.store.messages.copy({ from: drafts, uids, to: inbox });
  return inbox;
}

test('expunge tombstones are pruned to the newest MAX_TOMBSTONES; older MODSEQs get a full resync', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = await fillInbox(t, 2 * MAX_TOMBSTONES + 100);
    const expunge = (from: number, to: number) =>
      t.store.messages.expunge({ mailboxId: inbox, uids: Array.from({ length: to - from + 1 }, (_, i) => from + i), onlyDeleted: false });
    const start = t.store.mailboxes.getById(inbox)!.highestModSeq;
    await expunge(1, 10); // the oldest tombstones, with the lowest MODSEQ
    const afterFirst = t.store.mailboxes.getById(inbox)!.highestModSeq;
    await expunge(2 * MAX_TOMBSTONES + 1, 2 * MAX_TOMBSTONES + 50); // high UIDs, older than the rest
    const afterSecond = t.store.mailboxes.getById(inbox)!.highestModSeq;
    await expunge(11, 2 * MAX_TOMBSTONES - 70);
    let mb = t.store.mailboxes.getById(inbox)!;
    assert.equal(mb.tombstones, 2 * MAX_TOMBSTONES - 20, 'below the threshold: nothing pruned');
    assert.equal(mb.vanishedSince, 0);
    await expunge(2 * MAX_TOMBSTONES - 69, 2 * MAX_TOMBSTONES - 40); // reaches 2 x MAX_TOMBSTONES
    mb = t.store.mailboxes.getById(inbox)!;
    assert.equal(mb.tombstones, MAX_TOMBSTONES);
    // The third expunge committed in chunks of WRITE_CHUNK UIDs, each with its own MODSEQ; the
    // oldest tombstones beyond MAX_TOMBSTONES go: the first two expunges' and the third's first ones.
    const prunedOfThird = 60 + (2 * MAX_TOMBSTONES - 80) + 30 - MAX_TOMBSTONES - 60;
    const lastPrunedChunk = Math.floor((prunedOfThird - 1) / WRITE_CHUNK);
    assert.equal(mb.vanishedSince, afterSecond + 1 + lastPrunedChunk, 'the newest MODSEQ among the pruned');
    assert.deepEqual(t.store.checkConsistency(), []);

    // Exact from vanishedSince on: the tombstones newer than every pruned one.
    assert.deepEqual(t.store.messages.vanished(inbox, mb.vanishedSince), [[11 + (lastPrunedChunk + 1) * WRITE_CHUNK, 2 * MAX_TOMBSTONES - 40]]);
    // Older: every UID below UIDNEXT not in the mailbox (RFC 7162 3.2.5.2), whatever the client knew.
    const present = new Set(t.store.messages.list(inbox).map((m) => m.uid));
    const full = range(1, mb.uidNext - 1).filter((u) => !present.has(u));
    for (const since of [start, afterFirst, mb.vanishedSince - 1]) assert.deepEqual(expand(t.store.messages.vanished(inbox, since)), full, `since ${since}`);
    assert.ok(full.includes(2 * MAX_TOMBSTONES + 1) && full.includes(1));
  } finally {
    await t.close();
  }
});

const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const expand = (ranges: [number, number][]) => ranges.flatMap(([a, b]) => range(a, b));
