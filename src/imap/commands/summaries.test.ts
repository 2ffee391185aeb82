// SEARCH, SORT, THREAD and FETCH ENVELOPE on a mailbox larger than a header-cache chunk
// (src/store/header-cache.ts): the first pass reads the bodies and fills the cache, the second
// reads the cache, and both answer the same, over a real socket.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { storeInternals } from '../../../test/support/temp-store.ts';
import { loggedIn, ok, startImapServer, type ImapTestServer, type RawClient } from '../../../test/imap/support.ts';
import { CHUNK_PARTS, CHUNK_UIDS } from '../../store/header-cache.ts';

const COUNT = CHUNK_UIDS + 44;
// Message n: every seventh about apples, replies to the one before it every third, dates out of
// UID order, and some without a Date (INTERNALDATE stands in) or with a display name.
const mail = (n: number) =>
  [
    `From: ${n % 5 ? `Sender ${n % 13}` : ''} <s${n % 13}@example.test>`,
    `To: r${n % 4}@example.test`,
    `Subject: ${n % 3 === 0 ? 'Re: ' : ''}${n % 7 === 0 ? 'apples' : `topic ${n % 11}`}`,
    ...(n % 9 ? [`Date: ${new Date(Date.UTC(2026, 0, 1 + ((n * 37) % 300))).toUTCString()}`] : []),
    `Message-ID: <m${n}@example.test>`,
    ...(n % 3 === 0 ? [`References: <m${n - 1}@example.test>`] : []),
    '',
    `text ${n}`,
    '',
  ].join('\r\n');

describe('answers from the header cache', () => {
  let s: ImapTestServer;
  let c: RawClient;
  before(async () => {
    s = await startImapServer();
    for (let n = 1; n <= COUNT; n++) await s.deliver(mail(n), { internalDate: Date.UTC(2026, 5, 1, 0, n) });
    c = await loggedIn(s);
    await ok(c, 'SELECT INBOX');
  });
  after(async () => {
    c.close();
    await s.close();
  });

  test('the same before and after the cache fills, and as the messages say', async () => {
    const commands = [
      'SEARCH SUBJECT apples',
      'SEARCH FROM s3@example.test SENTSINCE 1-Mar-2026',
      'SORT (DATE SUBJECT) UTF-8 ALL',
      'SORT (DISPLAYFROM REVERSE ARRIVAL) UTF-8 ALL',
      'THREAD REFERENCES UTF-8 ALL',
      'FETCH 1:* ENVELOPE',
    ];
    const run = async () => {
      const out: string[][] = [];
      for (const q of commands) out.push((await ok(c, q)).untagged);
      return out;
    };
    const first = await run();
    const dbs = storeInternals(s.context.store).dbs;
    const inbox = s.context.store.mailboxes.get(s.accountId, 'INBOX')!.id;
    // A write of the cache lands after the command; a later write commits after it.
    await storeInternals(s.context.store).write(() => undefined);
    assert.deepEqual(
      [...dbs.headerCache.getKeys({ start: [inbox], end: [inbox + 1] })],
      Array.from({ length: CHUNK_PARTS }, (_, part) => [inbox, 0, part]),
      'the closed chunk was written, each of its parts',
    );
    assert.deepEqual(await run(), first);

    const apples = Array.from({ length: COUNT }, (_, i) => i + 1).filter((n) => n % 7 === 0);
    assert.deepEqual(first[0], [`* SEARCH ${apples.join(' ')}`]);
    assert.equal(first[5]!.length, COUNT);
    assert.match(first[5]![6]!, /^\* 7 FETCH \(ENVELOPE \(".*" "apples" \(\("Sender 7" NIL "s7" "example.test"\)\)/);
    const sorted = first[2]![0]!.split(' ').slice(2).map(Number);
    assert.equal(sorted.length, COUNT);
  });
});
