// EXPUNGE and UID EXPUNGE, and the RFC 9051 7.5.1 rule: no EXPUNGE while answering FETCH, STORE or
// SEARCH; the sequence numbers a client holds stay valid until the expunge is reported.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, message, ok, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';

describe('EXPUNGE', () => {
  let s: ImapTestServer;
  before(async () => {
    s = await startImapServer();
    for (let i = 1; i <= 6; i++) await s.deliver(message(i), { flags: i === 2 || i === 3 || i === 5 ? ['\\Deleted'] : [] });
  });
  after(() => s.close());

  test('each removal is reported with the sequence number it has at that moment', async () => {
    const c = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
    const u = await ok(c, 'UID EXPUNGE 5:6');
    assert.deepEqual(u.untagged, ['* 5 EXPUNGE']);
    const r = await ok(c, 'EXPUNGE');
    assert.deepEqual(r.untagged, ['* 2 EXPUNGE', '* 2 EXPUNGE']);
    const f = await ok(c, 'FETCH 1:* UID');
    assert.deepEqual(f.untagged, ['* 1 FETCH (UID 1)', '* 2 FETCH (UID 4)', '* 3 FETCH (UID 6)']);
    c.close();
  });

  test('an expunge by another session waits during FETCH, STORE and SEARCH', async () => {
    const a = await loggedIn(s);
    const b = await loggedIn(s);
    await ok(a, 'SELECT INBOX');
    await ok(b, 'SELECT INBOX');
    await ok(b, 'STORE 1 +FLAGS.SILENT (\\Deleted)');
    await ok(b, 'EXPUNGE');
    // Message 1 is gone from the store; a still numbers it 1.
    const f = await a.command('FETCH 1:3 UID');
    assert.deepEqual(f.untagged, ['* 2 FETCH (UID 4)', '* 3 FETCH (UID 6)']);
    assert.match(f.tagged, /NO \[EXPUNGEISSUED\]/);
    const st = await ok(a, 'STORE 3 +FLAGS (\\Seen)');
    assert.deepEqual(st.untagged, ['* 3 FETCH (FLAGS (\\Seen))']);
    const se = await ok(a, 'SEARCH ALL');
    assert.deepEqual(se.untagged, ['* SEARCH 2 3']);
    const n = await ok(a, 'NOOP');
    assert.deepEqual(n.untagged, ['* 1 EXPUNGE']);
    assert.deepEqual((await ok(a, 'FETCH 1:* UID')).untagged, ['* 1 FETCH (UID 4)', '* 2 FETCH (UID 6)']);
    a.close();
    b.close();
  });

  test('UID FETCH skips what another session expunged and reports the expunge', async () => {
    const a = await loggedIn(s);
    const b = await loggedIn(s);
    await ok(a, 'SELECT INBOX');
    await ok(b, 'SELECT INBOX');
    const uids = (await ok(a, 'UID SEARCH ALL')).untagged[0]!.split(' ').slice(2).map(Number);
    await ok(b, `UID STORE ${uids[0]} +FLAGS.SILENT (\\Deleted)`);
    await ok(b, 'EXPUNGE');
    const f = await a.command(`UID FETCH ${uids.join(',')} UID`);
    assert.match(f.tagged, /^\S+ OK/);
    assert.deepEqual(f.untagged, [...uids.slice(1).map((u, i) => `* ${i + 2} FETCH (UID ${u})`), '* 1 EXPUNGE']);
    a.close();
    b.close();
  });

  test('EXPUNGE in a read-only mailbox is refused', async () => {
    const c = await loggedIn(s);
    await ok(c, 'EXAMINE INBOX');
    assert.match((await c.command('EXPUNGE')).tagged, /NO \[READ-ONLY\]/);
    c.close();
  });
});
