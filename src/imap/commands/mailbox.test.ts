// CREATE, DELETE, RENAME, SUBSCRIBE, UNSUBSCRIBE and STATUS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, message, ok, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';

describe('mailbox management', () => {
  let s: ImapTestServer;
  before(async () => (s = await startImapServer()));
  after(() => s.close());

  test('CREATE with superiors, a trailing delimiter and USE; errors with response codes', async () => {
    const c = await loggedIn(s);
    await ok(c, 'CREATE a/b/c');
    await ok(c, 'CREATE d/');
    await ok(c, 'CREATE Spam (USE (\\Junk))');
    await ok(c, 'CREATE "&ZeVnLIqe-"');
    const names = s.context.store.mailboxes.list(s.accountId).map((m) => m.name);
    for (const n of ['a', 'a/b', 'a/b/c', 'd', 'Spam', '日本語']) assert.ok(names.includes(n), n);
    assert.equal(s.context.store.mailboxes.get(s.accountId, 'Spam')!.specialUse, '\\Junk');
    assert.match((await c.command('CREATE a/b')).tagged, /NO \[ALREADYEXISTS\]/);
    assert.match((await c.command('CREATE inbox')).tagged, /NO \[ALREADYEXISTS\]/);
    assert.match((await c.command('CREATE x (USE (\\Bogus))')).tagged, /NO \[USEATTR\]/);
    assert.match((await c.command('CREATE "&Jjo"')).tagged, /NO \[CANNOT\]/);
    assert.match((await c.command('CREATE "a//b"')).tagged, /NO \[CANNOT\]/);
    assert.match((await c.command('CREATE')).tagged, /BAD/);
    c.close();
  });

  test('RENAME moves inferiors; DELETE of a parent leaves it \\Noselect', async () => {
    const c = await loggedIn(s);
    await ok(c, 'CREATE p/q');
    await ok(c, 'RENAME p r');
    assert.deepEqual((await ok(c, 'LIST "" r*')).untagged, ['* LIST (\\HasChildren) "/" r', '* LIST (\\HasNoChildren) "/" r/q']);
    assert.match((await c.command('RENAME nothere x')).tagged, /NO \[NONEXISTENT\]/);
    assert.match((await c.command('RENAME r Sent')).tagged, /NO \[ALREADYEXISTS\]/);
    await ok(c, 'DELETE r');
    assert.deepEqual((await ok(c, 'LIST "" r*')).untagged, ['* LIST (\\Noselect \\HasChildren) "/" r', '* LIST (\\HasNoChildren) "/" r/q']);
    assert.match((await c.command('SELECT r')).tagged, /NO \[NONEXISTENT\]/);
    assert.match((await c.command('DELETE INBOX')).tagged, /NO/);
    assert.match((await c.command('DELETE nothere')).tagged, /NO \[NONEXISTENT\]/);
    c.close();
  });

  test('RENAME INBOX moves its messages and leaves it empty', async () => {
    await s.deliver(message(1));
    const c = await loggedIn(s);
    await ok(c, 'RENAME INBOX Old');
    assert.deepEqual((await ok(c, 'STATUS INBOX (MESSAGES)')).untagged, ['* STATUS INBOX (MESSAGES 0)']);
    assert.deepEqual((await ok(c, 'STATUS Old (MESSAGES)')).untagged, ['* STATUS Old (MESSAGES 1)']);
    c.close();
  });

  test('SUBSCRIBE and UNSUBSCRIBE', async () => {
    const c = await loggedIn(s);
    await ok(c, 'SUBSCRIBE a/b');
    assert.deepEqual((await ok(c, 'LSUB "" a*')).untagged, ['* LSUB () "/" a/b']);
    await ok(c, 'UNSUBSCRIBE a/b');
    assert.deepEqual((await ok(c, 'LSUB "" a*')).untagged, []);
    await ok(c, 'UNSUBSCRIBE a/b');
    c.close();
  });

  test('STATUS items, and CONDSTORE enabled by HIGHESTMODSEQ', async () => {
    await s.deliver(message(2), { mailbox: 'Sent', flags: ['\\Deleted', '\\Seen'] });
    await s.deliver(message(3), { mailbox: 'Sent' });
    const c = await loggedIn(s);
    const mb = s.context.store.mailboxes.get(s.accountId, 'Sent')!;
    const r = await ok(c, 'STATUS Sent (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN DELETED SIZE HIGHESTMODSEQ)');
    assert.deepEqual(r.untagged, [
      `* STATUS Sent (MESSAGES 2 RECENT 2 UIDNEXT 3 UIDVALIDITY ${mb.uidValidity} UNSEEN 1 DELETED 1 SIZE ${mb.size} HIGHESTMODSEQ ${mb.highestModSeq})`,
    ]);
    assert.match((await c.command('STATUS Sent (BOGUS)')).tagged, /BAD/);
    assert.match((await c.command('STATUS Nowhere (MESSAGES)')).tagged, /NO \[NONEXISTENT\]/);
    // STATUS (HIGHESTMODSEQ) enabled CONDSTORE: FETCH FLAGS after STORE now carry MODSEQ.
    await ok(c, 'SELECT Sent');
    assert.match((await ok(c, 'STORE 2 +FLAGS (\\Flagged)')).untagged[0]!, /MODSEQ \(\d+\)/);
    c.close();
  });
});
