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
});
