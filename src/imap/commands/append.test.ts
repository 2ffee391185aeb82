// APPEND: APPENDUID, flags and date, literal forms, TRYCREATE, quota, and the size limit enforced
// on the announced size before any byte of the message is read.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, message, ok, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';

describe('APPEND', () => {
  let s: ImapTestServer;
  before(async () => (s = await startImapServer({ maxMessage: 4096 })));
  after(() => s.close());

  test('synchronizing literal, flags and date; OK only once stored; EXISTS to the selected session', async () => {
    const c = await loggedIn(s);
    const watcher = await loggedIn(s);
    await ok(watcher, 'SELECT Drafts');
    const m = message('draft');
    c.write(`A1 APPEND Drafts (\\Draft \\Seen) "05-Mar-2026 10:20:30 +0100" {${m.length}}\r\n`);
    assert.match(await c.line(), /^\+ /);
    c.write(`${m}\r\n`);
    const r = await c.until('A1');
    const uidValidity = s.context.store.mailboxes.get(s.accountId, 'Drafts')!.uidValidity;
    assert.equal(r.tagged, `A1 OK [APPENDUID ${uidValidity} 1] APPEND completed`);
    const mb = s.context.store.mailboxes.get(s.accountId, 'Drafts')!;
    const rec = s.context.store.messages.get(mb.id, 1)!;
    assert.deepEqual(rec.flags, ['\\Draft', '\\Seen']);
    assert.equal(rec.internalDate, Date.UTC(2026, 2, 5, 9, 20, 30));
    assert.equal(s.context.store.messages.body(rec.hash)!.toString(), m);
    assert.deepEqual((await ok(watcher, 'NOOP')).untagged, ['* 1 EXISTS', '* 1 RECENT']);
    c.close();
    watcher.close();
  });

  test('bare LF line ends are stored as CRLF, except in a literal8', async () => {
    const c = await loggedIn(s);
    const lf = 'Subject: lf\n\nline one\nline two\r\n';
    c.write(`L1 APPEND Junk {${lf.length}+}\r\n${lf}\r\n`);
    assert.match((await c.until('L1')).tagged, /^L1 OK/);
    const bin = Buffer.from('Subject: lf8\n\n\x00\n');
    c.write(Buffer.concat([Buffer.from(`L2 APPEND Junk ~{${bin.length}+}\r\n`), bin, Buffer.from('\r\n')]));
    assert.match((await c.until('L2')).tagged, /^L2 OK/);
    const mb = s.context.store.mailboxes.get(s.accountId, 'Junk')!;
    const body = (uid: number) => s.context.store.messages.body(s.context.store.messages.get(mb.id, uid)!.hash)!;
    assert.equal(body(1).toString(), 'Subject: lf\r\n\r\nline one\r\nline two\r\n');
    assert.deepEqual(body(2), bin);
    c.close();
  });

  test('LITERAL+ and literal8 need no continuation', async () => {
    const c = await loggedIn(s);
    const m = message('plus');
    c.write(`P1 APPEND INBOX {${m.length}+}\r\n${m}\r\n`);
    assert.match((await c.until('P1')).tagged, /^P1 OK \[APPENDUID \d+ 1\]/);
    const bin = Buffer.concat([Buffer.from('Subject: bin\r\n\r\n'), Buffer.from([0, 1, 2, 0xff]), Buffer.from('\r\n')]);
    c.write(Buffer.concat([Buffer.from(`P2 APPEND INBOX ~{${bin.length}+}\r\n`), bin, Buffer.from('\r\n')]));
    assert.match((await c.until('P2')).tagged, /^P2 OK \[APPENDUID \d+ 2\]/);
    c.close();
  });

  test('the UTF8 form of RFC 6855, only after ENABLE UTF8=ACCEPT', async () => {
    const c = await loggedIn(s);
    const m = Buffer.from('Subject: Grüße\r\n\r\nä\r\n');
    const send = (tag: string) => c.write(Buffer.concat([Buffer.from(`${tag} APPEND INBOX UTF8 (~{${m.length}+}\r\n`), m, Buffer.from(')\r\n')]));
    send('U1');
    assert.match((await c.until('U1')).tagged, /^U1 BAD/);
    await ok(c, 'ENABLE UTF8=ACCEPT');
    send('U2');
    const r = await c.until('U2');
    assert.match(r.tagged, /^U2 OK \[APPENDUID \d+ (\d+)\]/);
    const uid = Number(/APPENDUID \d+ (\d+)/.exec(r.tagged)![1]);
    const mb = s.context.store.mailboxes.get(s.accountId, 'INBOX')!;
    assert.deepEqual(s.context.store.messages.body(s.context.store.messages.get(mb.id, uid)!.hash), m);
    c.close();
  });

  test('TRYCREATE, an empty message, and bad syntax', async () => {
    const c = await loggedIn(s);
    c.write('T1 APPEND Nowhere {3+}\r\nabc\r\n');
    assert.match((await c.until('T1')).tagged, /^T1 NO \[TRYCREATE\]/);
    c.write('T2 APPEND INBOX {0+}\r\n\r\n');
    assert.match((await c.until('T2')).tagged, /^T2 NO/);
    assert.match((await c.command('APPEND INBOX "not a literal"')).tagged, /BAD/);
    assert.match((await c.command('APPEND INBOX (\\Recent) {1+}\r\nx')).tagged, /BAD/);
    c.close();
  });

  test('too large: a synchronizing literal is refused without a continuation, a non-synchronizing one is skipped', async () => {
    const c = await loggedIn(s);
    c.write('B1 APPEND INBOX {5000}\r\n');
    assert.equal(await c.line(), 'B1 NO [TOOBIG] Message too large');
    const big = 'x'.repeat(5000);
    c.write(`B2 APPEND INBOX {5000+}\r\n${big}\r\n`);
    assert.equal(await c.line(), 'B2 NO [TOOBIG] Message too large');
    // The skipped bytes were not taken as commands; the session goes on.
    assert.match((await c.command('NOOP')).tagged, /OK/);
    // A huge announced size costs nothing: it is refused at once.
    c.write('B3 APPEND INBOX {99999999999}\r\n');
    assert.equal(await c.line(), 'B3 NO [TOOBIG] Message too large');
    c.write('B4 LOGIN {300000}\r\n');
    assert.equal(await c.line(), 'B4 BAD [TOOBIG] Literal too large');
    assert.match((await c.command('NOOP')).tagged, /OK/);
    c.close();
  });

  test('over quota', async () => {
    await s.context.store.accounts.setQuota(s.user, 1);
    const c = await loggedIn(s);
    c.write('Q1 APPEND INBOX {3+}\r\nabc\r\n');
    assert.match((await c.until('Q1')).tagged, /^Q1 NO \[OVERQUOTA\]/);
    await s.context.store.accounts.setQuota(s.user, 0);
    c.close();
  });

  // RFC 3502 MULTIAPPEND: per-message flags and dates, synchronizing and LITERAL+ literals mixed,
  // one commit, APPENDUID with the UID set (RFC 4315 3).
  test('MULTIAPPEND: several messages in one command, one commit, APPENDUID with a UID set', async () => {
    await s.context.store.mailboxes.create(s.accountId, 'Multi');
    const c = await loggedIn(s);
    const watcher = await loggedIn(s);
    await ok(watcher, 'SELECT Multi');
    const [m1, m2, m3] = [message('multi 1'), message('multi 2'), message('multi 3')];
    const txn = s.context.store.lastTxnId();
    c.write(`M1 APPEND Multi (\\Seen) "05-Mar-2026 10:20:30 +0000" {${m1.length}}\r\n`);
    assert.match(await c.line(), /^\+ /);
    c.write(`${m1} {${m2.length}+}\r\n${m2} (\\Flagged $Work) {${m3.length}}\r\n`);
    assert.match(await c.line(), /^\+ /, 'each synchronizing literal is invited');
    c.write(`${m3}\r\n`);
    const r = await c.until('M1');
    const mb = s.context.store.mailboxes.get(s.accountId, 'Multi')!;
    assert.equal(r.tagged, `M1 OK [APPENDUID ${mb.uidValidity} 1:3] APPEND completed`);
    assert.equal(s.context.store.lastTxnId(), txn + 1, 'one commit');
    const recs = s.context.store.messages.list(mb.id);
    assert.deepEqual(
      recs.map((m) => [s.context.store.messages.body(m.hash)!.toString(), [...m.flags].sort()]),
      [
        [m1, ['\\Seen']],
        [m2, []],
        [m3, ['$Work', '\\Flagged']],
      ],
    );
    assert.equal(recs[0]!.internalDate, Date.UTC(2026, 2, 5, 10, 20, 30));
    assert.deepEqual((await ok(watcher, 'NOOP')).untagged.slice(0, 1), ['* 3 EXISTS']);
    c.close();
    watcher.close();
  });

  test('MULTIAPPEND is all or none: a bad message, quota or the size of the whole stores nothing', async () => {
    await s.context.store.mailboxes.create(s.accountId, 'None');
    const mb = () => s.context.store.mailboxes.get(s.accountId, 'None')!;
    const c = await loggedIn(s);
    const m = message('whole');
    const multi = (tag: string, ...bodies: string[]) => c.write(`${tag} APPEND None${bodies.map((b) => ` {${Buffer.byteLength(b)}+}\r\n${b}`).join('')}\r\n`);
    multi('N1', m, '');
    assert.match((await c.until('N1')).tagged, /^N1 NO \[CANNOT\]/);
    c.write(`N2 APPEND None {${m.length}+}\r\n${m} (\\Recent) {${m.length}+}\r\n${m}\r\n`);
    assert.match((await c.until('N2')).tagged, /^N2 BAD/);
    // Each fits the 4096-byte APPENDLIMIT; together they do not.
    multi('N3', m, 'x'.repeat(4000));
    assert.match((await c.until('N3')).tagged, /^N3 NO \[TOOBIG\]/);
    await s.context.store.accounts.setQuota(s.user, s.context.store.mailboxes.usedBytes(s.accountId) + m.length + 10);
    multi('N4', m, m);
    assert.match((await c.until('N4')).tagged, /^N4 NO \[OVERQUOTA\]/);
    await s.context.store.accounts.setQuota(s.user, 0);
    multi('N5', ...Array.from({ length: 101 }, () => 'Subject: x\r\n\r\n.\r\n'));
    assert.match((await c.until('N5')).tagged, /^N5 NO \[LIMIT\] At most 100 messages/);
    assert.match((await c.command('APPEND None {1+}\r\nx (\\Seen)')).tagged, /BAD/, 'flags without a message');
    assert.equal(mb().uidNext, 1, 'nothing stored');
    multi('N6', m, m);
    assert.match((await c.until('N6')).tagged, /^N6 OK \[APPENDUID \d+ 1:2\]/);
    c.close();
  });
});
