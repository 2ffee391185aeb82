// FETCH: ENVELOPE and BODYSTRUCTURE from the stored parse, sections and partials, BINARY, and
// \Seen set by BODY[] in one commit while read paths write nothing.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, ok, startImapServer, type ImapTestServer } from '../../../test/imap/support.ts';

const NESTED =
  'From: "Bob B." <bob@example.org>\r\nTo: a@example.test, "Group": c@example.test;\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n' +
  'Date: Fri, 27 Nov 2026 10:00:00 +0100\r\nMessage-ID: <n@example.org>\r\nMIME-Version: 1.0\r\n' +
  'Content-Type: multipart/mixed; boundary="outer"\r\n\r\npreamble\r\n--outer\r\nContent-Type: text/plain; charset=utf-8\r\n' +
  'Content-Transfer-Encoding: quoted-printable\r\n\r\ncaf=C3=A9\r\n--outer\r\nContent-Type: message/rfc822\r\n' +
  'Content-Disposition: attachment; filename="fw.eml"\r\n\r\nFrom: carol@example.org\r\nSubject: inner\r\n\r\ninner body\r\n' +
  '--outer\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--outer--\r\n';

const SIMPLE = 'From: alice@example.org\r\nSubject: simple\r\n\r\nline one\r\nline two\r\n';

describe('FETCH', () => {
  let s: ImapTestServer;
  before(async () => {
    s = await startImapServer();
    await s.deliver(SIMPLE, { internalDate: Date.UTC(2026, 0, 2, 3, 4, 5) });
    await s.deliver(NESTED);
    await s.deliver(SIMPLE.replace('simple', 'third'));
  });
  after(() => s.close());

  // Line counts are line breaks: "caf=C3=A9" and "inner body" run into the delimiter's CRLF.
  test('ENVELOPE, BODYSTRUCTURE and BODY', async () => {
    const c = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
    const r = await ok(c, 'FETCH 2 (ENVELOPE BODYSTRUCTURE BODY)');
    assert.deepEqual(r.untagged, [
      '* 2 FETCH (ENVELOPE ("Fri, 27 Nov 2026 10:00:00 +0100" "=?utf-8?q?caf=C3=A9?=" (("Bob B." NIL "bob" "example.org")) ' +
        '(("Bob B." NIL "bob" "example.org")) (("Bob B." NIL "bob" "example.org")) ((NIL NIL "a" "example.test")(NIL NIL "Group" NIL)' +
        '(NIL NIL "c" "example.test")(NIL NIL NIL NIL)) NIL NIL NIL "<n@example.org>") ' +
        'BODYSTRUCTURE (("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 9 0 NIL NIL NIL NIL)' +
        '("message" "rfc822" NIL NIL NIL "7bit" 53 (NIL "inner" ((NIL NIL "carol" "example.org")) ((NIL NIL "carol" "example.org")) ' +
        '((NIL NIL "carol" "example.org")) NIL NIL NIL NIL NIL) ("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0 NIL NIL NIL NIL) 3 NIL ' +
        '("attachment" ("filename" "fw.eml")) NIL NIL)("application" "octet-stream" NIL NIL NIL "base64" 4 NIL NIL NIL NIL) ' +
        '"mixed" ("boundary" "outer") NIL NIL NIL) ' +
        'BODY (("text" "plain" ("charset" "utf-8") NIL NIL "quoted-printable" 9 0)("message" "rfc822" NIL NIL NIL "7bit" 53 ' +
        '(NIL "inner" ((NIL NIL "carol" "example.org")) ((NIL NIL "carol" "example.org")) ((NIL NIL "carol" "example.org")) NIL NIL NIL NIL NIL) ' +
        '("text" "plain" ("charset" "us-ascii") NIL NIL "7bit" 10 0) 3)("application" "octet-stream" NIL NIL NIL "base64" 4) "mixed"))',
    ]);
    c.close();
  });

  test('sections, partials, BINARY and the RFC822 items', async () => {
    const c = await loggedIn(s);
    await ok(c, 'EXAMINE INBOX');
    const r = await ok(
      c,
      'FETCH 2 (BODY.PEEK[1] BODY.PEEK[2.HEADER] BODY.PEEK[2.TEXT] BODY.PEEK[2.MIME] BODY.PEEK[3]<1.2> BINARY.PEEK[1] BINARY.SIZE[3] BODY.PEEK[9] BODY.PEEK[HEADER.FIELDS.NOT (To From Date Message-ID MIME-Version Content-Type)])',
    );
    assert.equal(
      r.untagged[0],
      '* 2 FETCH (BODY[1] {9}\r\ncaf=C3=A9 BODY[2.HEADER] {43}\r\nFrom: carol@example.org\r\nSubject: inner\r\n\r\n BODY[2.TEXT] {10}\r\ninner body ' +
        'BODY[2.MIME] {84}\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment; filename="fw.eml"\r\n\r\n BODY[3]<1> {2}\r\nAE ' +
        'BINARY[1] {5}\r\ncafé BINARY.SIZE[3] 3 BODY[9] {0}\r\n BODY[HEADER.FIELDS.NOT (TO FROM DATE MESSAGE-ID MIME-VERSION CONTENT-TYPE)] {34}\r\nSubject: =?utf-8?q?caf=C3=A9?=\r\n\r\n)',
    );
    const bin = await ok(c, 'FETCH 2 BINARY.PEEK[3]');
    assert.equal(bin.untagged[0], '* 2 FETCH (BINARY[3] ~{3}\r\n\0\x01\x02)');
    const rfc = await ok(c, 'FETCH 1 (RFC822.HEADER RFC822.SIZE INTERNALDATE RFC822.TEXT)');
    assert.equal(
      rfc.untagged[0],
      '* 1 FETCH (RFC822.HEADER {44}\r\nFrom: alice@example.org\r\nSubject: simple\r\n\r\n RFC822.SIZE 64 INTERNALDATE "02-Jan-2026 03:04:05 +0000" RFC822.TEXT {20}\r\nline one\r\nline two\r\n)',
    );
    const macro = await ok(c, 'FETCH 1 FAST');
    assert.equal(macro.untagged[0], '* 1 FETCH (FLAGS () INTERNALDATE "02-Jan-2026 03:04:05 +0000" RFC822.SIZE 64)');
    c.close();
  });

  test('BODY[] sets \\Seen in one commit and reports FLAGS; PEEK and FLAGS fetches write nothing', async () => {
    const c = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
    const store = s.context.store;
    const before = store.lastTxnId();
    await ok(c, 'FETCH 1:3 (FLAGS BODY.PEEK[HEADER] ENVELOPE BODYSTRUCTURE)');
    await ok(c, 'UID FETCH 1:* (RFC822.SIZE BINARY.PEEK[1])');
    assert.equal(store.lastTxnId(), before, 'read paths do not write');
    const r = await ok(c, 'FETCH 1:3 BODY[]<0.4>');
    assert.equal(store.lastTxnId(), before + 1, 'one commit for three messages');
    assert.deepEqual(
      r.untagged.map((l) => l.replace(/\{4\}\r\n.{4}/s, 'X')),
      ['* 1 FETCH (BODY[]<0> X FLAGS (\\Seen))', '* 2 FETCH (BODY[]<0> X FLAGS (\\Seen))', '* 3 FETCH (BODY[]<0> X FLAGS (\\Seen))'],
    );
    const again = await ok(c, 'FETCH 1 BODY[TEXT]');
    assert.equal(again.untagged[0], '* 1 FETCH (BODY[TEXT] {20}\r\nline one\r\nline two\r\n)');
    assert.equal(store.lastTxnId(), before + 1, 'already \\Seen: nothing to write');
    c.close();
  });

  test('a large message goes out byte for byte, whole and in parts', async () => {
    const body = Buffer.alloc(3 * 1024 * 1024);
    for (let i = 0; i < body.length; i++) body[i] = 0x41 + (i % 26);
    for (let i = 76; i < body.length; i += 78) {
      body[i] = 0x0d;
      body[i + 1] = 0x0a;
    }
    const raw = Buffer.concat([Buffer.from('Subject: big\r\n\r\n'), body]);
    const uid = await s.deliver(raw);
    const c = await loggedIn(s);
    await ok(c, 'EXAMINE INBOX');
    const r = await ok(c, `UID FETCH ${uid} (BODY.PEEK[] BODY.PEEK[TEXT]<1000000.10>)`);
    const line = r.untagged[0]!;
    const head = `* ${uid} FETCH (UID ${uid} BODY[] {${raw.length}}\r\n`;
    assert.ok(line.startsWith(head));
    assert.ok(Buffer.from(line.slice(head.length, head.length + raw.length), 'latin1').equals(raw));
    assert.equal(line.slice(head.length + raw.length), ` BODY[TEXT]<1000000> {10}\r\n${body.subarray(1000000, 1000010).toString()})`);
    c.close();
  });

  test('UID FETCH puts UID first and ignores missing UIDs; bad sets and items are BAD', async () => {
    const c = await loggedIn(s);
    await ok(c, 'EXAMINE INBOX');
    const r = await ok(c, 'UID FETCH 2,9:20 FLAGS');
    assert.deepEqual(r.untagged, ['* 2 FETCH (UID 2 FLAGS (\\Seen))']);
    const star = await ok(c, 'UID FETCH 100:* UID');
    assert.deepEqual(star.untagged, ['* 4 FETCH (UID 4)'], 'n:* names the highest UID even when n is larger');
    for (const bad of [
      'FETCH 5 FLAGS',
      'FETCH 0 FLAGS',
      'FETCH 1 (FLAGS',
      'FETCH 1 BODY[4.FOO]',
      'FETCH 1 BODY[HEADER.FIELDS ()]',
      'FETCH 1 NOPE',
      'FETCH 1 BINARY[TEXT]',
      'FETCH 1 BODY[]<1>',
    ]) {
      assert.match((await c.command(bad)).tagged, /BAD/, bad);
    }
    c.close();
  });

  test("another session's new keyword: announced before the FETCH that shows it, and not reported again after it", async () => {
    const a = await loggedIn(s);
    const b = await loggedIn(s);
    await ok(a, 'SELECT INBOX (CONDSTORE)');
    await ok(b, 'SELECT INBOX');
    await ok(b, 'STORE 3 +FLAGS ($FromB)');
    const r = await ok(a, 'FETCH 3 (FLAGS MODSEQ)');
    assert.equal(r.untagged.length, 3, r.text);
    assert.match(r.untagged[0]!, /^\* FLAGS \(.*\$FromB\)$/);
    assert.match(r.untagged[1]!, /^\* OK \[PERMANENTFLAGS \(.*\$FromB \\\*\)\]/);
    assert.match(r.untagged[2]!, /^\* 3 FETCH \(FLAGS \(.*\$FromB\) MODSEQ \(\d+\)\)$/);
    assert.deepEqual((await ok(a, 'NOOP')).untagged, []);
    a.close();
    b.close();
  });
});

// An empty body, an empty leaf part, and RFC 2231 parameters (one with a "'" in its value).
const EMPTY_BODY = 'From: alice@example.org\r\nSubject: empty\r\n\r\n';
const EMPTY_PART_2231 =
  'From: alice@example.org\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n' +
  '--x\r\nContent-Type: text/plain\r\n\r\n\r\n--x\r\n' +
  "Content-Type: application/pdf; name*0*=utf-8''%E2%82%AC%20O'Brien; name*1*=%27s.pdf\r\n" +
  'Content-Disposition: attachment; filename="fallback.pdf"; filename*=UTF-8\'\'%C3%A9t%C3%A9.pdf\r\n' +
  'Content-Transfer-Encoding: base64\r\n\r\nAAEC\r\n--x--\r\n';

describe('FETCH: empty sections and RFC 2231 parameters', () => {
  let s: ImapTestServer;
  before(async () => {
    s = await startImapServer();
    await s.deliver(EMPTY_BODY);
    await s.deliver(EMPTY_PART_2231);
  });
  after(() => s.close());

  // RFC 9051 4.3 allows "" or {0}; a body section goes as a literal, as Dovecot sends it.
  test('an empty section is the literal {0}, BINARY too', async () => {
    const c = await loggedIn(s);
    await ok(c, 'EXAMINE INBOX');
    const empty = await ok(c, 'FETCH 1 (BODY.PEEK[TEXT] BODY.PEEK[1] BINARY.PEEK[1] BINARY.SIZE[1] BODY.PEEK[]<500.10> RFC822.TEXT)');
    assert.equal(
      empty.untagged[0],
      '* 1 FETCH (BODY[TEXT] {0}\r\n BODY[1] {0}\r\n BINARY[1] {0}\r\n BINARY.SIZE[1] 0 BODY[]<500> {0}\r\n RFC822.TEXT {0}\r\n)',
    );
    const part = await ok(c, 'FETCH 2 (BODY.PEEK[1] BINARY.PEEK[1] BODY.PEEK[2]<4.10> BODY.PEEK[3])');
    assert.equal(part.untagged[0], '* 2 FETCH (BODY[1] {0}\r\n BINARY[1] {0}\r\n BODY[2]<4> {0}\r\n BODY[3] {0}\r\n)');
    c.close();
  });

  test('RFC 2231 values: charset-encoded again without UTF8=ACCEPT, plain UTF-8 with it', async () => {
    const c = await loggedIn(s);
    await ok(c, 'EXAMINE INBOX');
    const params = (line: string) => line.match(/\("(?:file)?name\*?" [^)]*\)/g);
    const bare = await ok(c, 'FETCH 2 BODYSTRUCTURE');
    assert.ok(/^[\x20-\x7e]*$/.test(bare.untagged[0]!), '7-bit');
    assert.deepEqual(params(bare.untagged[0]!), [
      `("name*" "utf-8''%E2%82%AC%20O%27Brien%27s.pdf")`,
      `("filename" "fallback.pdf" "filename*" "utf-8''%C3%A9t%C3%A9.pdf")`,
    ]);
    await ok(c, 'UNSELECT');
    await ok(c, 'ENABLE UTF8=ACCEPT');
    await ok(c, 'EXAMINE INBOX');
    const utf8 = await ok(c, 'FETCH 2 BODY');
    assert.deepEqual(params(utf8.untagged[0]!), [`("name" "€ O'Brien's.pdf")`]);
    const ext = await ok(c, 'FETCH 2 BODYSTRUCTURE');
    assert.deepEqual(params(ext.untagged[0]!), [`("name" "€ O'Brien's.pdf")`, `("filename" "été.pdf")`]);
    c.close();
  });
});

// A FETCH of indexed items over more than one batch of lines (fetch-indexed.ts): every message
// once, in order, and a keyword first seen on a message in the middle announced right before it.
describe('FETCH of indexed items over many messages', () => {
  const COUNT = 2_000;
  let s: ImapTestServer;
  before(async () => {
    s = await startImapServer();
    await Promise.all(Array.from({ length: COUNT }, (_, i) => s.deliver(SIMPLE.replace('simple', `message ${i + 1}`))));
  });
  after(() => s.close());

  test('lines in sequence order across batches; the new keyword announced between them', async () => {
    const a = await loggedIn(s);
    const b = await loggedIn(s);
    await ok(a, 'SELECT INBOX');
    await ok(b, 'SELECT INBOX');
    await ok(b, 'STORE 1500 +FLAGS ($Late)');
    const r = await ok(a, 'FETCH 1:* (UID FLAGS)');
    assert.equal(r.untagged.length, COUNT + 2);
    assert.match(r.untagged[1499]!, /^\* FLAGS \(.*\$Late\)$/);
    assert.match(r.untagged[1500]!, /^\* OK \[PERMANENTFLAGS \(.*\$Late \\\*\)\]/);
    const fetched = r.untagged.filter((l) => l.includes(' FETCH '));
    assert.deepEqual(
      fetched.map((l) => Number(/^\* (\d+) FETCH/.exec(l)?.[1])),
      Array.from({ length: COUNT }, (_, i) => i + 1),
    );
    assert.equal(fetched[1499], '* 1500 FETCH (UID 1500 FLAGS ($Late \\Recent))');
    a.close();
    b.close();
  });
});

// A FETCH of bodies over many messages reads them ahead on lmdb-js's threads, several reads in
// flight (store/read-ahead.ts): every message comes once, in order, with its exact bytes, across
// reads and with a large one among them; and one large message alone is read the same way.
describe('FETCH of bodies over many messages', () => {
  const COUNT = 70;
  const LARGE = 7;
  const bodyOf = (n: number) => SIMPLE.replace('simple', `message ${n}`) + (n === LARGE ? `${'x'.repeat(998)}\r\n`.repeat(100) : `body of ${n}\r\n`);
  let s: ImapTestServer;
  before(async () => {
    s = await startImapServer();
    for (let n = 1; n <= COUNT; n++) await s.deliver(bodyOf(n));
  });
  after(() => s.close());

  test('every body once, in order, exact', async () => {
    const c = await loggedIn(s);
    await ok(c, 'EXAMINE INBOX');
    const r = await ok(c, 'FETCH 1:* (UID BODY.PEEK[])');
    assert.deepEqual(
      r.untagged,
      Array.from({ length: COUNT }, (_, i) => `* ${i + 1} FETCH (UID ${i + 1} BODY[] {${Buffer.byteLength(bodyOf(i + 1))}}\r\n${bodyOf(i + 1)})`),
    );
    const one = await ok(c, `FETCH ${LARGE} (BODY.PEEK[])`);
    assert.ok(Buffer.byteLength(bodyOf(LARGE)) > 64 * 1024);
    assert.deepEqual(one.untagged, [`* ${LARGE} FETCH (BODY[] {${Buffer.byteLength(bodyOf(LARGE))}}\r\n${bodyOf(LARGE)})`]);
    c.close();
  });
});
