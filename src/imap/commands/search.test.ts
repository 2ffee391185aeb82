// SEARCH keys, ESEARCH return options, SAVE and "$", CHARSET, MODSEQ.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, ok, startImapServer, type ImapTestServer, type RawClient } from '../../../test/imap/support.ts';
import { storeInternals } from '../../../test/support/temp-store.ts';
import { MIME_FORMAT_VERSION } from '../../mime/types.ts';
import { headersKey, metaKey } from '../../store/bodies.ts';
import type { BodyMetaRecord } from '../../store/records.ts';

const mail = (subject: string, from: string, date: string, body: string, extra = '') =>
  `From: ${from}\r\nTo: dev@example.test\r\nCc: carol@example.net\r\nSubject: ${subject}\r\nDate: ${date}\r\n${extra}\r\n${body}`;

describe('SEARCH', () => {
  let s: ImapTestServer;
  let c: RawClient;
  before(async () => {
    s = await startImapServer();
    const day = (d: number) => Date.UTC(2026, 5, d, 12);
    await s.deliver(mail('Quarterly report', 'Alice <alice@example.org>', 'Mon, 1 Jun 2026 09:00:00 +0000', 'numbers inside\r\n'), {
      flags: ['\\Seen'],
      internalDate: day(1),
    });
    await s.deliver(
      mail(
        '=?utf-8?q?Gr=C3=BC=C3=9Fe?=',
        'Bob <bob@example.org>',
        'Tue, 2 Jun 2026 09:00:00 +0000',
        'SGVsbG8gd8O2cmxk\r\n',
        'Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n',
      ),
      { flags: ['\\Flagged', '$Work'], internalDate: day(2) },
    );
    await s.deliver(mail('lunch', 'alice@example.org', '3 Jun 2026 23:30:00 -0500', `${'x'.repeat(2000)}\r\n`, 'X-Priority: 1\r\n'), {
      flags: ['\\Deleted', '\\Answered'],
      internalDate: day(3),
    });
    await s.deliver(mail('Re: lunch', 'dave@example.com', 'Thu, 4 Jun 2026 09:00:00 +0000', 'see you\r\n'), { internalDate: day(4) });
    c = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
  });
  after(async () => {
    c.close();
    await s.close();
  });

  const search = async (q: string) => (await ok(c, q)).untagged;

  test('flags, keywords, sizes, sets and logic', async () => {
    const cases: [string, string][] = [
      ['SEARCH ALL', '* SEARCH 1 2 3 4'],
      ['SEARCH SEEN', '* SEARCH 1'],
      ['SEARCH UNSEEN', '* SEARCH 2 3 4'],
      ['SEARCH FLAGGED KEYWORD $Work', '* SEARCH 2'],
      ['SEARCH UNKEYWORD $work', '* SEARCH 1 3 4'],
      ['SEARCH DELETED ANSWERED', '* SEARCH 3'],
      ['SEARCH UNDELETED UNANSWERED UNFLAGGED UNDRAFT', '* SEARCH 1 4'],
      ['SEARCH LARGER 1000', '* SEARCH 3'],
      ['SEARCH SMALLER 1000', '* SEARCH 1 2 4'],
      ['SEARCH OR SEEN FLAGGED', '* SEARCH 1 2'],
      ['SEARCH NOT (SEEN OR FLAGGED DELETED)', '* SEARCH 1 2 3 4'],
      ['SEARCH NOT (OR SEEN FLAGGED) NOT DELETED', '* SEARCH 4'],
      ['SEARCH 2:* UID 1:3', '* SEARCH 2 3'],
      ['UID SEARCH 4,1', '* SEARCH 1 4'],
      ['SEARCH RECENT', '* SEARCH 1 2 3 4'],
      ['SEARCH NEW', '* SEARCH 2 3 4'],
      ['SEARCH OLD', '* SEARCH'],
      ['SEARCH 3:9', '* SEARCH 3 4'],
    ];
    for (const [q, want] of cases) assert.deepEqual(await search(q), [want], q);
  });

  test('headers, bodies and text, decoded and case-insensitive', async () => {
    const cases: [string, string][] = [
      ['SEARCH FROM alice', '* SEARCH 1 3'],
      ['SEARCH FROM "BOB@EXAMPLE"', '* SEARCH 2'],
      ['SEARCH TO dev@example.test CC carol', '* SEARCH 1 2 3 4'],
      ['SEARCH BCC anyone', '* SEARCH'],
      ['SEARCH SUBJECT lunch', '* SEARCH 3 4'],
      ['SEARCH CHARSET UTF-8 SUBJECT {6}\r\ngrüße', '* SEARCH 2'],
      ['SEARCH BODY "WÖRLD"', '* SEARCH 2'],
      ['SEARCH BODY numbers', '* SEARCH 1'],
      ['SEARCH TEXT "see you"', '* SEARCH 4'],
      ['SEARCH TEXT carol', '* SEARCH 1 2 3 4'],
      ['SEARCH HEADER X-Priority ""', '* SEARCH 3'],
      ['SEARCH HEADER x-priority 2', '* SEARCH'],
    ];
    for (const [q, want] of cases) {
      if (q.includes('{6}')) {
        const tag = c.nextTag();
        c.write(`${tag} SEARCH CHARSET UTF-8 SUBJECT {${Buffer.byteLength('grüße')}+}\r\ngrüße\r\n`);
        const r = await c.until(tag);
        assert.deepEqual(r.untagged, [want], q);
        continue;
      }
      assert.deepEqual(await search(q), [want], q);
    }
  });

  test('dates: internal and sent, ignoring time and zone', async () => {
    const cases: [string, string][] = [
      ['SEARCH BEFORE 3-Jun-2026', '* SEARCH 1 2'],
      ['SEARCH ON 3-Jun-2026', '* SEARCH 3'],
      ['SEARCH SINCE "03-Jun-2026"', '* SEARCH 3 4'],
      ['SEARCH SENTON 3-Jun-2026', '* SEARCH 3'],
      ['SEARCH SENTBEFORE 2-Jun-2026', '* SEARCH 1'],
      ['SEARCH SENTSINCE 4-Jun-2026', '* SEARCH 4'],
    ];
    for (const [q, want] of cases) assert.deepEqual(await search(q), [want], q);
  });

  test('ESEARCH return options, SAVE and $', async () => {
    const tag = c.nextTag();
    c.write(`${tag} UID SEARCH RETURN (MIN MAX COUNT ALL) UNSEEN\r\n`);
    assert.deepEqual((await c.until(tag)).untagged, [`* ESEARCH (TAG "${tag}") UID MIN 2 MAX 4 ALL 2:4 COUNT 3`]);
    const t2 = c.nextTag();
    c.write(`${t2} SEARCH RETURN () FROM nobody\r\n`);
    assert.deepEqual((await c.until(t2)).untagged, [`* ESEARCH (TAG "${t2}")`]);
    assert.deepEqual(await search('SEARCH RETURN (SAVE) FROM alice'), []);
    assert.deepEqual(await search('SEARCH $'), ['* SEARCH 1 3']);
    assert.deepEqual((await ok(c, 'UID FETCH $ UID')).untagged, ['* 1 FETCH (UID 1)', '* 3 FETCH (UID 3)']);
    const t3 = c.nextTag();
    c.write(`${t3} SEARCH RETURN (SAVE MAX) ALL\r\n`);
    assert.deepEqual((await c.until(t3)).untagged, [`* ESEARCH (TAG "${t3}") MAX 4`], 'SAVE with MAX only saves the max');
    assert.deepEqual(await search('SEARCH $'), ['* SEARCH 4']);
  });

  test('CHARSET, MODSEQ and bad keys', async () => {
    const r = await c.command('SEARCH CHARSET KOI8-R ALL');
    assert.match(r.tagged, /NO \[BADCHARSET \(UTF-8 US-ASCII\)\]/);
    const m = await search('SEARCH MODSEQ 1');
    assert.match(m[0]!, /^\* SEARCH 1 2 3 4 \(MODSEQ \d+\)$/);
    for (const bad of ['SEARCH', 'SEARCH FOO', 'SEARCH (ALL', 'SEARCH BEFORE yesterday', 'SEARCH OR ALL', `SEARCH ${'NOT '.repeat(200)}ALL`]) {
      assert.match((await c.command(bad)).tagged, /BAD/, bad.slice(0, 40));
    }
  });

  test('IMAP4rev2 clients get ESEARCH', async () => {
    const d = await loggedIn(s);
    await ok(d, 'ENABLE IMAP4rev2');
    await ok(d, 'EXAMINE INBOX');
    const tag = d.nextTag();
    d.write(`${tag} SEARCH SUBJECT lunch\r\n`);
    assert.deepEqual((await d.until(tag)).untagged, [`* ESEARCH (TAG "${tag}") ALL 3:4`]);
    d.close();
  });
});

// RFC 9051 6.4.4 TEXT: "the header (including MIME header fields) or body of the message".
describe('SEARCH TEXT in MIME headers and encapsulated messages', () => {
  let s: ImapTestServer;
  let c: RawClient;
  before(async () => {
    s = await startImapServer();
    await s.deliver(
      [
        'From: a@example.org',
        'Subject: forwarded',
        'Content-Type: multipart/mixed; boundary=b',
        '',
        '--b',
        'Content-Type: application/pdf; name="report.pdf"',
        'Content-Transfer-Encoding: base64',
        '',
        'JVBERg==',
        '--b',
        'Content-Type: message/rfc822',
        '',
        'From: Carol <carol@example.net>',
        'Subject: =?utf-8?q?Gr=C3=BC=C3=9Fe?=',
        '',
        'inner text',
        '--b--',
        '',
      ].join('\r\n'),
    );
    await s.deliver('From: b@example.org\r\nSubject: plain\r\n\r\nnothing here\r\n');
    c = await loggedIn(s);
    await ok(c, 'EXAMINE INBOX');
  });
  after(async () => {
    c.close();
    await s.close();
  });

  test('MIME header fields and encapsulated headers match TEXT, not BODY', async () => {
    const cases: [string, string][] = [
      ['SEARCH TEXT "report.pdf"', '* SEARCH 1'],
      ['SEARCH TEXT content-transfer-encoding', '* SEARCH 1'],
      ['SEARCH TEXT carol', '* SEARCH 1'],
      ['SEARCH TEXT "grüsse"', '* SEARCH'],
      ['SEARCH BODY carol', '* SEARCH'],
      ['SEARCH BODY "inner text"', '* SEARCH 1'],
      ['SEARCH TEXT nothing', '* SEARCH 2'],
    ];
    for (const [q, want] of cases) assert.deepEqual((await ok(c, q)).untagged, [want], q);
    const tag = c.nextTag();
    c.write(`${tag} SEARCH CHARSET UTF-8 TEXT {${Buffer.byteLength('grüße')}+}\r\ngrüße\r\n`);
    assert.deepEqual((await c.until(tag)).untagged, ['* SEARCH 1'], 'encoded-words of an encapsulated header are decoded');
  });
});

// FROM, TO, CC, BCC, SUBJECT and SENT* read the header index stored with the parse.
describe('SEARCH from the header index', () => {
  let s: ImapTestServer;
  let c: RawClient;
  before(async () => {
    s = await startImapServer();
    await s.deliver('From: <user (the user)@ (at) example.org>\r\nSubject: comments\r\nDate: 3 Jun 2026 23:30:00 -0500\r\n\r\nx\r\n');
    await s.deliver('From: =?utf-8?q?J=C3=B6rg?= <joerg@example.org>\r\nTo: team: a@example.net, b@example.net;\r\nSubject: groups\r\n\r\nx\r\n');
    await s.deliver('From: other@example.org\r\nSubject: =?utf-8?q?caf=C3=A9?= Re: x\r\n\r\nx\r\n');
    c = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
  });
  after(async () => {
    c.close();
    await s.close();
  });

  test('addresses match in their parsed form, comments and quoting aside, and by display name', async () => {
    const cases: [string, string][] = [
      ['SEARCH FROM user@example.org', '* SEARCH 1'],
      ['SEARCH FROM "USER@EXAMPLE"', '* SEARCH 1'],
      ['SEARCH FROM "the user"', '* SEARCH'],
      ['SEARCH FROM "jörg <joerg@"', '* SEARCH 2'],
      ['SEARCH TO team', '* SEARCH 2'],
      ['SEARCH TO b@example.net', '* SEARCH 2'],
      ['SEARCH SUBJECT "café re"', '* SEARCH 3'],
      ['SEARCH SUBJECT ""', '* SEARCH 1 2 3'],
      ['SEARCH CC ""', '* SEARCH'],
      ['SEARCH SENTON 3-Jun-2026', '* SEARCH 1'],
      ['SEARCH SENTSINCE 4-Jun-2026', '* SEARCH'],
    ];
    for (const [q, want] of cases) {
      const literal = /[^\x00-\x7f]/.test(q);
      const r = literal
        ? await (async () => {
            const m = /^(.*?)"(.*)"$/.exec(q)!;
            const tag = c.nextTag();
            c.write(`${tag} ${m[1]}{${Buffer.byteLength(m[2]!)}+}\r\n${m[2]}\r\n`);
            return (await c.until(tag)).untagged;
          })()
        : (await ok(c, q)).untagged;
      assert.deepEqual(r, [want], q);
    }
  });

  test('a body stored by an older parser, without the index, is searched by the header record made from its raw header', async () => {
    const store = s.context.store;
    const { dbs } = storeInternals(store);
    const inbox = store.mailboxes.get(s.accountId, 'INBOX')!;
    const hash = store.messages.get(inbox.id, 1)!.hash;
    const meta = dbs.bodies.get(metaKey(hash)) as BodyMetaRecord;
    // As stored by a parser before the index existed.
    const parsed = { ...meta.parsed, version: MIME_FORMAT_VERSION - 1 };
    await dbs.bodies.put(metaKey(hash), { ...meta, parsed });
    assert.ok(!('headers' in store.bodies.parsed(hash)!), 'the stored parse does not repeat the header record');
    // Its header record as the store's migration makes it for such a body, from the raw header.
    await dbs.bodies.remove(headersKey(hash));
    await storeInternals(store).write(() => store.bodies.putHeaders(hash, parsed));
    assert.deepEqual((await ok(c, 'SEARCH FROM user@example.org SUBJECT comments SENTON 3-Jun-2026')).untagged, ['* SEARCH 1']);
  });

  test('ESEARCH MIN or MAX with MODSEQ reports the mod-sequence of the messages returned (RFC 7162 3.1.5)', async () => {
    await ok(c, 'STORE 2 +FLAGS (\\Flagged)');
    await ok(c, 'STORE 3 +FLAGS (\\Seen)');
    await ok(c, 'STORE 1 +FLAGS (\\Answered)');
    const modseq = new Map<number, number>();
    for (const line of (await ok(c, 'FETCH 1:3 (MODSEQ)')).untagged) {
      const m = /^\* (\d+) FETCH \(MODSEQ \((\d+)\)\)$/.exec(line)!;
      modseq.set(Number(m[1]), Number(m[2]));
    }
    assert.equal(new Set(modseq.values()).size, 3);
    const esearch = async (ret: string) => {
      const tag = c.nextTag();
      c.write(`${tag} SEARCH RETURN (${ret}) MODSEQ 1\r\n`);
      return (await c.until(tag)).untagged;
    };
    const cases: [string, number][] = [
      ['MIN', modseq.get(1)!],
      ['MAX', modseq.get(3)!],
      ['MIN MAX', Math.max(modseq.get(1)!, modseq.get(3)!)],
      ['COUNT', Math.max(...modseq.values())],
      ['MIN COUNT', Math.max(...modseq.values())],
    ];
    for (const [ret, want] of cases) {
      const [line] = await esearch(ret);
      assert.match(line!, new RegExp(` MODSEQ ${want}$`), `${ret}: ${line}`);
    }
  });
});

describe('SEARCH over more messages than one batch of records', () => {
  let s: ImapTestServer;
  let c: RawClient;
  const count = 300;
  before(async () => {
    s = await startImapServer();
    for (let n = 1; n <= count; n++)
      await s.deliver(mail(`m${n}`, 'a@example.org', 'Mon, 1 Jun 2026 09:00:00 +0000', 'x\r\n'), { flags: n % 3 ? [] : ['\\Seen'] });
    c = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
  });
  after(async () => {
    c.close();
    await s.close();
  });

  test('records are matched to their UIDs across batches and gaps; messages expunged since the view was taken match nothing', async () => {
    const store = s.context.store;
    const inbox = store.mailboxes.get(s.accountId, 'INBOX')!.id;
    const gone = [1, ...Array.from({ length: 40 }, (_, i) => 100 + i), 128, 129, 256, 299, 300];
    await store.messages.setFlags({ mailboxId: inbox, uids: gone, op: 'add', flags: ['\\Deleted'] });
    await store.messages.expunge({ mailboxId: inbox, onlyDeleted: true });
    const kept = Array.from({ length: count }, (_, i) => i + 1).filter((u) => !gone.includes(u));
    const seen = kept.filter((u) => u % 3 === 0);
    const unseen = kept.filter((u) => u % 3 !== 0);
    const hits = async (q: string) => (await ok(c, q)).untagged.filter((l) => l.startsWith('* SEARCH'));
    // The view still holds the expunged messages (SEARCH by sequence number cannot report them), at
    // their sequence numbers (their UIDs): they match nothing.
    assert.deepEqual(await hits('SEARCH SEEN SUBJECT m'), [`* SEARCH ${seen.join(' ')}`]);
    assert.deepEqual(await hits('SEARCH UNSEEN SUBJECT m'), [`* SEARCH ${unseen.join(' ')}`]);
    await ok(c, 'NOOP');
    assert.deepEqual(await hits('UID SEARCH SEEN SUBJECT m'), [`* SEARCH ${seen.join(' ')}`]);
    assert.deepEqual(await hits('UID SEARCH UNSEEN UID 250:260'), [`* SEARCH ${[250, 251, 253, 254, 257, 259, 260].join(' ')}`]);
  });
});
