// ENABLE, CONDSTORE and QRESYNC resynchronisation (RFC 7162), COMPRESS=DEFLATE (RFC 4978) and ID.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, message, ok, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';

describe('ENABLE, CONDSTORE, QRESYNC, COMPRESS, ID', () => {
  let s: ImapTestServer;
  before(async () => {
    s = await startImapServer();
    for (let i = 1; i <= 5; i++) await s.deliver(message(i));
  });
  after(() => s.close());

  test('ENABLE answers what it enabled and only in the authenticated state', async () => {
    const c = await loggedIn(s);
    assert.deepEqual((await ok(c, 'ENABLE CONDSTORE X-UNKNOWN utf8=accept')).untagged, ['* ENABLED CONDSTORE UTF8=ACCEPT']);
    assert.deepEqual((await ok(c, 'ENABLE CONDSTORE')).untagged, ['* ENABLED']);
    await ok(c, 'SELECT INBOX');
    assert.match((await c.command('ENABLE QRESYNC')).tagged, /BAD/);
    c.close();
  });

  test('QRESYNC: SELECT reports VANISHED (EARLIER) and changed flags since a MODSEQ', async () => {
    const mb = () => s.context.store.mailboxes.get(s.accountId, 'INBOX')!;
    const since = mb().highestModSeq;
    const a = await loggedIn(s);
    await ok(a, 'SELECT INBOX');
    await ok(a, 'STORE 2 +FLAGS (\\Seen)');
    await ok(a, 'STORE 4 +FLAGS (\\Deleted)');
    await ok(a, 'EXPUNGE');
    const c = await loggedIn(s);
    assert.deepEqual((await ok(c, 'ENABLE QRESYNC')).untagged, ['* ENABLED QRESYNC']);
    const r = await ok(c, `SELECT INBOX (QRESYNC (${mb().uidValidity} ${since} 1:5))`);
    const tail = r.untagged.slice(-2);
    assert.equal(tail[0], '* VANISHED (EARLIER) 4');
    assert.match(tail[1]!, /^\* 2 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/);
    const wrong = await ok(c, `SELECT INBOX (QRESYNC (1 ${since}))`);
    assert.equal(wrong.untagged[0], '* OK [CLOSED] Previous mailbox closed');
    assert.ok(!wrong.untagged.some((l) => l.includes('VANISHED')), 'nothing for another UIDVALIDITY');
    // UID FETCH ... (CHANGEDSINCE m VANISHED)
    const f = await ok(c, `UID FETCH 1:* FLAGS (CHANGEDSINCE ${since} VANISHED)`);
    assert.equal(f.untagged[0], '* VANISHED (EARLIER) 4');
    assert.match(f.untagged[1]!, /^\* 2 FETCH \(UID 2 FLAGS \(\\Seen\) MODSEQ \(\d+\)\)$/);
    assert.match((await c.command(`FETCH 1:* FLAGS (CHANGEDSINCE ${since} VANISHED)`)).tagged, /BAD/);
    // Expunges reach a QRESYNC client as VANISHED.
    await ok(a, 'STORE 1 +FLAGS (\\Deleted)');
    await ok(a, 'EXPUNGE');
    const n = await ok(c, 'NOOP');
    assert.deepEqual(n.untagged, ['* VANISHED 1']);
    assert.equal(n.tagged, `${n.tagged.split(' ')[0]} OK [HIGHESTMODSEQ ${mb().highestModSeq}] NOOP completed`);
    await ok(c, 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    const e = await ok(c, 'EXPUNGE');
    assert.deepEqual(e.untagged, ['* VANISHED 2']);
    assert.match(e.tagged, new RegExp(`OK \\[HIGHESTMODSEQ ${mb().highestModSeq}\\] EXPUNGE completed`));
    const noq = await loggedIn(s);
    assert.match((await noq.command(`SELECT INBOX (QRESYNC (1 1))`)).tagged, /BAD/);
    a.close();
    c.close();
    noq.close();
  });

  test('CONDSTORE: FETCH CHANGEDSINCE and SELECT (CONDSTORE)', async () => {
    const c = await loggedIn(s);
    const r = await ok(c, 'SELECT INBOX (CONDSTORE)');
    const highest = Number(/HIGHESTMODSEQ (\d+)/.exec(r.text)![1]);
    await ok(c, 'STORE 1 +FLAGS.SILENT (\\Answered)');
    const f = await ok(c, `FETCH 1:* (FLAGS) (CHANGEDSINCE ${highest})`);
    assert.equal(f.untagged.length, 1);
    assert.match(f.untagged[0]!, /^\* 1 FETCH \(FLAGS \(\\Answered\) MODSEQ \(\d+\)\)$/);
    c.close();
  });

  test('COMPRESS=DEFLATE', async () => {
    const c = await loggedIn(s);
    const r = await c.command('COMPRESS DEFLATE');
    assert.equal(r.tagged, 'A2 OK DEFLATE active');
    c.startDeflate();
    const caps = await ok(c, 'CAPABILITY');
    assert.doesNotMatch(caps.untagged[0]!, /COMPRESS=DEFLATE/);
    await ok(c, 'SELECT INBOX');
    const f = await ok(c, 'FETCH 1 BODY.PEEK[HEADER.FIELDS (SUBJECT)]');
    assert.match(f.untagged[0]!, /Subject: test/);
    assert.match((await c.command('COMPRESS DEFLATE')).tagged, /NO \[COMPRESSIONACTIVE\]/);
    c.close();
  });

  test('ID in any state', async () => {
    const c = await loggedIn(s);
    assert.deepEqual((await ok(c, 'ID ("name" "test" "version" "1")')).untagged, ['* ID ("name" "homepost")']);
    assert.deepEqual((await ok(c, 'ID NIL')).untagged, ['* ID ("name" "homepost")']);
    assert.match((await c.command('ID ("odd")')).tagged, /BAD/);
    c.close();
  });
});
