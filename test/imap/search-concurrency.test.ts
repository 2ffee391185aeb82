// One event loop serves every session: a long SEARCH TEXT in one session works in slices, so
// another session's NOOPs are answered while it runs. The mailbox is made with the store API; the
// test asserts the order of the answers, never a duration.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, message, ok, startImapServer, type ImapTestServer, type RawClient } from './support.ts';

const MESSAGES = 3000;
const BODY = `${'A line of ordinary text that the search has to decode and read. '.repeat(150)}\r\n`;

describe('a long search does not hold other sessions', () => {
  let s: ImapTestServer;
  let searcher: RawClient;
  let other: RawClient;
  before(async () => {
    s = await startImapServer();
    const store = s.context.store;
    const inbox = store.mailboxes.get(s.accountId, 'INBOX')!;
    // Appends issued in one turn share a commit: a few hundred at a time.
    for (let n = 1; n <= MESSAGES; n += 500) {
      await Promise.all(
        Array.from({ length: Math.min(500, MESSAGES - n + 1) }, (_, i) =>
          store.messages.append({ mailboxId: inbox.id, raw: Buffer.from(message(n + i, '', BODY)) }),
        ),
      );
    }
    searcher = await loggedIn(s);
    other = await loggedIn(s);
    await ok(searcher, 'EXAMINE INBOX');
    await ok(other, 'EXAMINE INBOX');
  });
  after(async () => {
    searcher.close();
    other.close();
    await s.close();
  });

  test('NOOPs on another session are answered while SEARCH TEXT runs', async () => {
    const tag = searcher.nextTag();
    await searcher.write(`${tag} SEARCH TEXT "no such words anywhere"\r\n`);
    let done = false;
    const searching = searcher.until(tag, 120_000).then((r) => {
      done = true;
      return r;
    });
    let answered = 0;
    while (!done) {
      const r = await other.command('NOOP', 120_000);
      assert.match(r.tagged, /OK/);
      if (!done) answered++;
    }
    const r = await searching;
    assert.match(r.tagged, /OK/);
    assert.deepEqual(r.untagged, ['* SEARCH']);
    // A search that held the loop would let at most the NOOP sent with it through.
    assert.ok(answered >= 3, `${answered} NOOPs answered during the search`);
  });
});
