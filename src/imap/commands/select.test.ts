// SELECT / EXAMINE responses for IMAP4rev1 and IMAP4rev2 clients, \Recent, CLOSE and UNSELECT.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, message, ok, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';

describe('SELECT and friends', () => {
  let s: ImapTestServer;
  let uidValidity: number;
  before(async () => {
    s = await startImapServer();
    await s.deliver(message(1), { flags: ['\\Seen'] });
    await s.deliver(message(2), { flags: ['$Forwarded'] });
    await s.deliver(message(3));
    uidValidity = s.context.store.mailboxes.get(s.accountId, 'INBOX')!.uidValidity;
  });
  after(() => s.close());

  test('IMAP4rev1: FLAGS, PERMANENTFLAGS, EXISTS, RECENT, UNSEEN, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ', async () => {
    // EXAMINE shows \Recent but does not take it away (RFC 3501 6.3.2).
    const peek = await loggedIn(s);
    assert.ok((await ok(peek, 'EXAMINE INBOX')).untagged.includes('* 3 RECENT'));
    peek.close();
    const c = await loggedIn(s);
    const r = await ok(c, 'SELECT inbox');
    assert.deepEqual(r.untagged, [
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] Flags permitted',
      '* 3 EXISTS',
      '* 3 RECENT',
      '* OK [UNSEEN 2] First unseen',
      `* OK [UIDVALIDITY ${uidValidity}] UIDs valid`,
      '* OK [UIDNEXT 4] Predicted next UID',
      '* OK [HIGHESTMODSEQ 4] Highest',
    ]);
    assert.equal(r.tagged, 'A2 OK [READ-WRITE] SELECT completed');
    // \Recent belongs to the first session only (RFC 3501 2.3.2).
    const f = await ok(c, 'FETCH 1 FLAGS');
    assert.deepEqual(f.untagged, ['* 1 FETCH (FLAGS (\\Seen \\Recent))']);
    const other = await loggedIn(s);
    const r2 = await ok(other, 'EXAMINE INBOX');
    assert.ok(r2.untagged.includes('* 0 RECENT'));
    assert.ok(r2.untagged.includes('* OK [PERMANENTFLAGS ()] Read-only mailbox'));
    assert.match(r2.tagged, /OK \[READ-ONLY\] EXAMINE completed/);
    const st = await other.command('STORE 1 +FLAGS (\\Flagged)');
    assert.match(st.tagged, /NO \[READ-ONLY\]/);
    c.close();
    other.close();
  });

  test('IMAP4rev2: no RECENT or UNSEEN, a LIST response, CLOSED when switching', async () => {
    const c = await loggedIn(s);
    await ok(c, 'ENABLE IMAP4rev2');
    const r = await ok(c, 'SELECT INBOX');
    assert.deepEqual(r.untagged, [
      '* 3 EXISTS',
      `* OK [UIDVALIDITY ${uidValidity}] UIDs valid`,
      '* OK [UIDNEXT 4] Predicted next UID',
      '* OK [HIGHESTMODSEQ 4] Highest',
      '* FLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded)',
      '* OK [PERMANENTFLAGS (\\Answered \\Flagged \\Deleted \\Seen \\Draft $Forwarded \\*)] Flags permitted',
      '* LIST (\\HasNoChildren) "/" INBOX',
    ]);
    const f = await ok(c, 'FETCH 3 FLAGS');
    assert.deepEqual(f.untagged, ['* 3 FETCH (FLAGS ())']);
    const r2 = await ok(c, 'EXAMINE Sent');
    assert.equal(r2.untagged[0], '* OK [CLOSED] Previous mailbox closed');
    c.close();
  });

  test('a missing or \\Noselect mailbox, and a failed SELECT leaves the selected state', async () => {
    const c = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
    const r = await c.command('SELECT Nowhere');
    assert.match(r.tagged, /NO \[NONEXISTENT\]/);
    assert.match((await c.command('FETCH 1 FLAGS')).tagged, /BAD No mailbox selected/);
    assert.match((await c.command('SELECT (CONDSTORE')).tagged, /BAD/);
    c.close();
  });

  test('CLOSE expunges \\Deleted silently; UNSELECT does not', async () => {
    await s.deliver(message('c1'), { mailbox: 'Archive', flags: ['\\Deleted'] });
    await s.deliver(message('c2'), { mailbox: 'Archive', flags: ['\\Deleted'] });
    const c = await loggedIn(s);
    await ok(c, 'SELECT Archive');
    const u = await ok(c, 'UNSELECT');
    assert.deepEqual(u.untagged, []);
    assert.equal(s.context.store.mailboxes.get(s.accountId, 'Archive')!.count, 2);
    await ok(c, 'EXAMINE Archive');
    await ok(c, 'CLOSE');
    assert.equal(s.context.store.mailboxes.get(s.accountId, 'Archive')!.count, 2, 'EXAMINE does not expunge');
    await ok(c, 'SELECT Archive');
    const cl = await ok(c, 'CLOSE');
    assert.deepEqual(cl.untagged, []);
    assert.equal(s.context.store.mailboxes.get(s.accountId, 'Archive')!.count, 0);
    assert.match((await c.command('CLOSE')).tagged, /BAD/);
    c.close();
  });

  test('FETCH FLAGS: messages with the same flags, recent and not, each with their own list', async () => {
    await s.deliver(message('r1'), { mailbox: 'Drafts', flags: ['\\Seen'] });
    await s.deliver(message('r2'), { mailbox: 'Drafts' });
    const first = await loggedIn(s);
    await ok(first, 'SELECT Drafts');
    first.close();
    await s.deliver(message('r3'), { mailbox: 'Drafts', flags: ['\\Seen'] });
    await s.deliver(message('r4'), { mailbox: 'Drafts' });
    const c = await loggedIn(s);
    assert.ok((await ok(c, 'SELECT Drafts')).untagged.includes('* 2 RECENT'));
    assert.deepEqual((await ok(c, 'FETCH 1:4 FLAGS')).untagged, [
      '* 1 FETCH (FLAGS (\\Seen))',
      '* 2 FETCH (FLAGS ())',
      '* 3 FETCH (FLAGS (\\Seen \\Recent))',
      '* 4 FETCH (FLAGS (\\Recent))',
    ]);
    c.close();
  });
});
