// SORT, UID SORT, ESORT (RFC 5256 3, RFC 5957, RFC 5267 3.2) and THREAD / UID THREAD (RFC 5256) over
// a real socket, on a mailbox whose messages order differently under each key.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { loggedIn, ok, startImapServer, type ImapTestServer, type RawClient } from '../../../test/imap/support.ts';
import { prng } from '../../../test/support/prng.ts';

const mail = (o: { from: string; to: string; cc?: string; subject: string; date?: string; id: string; refs?: string; body?: string }) =>
  [
    `From: ${o.from}`,
    `To: ${o.to}`,
    ...(o.cc ? [`Cc: ${o.cc}`] : []),
    `Subject: ${o.subject}`,
    ...(o.date ? [`Date: ${o.date}`] : []),
    `Message-ID: <${o.id}@example.test>`,
    ...(o.refs ? [`References: ${o.refs}`] : []),
    '',
    o.body ?? 'text',
    '',
  ].join('\r\n');

describe('SORT and THREAD', () => {
  let s: ImapTestServer;
  let c: RawClient;
  before(async () => {
    s = await startImapServer();
    const day = (d: number) => Date.UTC(2026, 5, d, 12);
    // 1: Zoe, to mike, dated 3 Jun; 2: "Re: lunch" from adam (display name Zed), no date; 3: lunch
    // from Bob, 1 Jun; 4: [list] Lunch reply with references, 2 Jun 23:00 -0500 (3 Jun 04:00 UTC).
    await s.deliver(
      mail({
        from: 'Zoe <zoe@example.test>',
        to: 'mike@example.test',
        subject: 'agenda',
        date: 'Wed, 3 Jun 2026 10:00:00 +0000',
        id: 'm1',
        body: 'x'.repeat(500),
      }),
      {
        internalDate: day(4),
      },
    );
    await s.deliver(
      mail({
        from: 'Zed <adam@example.test>',
        to: 'Anna <zack@example.test>',
        cc: 'carl@example.test',
        subject: 'Re: lunch',
        id: 'm2',
        refs: '<m3@example.test>',
      }),
      {
        internalDate: day(1),
      },
    );
    await s.deliver(
      mail({ from: 'bob@example.test', to: 'yves@example.test', subject: 'lunch', date: 'Mon, 1 Jun 2026 08:00:00 +0000', id: 'm3', body: 'y'.repeat(200) }),
      {
        internalDate: day(3),
      },
    );
    await s.deliver(
      mail({
        from: '"" <carl@example.test>',
        to: 'bea@example.test',
        cc: 'abe@example.test',
        subject: '[list] Re: Lunch',
        date: '2 Jun 2026 23:00:00 -0500',
        id: 'm4',
        refs: '<m3@example.test> <m2@example.test>',
      }),
      { internalDate: day(2) },
    );
    c = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
  });
  after(async () => {
    c.close();
    await s.close();
  });

  const untagged = async (q: string) => (await ok(c, q)).untagged;

  test('every sort key, REVERSE, several criteria, ties in mailbox order', async () => {
    const cases: [string, string][] = [
      ['SORT (ARRIVAL) UTF-8 ALL', '* SORT 2 4 3 1'],
      ['SORT (REVERSE ARRIVAL) UTF-8 ALL', '* SORT 1 3 4 2'],
      // no Date: INTERNALDATE (1 Jun 12:00) stands in; 4 is 3 Jun 04:00 UTC
      ['SORT (DATE) UTF-8 ALL', '* SORT 3 2 4 1'],
      ['SORT (FROM) UTF-8 ALL', '* SORT 2 3 4 1'],
      ['SORT (TO) UTF-8 ALL', '* SORT 4 1 3 2'],
      // no Cc sorts as the empty string, first
      ['SORT (CC) UTF-8 ALL', '* SORT 1 3 4 2'],
      ['SORT (SIZE) UTF-8 ALL', '* SORT 2 4 3 1'],
      ['SORT (SUBJECT) UTF-8 ALL', '* SORT 1 2 3 4'],
      ['SORT (SUBJECT REVERSE DATE) UTF-8 ALL', '* SORT 1 4 2 3'],
      // DISPLAYFROM: Zoe, Zed, bob@example.test, carl@example.test (empty name)
      ['SORT (DISPLAYFROM) UTF-8 ALL', '* SORT 3 4 2 1'],
      ['SORT (DISPLAYTO) UTF-8 ALL', '* SORT 2 4 1 3'],
      ['SORT (REVERSE SUBJECT) UTF-8 SUBJECT lunch', '* SORT 2 3 4'],
      ['UID SORT (DATE) US-ASCII 2:4', '* SORT 3 2 4'],
      ['SORT (SIZE) UTF-8 FROM nobody', '* SORT'],
    ];
    for (const [q, want] of cases) assert.deepEqual(await untagged(q), [want], q);
  });

  test('SORT of ALL by numbers (its own path) orders as the general path does: 300 messages with ties and gaps', async () => {
    const d = await loggedIn(s);
    await ok(d, 'CREATE Many');
    // Sent dates, arrival times and sizes drawn from few values, so that ties abound; some
    // messages have no Date (their INTERNALDATE stands in).
    const random = prng(7);
    const pick = (n: number) => Math.floor(random() * n);
    for (let i = 0; i < 300; i++) {
      const date = pick(4) === 0 ? undefined : `Mon, ${1 + pick(5)} Jun 2026 10:00:00 +0000`;
      await s.deliver(mail({ from: 'a@example.test', to: 'b@example.test', subject: `m${i}`, date, id: `many${i}`, body: 'z'.repeat(pick(3) * 100) }), {
        mailbox: 'Many',
        internalDate: Date.UTC(2026, 5, 1 + pick(6)),
      });
    }
    await ok(d, 'SELECT Many');
    await ok(d, 'STORE 10:20 +FLAGS (\\Deleted)');
    await ok(d, 'EXPUNGE');
    for (const criteria of ['DATE', 'REVERSE DATE', 'ARRIVAL', 'SIZE', 'REVERSE SIZE DATE', 'DATE REVERSE ARRIVAL SIZE']) {
      const fast = (await ok(d, `SORT (${criteria}) UTF-8 ALL`)).untagged;
      const general = (await ok(d, `SORT (${criteria}) UTF-8 UID 1:*`)).untagged;
      assert.equal(fast[0]!.split(' ').length, 2 + 289, criteria);
      assert.deepEqual(fast, general, criteria);
    }
    await ok(d, 'UNSELECT');
    await ok(d, 'DELETE Many');
    d.close();
  });

  test('THREAD of ALL (its own path) threads as the searched path, and leaves out what another session expunged', async () => {
    const d = await loggedIn(s);
    await ok(d, 'CREATE Threads');
    // More than a header-cache chunk (the first one is written by the first pass and read by the
    // later ones). References to earlier, later and absent messages; subjects shared, with and
    // without a reply marker; ties in date.
    const random = prng(11);
    const pick = (n: number) => Math.floor(random() * n);
    for (let i = 0; i < 300; i++) {
      const refs = Array.from({ length: pick(3) }, () => `<t${pick(320)}@example.test>`).join(' ');
      const subject = `${['', 'Re: ', 'Fwd: '][pick(3)]}${['plan', 'trip', 'notes', 'misc'][pick(4)]}`;
      const date = `Mon, ${1 + pick(4)} Jun 2026 10:00:00 +0000`;
      await s.deliver(mail({ from: 'a@example.test', to: 'b@example.test', subject, date, id: `t${i}`, refs: refs || undefined }), { mailbox: 'Threads' });
    }
    await ok(d, 'SELECT Threads');
    await ok(d, 'STORE 30:35 +FLAGS (\\Deleted)');
    await ok(d, 'EXPUNGE');
    const compare = async () => {
      for (const algorithm of ['REFERENCES', 'ORDEREDSUBJECT']) {
        const all = (await ok(d, `THREAD ${algorithm} UTF-8 ALL`)).untagged;
        assert.deepEqual(all, (await ok(d, `THREAD ${algorithm} UTF-8 1:*`)).untagged, algorithm);
        assert.deepEqual(
          (await ok(d, `UID THREAD ${algorithm} UTF-8 ALL`)).untagged,
          (await ok(d, `UID THREAD ${algorithm} UTF-8 UID 1:*`)).untagged,
          algorithm,
        );
      }
      return (await ok(d, 'THREAD REFERENCES UTF-8 ALL')).untagged[0]!;
    };
    const before = await compare();
    assert.equal(before.match(/\d+/g)!.length, 294);
    // Another session expunges message 50; this one has not been told (THREAD holds expunges).
    const e = await loggedIn(s);
    await ok(e, 'SELECT Threads');
    await ok(e, 'STORE 50 +FLAGS (\\Deleted)');
    await ok(e, 'EXPUNGE');
    e.close();
    const numbers = (await ok(d, 'THREAD REFERENCES UTF-8 ALL')).untagged[0]!.match(/\d+/g)!.map(Number);
    assert.equal(numbers.length, 293);
    assert.ok(!numbers.includes(50) && numbers.includes(51) && numbers.includes(294));
    await ok(d, 'UNSELECT');
    await ok(d, 'DELETE Threads');
    d.close();
  });

  test('ESORT: RETURN (MIN MAX COUNT ALL) in sort order, and MODSEQ', async () => {
    const tag = c.nextTag();
    c.write(`${tag} SORT RETURN (MIN MAX COUNT ALL) (REVERSE ARRIVAL) UTF-8 ALL\r\n`);
    assert.deepEqual((await c.until(tag)).untagged, [`* ESEARCH (TAG "${tag}") MIN 1 MAX 2 ALL 1,3:4,2 COUNT 4`]);
    const t2 = c.nextTag();
    c.write(`${t2} UID SORT RETURN () (ARRIVAL) UTF-8 2:4\r\n`);
    assert.deepEqual((await c.until(t2)).untagged, [`* ESEARCH (TAG "${t2}") UID ALL 2,4,3`]);
    const t3 = c.nextTag();
    c.write(`${t3} SORT RETURN (COUNT) (DATE) UTF-8 MODSEQ 1\r\n`);
    assert.match((await c.until(t3)).untagged[0]!, new RegExp(`^\\* ESEARCH \\(TAG "${t3}"\\) COUNT 4 MODSEQ \\d+$`));
    assert.match((await untagged('SORT (DATE) UTF-8 MODSEQ 1'))[0]!, /^\* SORT 3 2 4 1 \(MODSEQ \d+\)$/);
  });

  test('IMAP4rev2 clients get * SORT unless they ask for ESEARCH with RETURN', async () => {
    const d = await loggedIn(s);
    await ok(d, 'ENABLE IMAP4rev2');
    await ok(d, 'EXAMINE INBOX');
    assert.deepEqual((await ok(d, 'SORT (ARRIVAL) UTF-8 ALL')).untagged, ['* SORT 2 4 3 1']);
    const tag = d.nextTag();
    d.write(`${tag} SORT RETURN (COUNT) (ARRIVAL) UTF-8 ALL\r\n`);
    assert.deepEqual((await d.until(tag)).untagged, [`* ESEARCH (TAG "${tag}") COUNT 4`]);
    d.close();
  });

  test('THREAD REFERENCES and ORDEREDSUBJECT, by sequence number and UID', async () => {
    // 3 is the original, 2 replies to it and 4 to 2; 1 stands alone. Threads go by the sent date
    // of their first message: 3 (1 Jun) before 1 (3 Jun).
    assert.deepEqual(await untagged('THREAD REFERENCES UTF-8 ALL'), ['* THREAD (3 2 4)(1)']);
    assert.deepEqual(await untagged('UID THREAD REFERENCES UTF-8 NOT 2'), ['* THREAD (3 4)(1)']);
    // ORDEREDSUBJECT: "lunch" thread 3 (1 Jun 08:00), 2 (1 Jun 12:00), 4 (3 Jun 04:00)
    assert.deepEqual(await untagged('THREAD ORDEREDSUBJECT UTF-8 ALL'), ['* THREAD (3 (2)(4))(1)']);
    assert.deepEqual(await untagged('THREAD ORDEREDSUBJECT UTF-8 FROM nobody'), ['* THREAD']);
  });

  test('syntax errors are BAD, an unknown charset NO [BADCHARSET]', async () => {
    for (const bad of [
      'SORT () UTF-8 ALL',
      'SORT (NAME) UTF-8 ALL',
      'SORT (DATE) ALL',
      'SORT RETURN (PARTIAL 1:5) (DATE) UTF-8 ALL',
      'THREAD UTF-8 ALL',
      'THREAD FOO UTF-8 ALL',
    ]) {
      assert.match((await c.command(bad)).tagged, /BAD/, bad);
    }
    assert.match((await c.command('THREAD REFERENCES KOI8-R ALL')).tagged, /NO \[BADCHARSET/);
  });

  test('the capabilities are announced', async () => {
    const caps = (await untagged('CAPABILITY'))[0]!.split(' ');
    for (const cap of ['SORT', 'SORT=DISPLAY', 'ESORT', 'THREAD=ORDEREDSUBJECT', 'THREAD=REFERENCES']) assert.ok(caps.includes(cap), cap);
  });
});
