// COPY and MOVE with COPYUID (RFC 4315, RFC 6851).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, message, ok, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';

describe('COPY and MOVE', () => {
  let s: ImapTestServer;
  let archive: number;
  before(async () => {
    s = await startImapServer();
    for (let i = 1; i <= 4; i++) await s.deliver(message(i), { flags: i === 1 ? ['\\Seen'] : [] });
    archive = s.context.store.mailboxes.get(s.accountId, 'Archive')!.uidValidity;
  });
  after(() => s.close());

  test('COPY answers COPYUID and keeps flags', async () => {
    const c = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
    const r = await ok(c, 'COPY 1:2 Archive');
    assert.equal(r.tagged, `A3 OK [COPYUID ${archive} 1:2 1:2] COPY completed`);
    const none = await c.command('COPY 1 Nowhere');
    assert.match(none.tagged, /NO \[TRYCREATE\]/);
    const st = await ok(c, 'STATUS Archive (MESSAGES UNSEEN)');
    assert.deepEqual(st.untagged, ['* STATUS Archive (MESSAGES 2 UNSEEN 1)']);
    c.close();
  });

  test('MOVE: untagged COPYUID, then the expunges, in one commit', async () => {
    const c = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
    const before = s.context.store.lastTxnId();
    const r = await ok(c, 'UID MOVE 2,4 Archive');
    assert.equal(s.context.store.lastTxnId(), before + 1);
    assert.deepEqual(r.untagged, [`* OK [COPYUID ${archive} 2,4 3:4] Moved`, '* 2 EXPUNGE', '* 3 EXPUNGE']);
    const q = await ok(c, 'ENABLE QRESYNC').catch(() => null);
    assert.equal(q, null, 'ENABLE is not valid once a mailbox is selected');
    c.close();
  });

  test('MOVE with QRESYNC reports VANISHED', async () => {
    const c = await loggedIn(s);
    await ok(c, 'ENABLE QRESYNC');
    await ok(c, 'SELECT Archive');
    const r = await ok(c, 'MOVE 1:2 Trash');
    const trash = s.context.store.mailboxes.get(s.accountId, 'Trash')!.uidValidity;
    assert.deepEqual(r.untagged, [`* OK [COPYUID ${trash} 1:2 1:2] Moved`, '* VANISHED 1:2']);
    c.close();
  });
});
