// The record reader of searches: batches read by one cursor walk, read again after the search
// yields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { message, storeWithAccount } from '../../../test/support/temp-store.ts';
import { recordReader } from './search-run.ts';

test('records come in UID order across batches and yields, up to the end of the mailbox', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    const count = 200;
    for (let at = 0; at < count; at += 50) {
      await t.store.messages.appendMany({ mailboxId: inbox, messages: Array.from({ length: 50 }, (_, i) => ({ raw: message(at + i) })) });
    }
    const clock = { slices: 0 };
    const read = recordReader(t.store.messages, inbox, clock);
    const uids: number[] = [];
    for (let uid = 1; uid <= count + 2; uid++) {
      // The search yields now and then (here at every 30th UID and near the end): the batch in hand
      // is read again from the UID asked for.
      if (uid % 30 === 0 || uid > count - 3) clock.slices++;
      const r = read(uid);
      if (r) uids.push(r.uid);
    }
    assert.deepEqual(
      uids,
      Array.from({ length: count }, (_, i) => i + 1),
    );
  } finally {
    await t.close();
  }
});
