import assert from 'node:assert/strict';
import { test } from 'node:test';
import { message, storeInternals, storeWithAccount } from '../../test/support/temp-store.ts';
import { MIME_FORMAT_VERSION } from '../mime/index.ts';
import { ThreadKeys } from '../mime/thread-key.ts';
import { PARSED_SINCE } from './bodies.ts';
import { CHUNK_PARTS, CHUNK_UIDS, encodeChunk, readChunk, writeChunk, type MessageSummary } from './header-cache.ts';
import type { HeaderRecord } from './header-records.ts';
import type { Store } from './store.ts';

// Every third message has its own Sender and Reply-To, an encoded subject and a Message-ID with a
// comment, so that the envelope differs from the header record's fields.
const varied = (n: string, i: number) =>
  i % 3
    ? message(n)
    : Buffer.from(
        `From: Alice <alice@example.org>\r\nSender: Bob <bob@example.org>\r\nReply-To: list@example.org\r\nTo: user@example.test\r\n` +
          `Subject: =?utf-8?q?caf=C3=A9_${i}?=\r\nMessage-ID: (note) <${i}@example.org>\r\n\r\nbody ${i}\r\n`,
      );

async function mailboxWith(store: Store, accountId: number, name: string, count: number): Promise<number> {
  const mailboxId = (await store.mailboxes.create(accountId, name)).id;
  for (let at = 0; at < count; at += 100) {
    const n = Math.min(100, count - at);
    await store.messages.appendMany({
      mailboxId,
      messages: Array.from({ length: n }, (_, i) => ({ raw: varied(`${name} ${at + i}`, at + i), internalDate: 1e12 + at + i })),
    });
  }
  return mailboxId;
}

// The summaries of every UID of the mailbox read in one pass; `record` is what the reader asks for.
function pass(store: Store, mailboxId: number, uids: number[], record: (uid: number) => ReturnType<Store['messages']['get']>) {
  const reader = store.messages.summaries(mailboxId);
  const out = uids.map((uid) => reader.get(uid, () => record(uid)));
  reader.close();
  return out;
}

const plainHeaders = (h: HeaderRecord) => ({
  subject: h.subject,
  baseSubject: h.baseSubject,
  reply: h.reply,
  date: h.date,
  sentDay: h.sentDay,
  references: h.references,
  messageId: h.messageId,
  from: h.from,
  to: h.to,
  cc: h.cc,
  bcc: h.bcc,
});
const plain = (s: MessageSummary | undefined) => s && { uid: s.uid, internalDate: s.internalDate, headers: plainHeaders(s.headers), envelope: s.envelope };

// Resolves once every write issued before it is on disk (commits land in order).
const settled = (store: Store) => storeInternals(store).write(() => undefined);
// The mailbox's chunks, each read whole.
const chunks = (store: Store, mailboxId: number) => {
  const dbs = storeInternals(store).dbs;
  const numbered = [...dbs.headerCache.getKeys({ start: [mailboxId], end: [mailboxId + 1] })].filter((k) => k[2] === 0);
  return numbered.map(([, chunk]) => ({ chunk, rows: readChunk(dbs, mailboxId, chunk)?.rows() }));
};
const put = (store: Store, mailboxId: number, chunk: number, parts: Buffer[]) =>
  storeInternals(store).write(() => writeChunk(storeInternals(store).dbs, mailboxId, chunk, parts));

test('summaries equal what the bodies hold; only chunks closed to new UIDs are written, and then read without the records', async () => {
  const t = await storeWithAccount();
  try {
    const count = 2 * CHUNK_UIDS + 50;
    const mailboxId = await mailboxWith(t.store, t.account.id, 'Big', count);
    const uids = Array.from({ length: count }, (_, i) => i + 1);
    const asked: number[] = [];
    const first = pass(t.store, mailboxId, uids, (uid) => {
      asked.push(uid);
      return t.store.messages.get(mailboxId, uid);
    });
    assert.equal(asked.length, count, 'an empty cache reads every record');
    for (const [i, s] of first.entries()) {
      const r = t.store.messages.get(mailboxId, i + 1)!;
      assert.equal(s?.uid, r.uid);
      assert.equal(s.internalDate, r.internalDate);
      assert.deepEqual(plainHeaders(s.headers), t.store.messages.headers(r.hash));
      assert.deepEqual(s.envelope, t.store.messages.parsed(r.hash)!.envelope);
    }
    await settled(t.store);
    // UIDNEXT is count + 1: chunks 0 and 1 can get no new message; chunk 2 still can.
    assert.deepEqual(
      chunks(t.store, mailboxId).map((c) => c.chunk),
      [0, 1],
    );
    assert.deepEqual(
      chunks(t.store, mailboxId).map((c) => c.rows?.map((r) => r[0])),
      [uids.slice(0, CHUNK_UIDS - 1), uids.slice(CHUNK_UIDS - 1, 2 * CHUNK_UIDS - 1)],
      'UIDs 1-255 and 256-511, readable by this parser version',
    );

    asked.length = 0;
    const second = pass(t.store, mailboxId, uids, (uid) => {
      asked.push(uid);
      return t.store.messages.get(mailboxId, uid);
    });
    assert.deepEqual(second.map(plain), first.map(plain));
    assert.deepEqual(
      asked,
      uids.filter((u) => u >= 2 * CHUNK_UIDS),
      'cached rows need no record',
    );

    // A stored chunk of another parser version is not used.
    const [zero] = chunks(t.store, mailboxId);
    await put(t.store, mailboxId, 0, encodeChunk(zero!.rows!, MIME_FORMAT_VERSION - 1));
    asked.length = 0;
    pass(t.store, mailboxId, [1, 2], (uid) => {
      asked.push(uid);
      return t.store.messages.get(mailboxId, uid);
    });
    assert.deepEqual(asked, [1, 2]);
    assert.deepEqual(t.store.checkConsistency(), []);
  } finally {
    await t.close();
  }
});

// A mailbox of a chunk and 11 messages more, its chunk 0 (UIDs 1-255) read and written.
async function withChunkZero(store: Store, accountId: number): Promise<{ mailboxId: number; uids: number[] }> {
  const mailboxId = await mailboxWith(store, accountId, 'Box', CHUNK_UIDS + 10);
  const uids = Array.from({ length: CHUNK_UIDS - 1 }, (_, i) => i + 1);
  pass(store, mailboxId, uids, (uid) => store.messages.get(mailboxId, uid));
  await settled(store);
  return { mailboxId, uids };
}

test('a chunk written again drops the rows of expunged messages; a message gone has no summary', async () => {
  const t = await storeWithAccount();
  try {
    const { mailboxId, uids } = await withChunkZero(t.store, t.account.id);
    await t.store.messages.setFlags({ mailboxId, uids: [5], op: 'add', flags: ['\\Deleted'] });
    await t.store.messages.expunge({ mailboxId, onlyDeleted: true });
    // A session that did not yet know UID 6 wrote the chunk without it: reading 6 adds it back.
    const [zero] = chunks(t.store, mailboxId);
    await put(t.store, mailboxId, 0, encodeChunk(zero!.rows!.filter((r) => r[0] !== 6)));
    const [gone, six] = pass(t.store, mailboxId, [5, 6], (uid) => t.store.messages.get(mailboxId, uid));
    assert.equal(six?.uid, 6);
    await settled(t.store);
    const rows = chunks(t.store, mailboxId)[0]!.rows!.map((r) => r[0]);
    assert.ok(rows.includes(6));
    assert.ok(!rows.includes(5), 'the expunged message left the chunk');
    assert.equal(rows.length, uids.length - 1);
    assert.ok(gone, 'a cached row still answers for a message expunged after the reader looked it up');
    assert.equal(pass(t.store, mailboxId, [5], (uid) => t.store.messages.get(mailboxId, uid))[0], undefined, 'no row and no record: gone');
  } finally {
    await t.close();
  }
});

test('nothing is written while bodies wait for a new parse, and a deleted mailbox takes its cache along', async () => {
  const t = await storeWithAccount();
  try {
    const mailboxId = await mailboxWith(t.store, t.account.id, 'Old', CHUNK_UIDS + 1);
    const uids = Array.from({ length: CHUNK_UIDS }, (_, i) => i + 1);
    const dbs = storeInternals(t.store).dbs;
    await dbs.meta.put(PARSED_SINCE, MIME_FORMAT_VERSION - 1);
    pass(t.store, mailboxId, uids, (uid) => t.store.messages.get(mailboxId, uid));
    await settled(t.store);
    assert.equal(chunks(t.store, mailboxId).length, 0);
    await dbs.meta.put(PARSED_SINCE, MIME_FORMAT_VERSION);
    pass(t.store, mailboxId, uids, (uid) => t.store.messages.get(mailboxId, uid));
    await settled(t.store);
    assert.equal(chunks(t.store, mailboxId).length, 1);
    await t.store.mailboxes.delete(t.account.id, 'Old');
    assert.equal(chunks(t.store, mailboxId).length, 0);
    assert.deepEqual(t.store.checkConsistency(), []);
  } finally {
    await t.close();
  }
});

test('a column read after its chunk was written again comes from the new parts, row by row by UID', async () => {
  const t = await storeWithAccount();
  try {
    const { mailboxId } = await withChunkZero(t.store, t.account.id);
    const [zero] = chunks(t.store, mailboxId);
    assert.equal(storeInternals(t.store).dbs.headerCache.getKeysCount({ start: [mailboxId, 0], end: [mailboxId, 1] }), CHUNK_PARTS);
    // A chunk lacking UIDs 1-9, as a session that had not seen them wrote it.
    await put(t.store, mailboxId, 0, encodeChunk(zero!.rows!.slice(9)));
    const reader = t.store.messages.summaries(mailboxId);
    const twenty = reader.get(20, () => null)!;
    assert.equal(twenty.uid, 20, 'read from the chunk: no record was given');
    // Another pass writes the chunk again with every row, between this reader's two reads.
    await put(t.store, mailboxId, 0, encodeChunk(zero!.rows!));
    const expected = t.store.messages.headers(t.store.messages.get(mailboxId, 20)!.hash)!;
    assert.equal(twenty.headers.subject, expected.subject);
    assert.equal(twenty.headers.messageId, expected.messageId);
    assert.deepEqual(twenty.envelope, t.store.messages.parsed(t.store.messages.get(mailboxId, 20)!.hash)!.envelope);
    reader.close();
  } finally {
    await t.close();
  }
});

test("THREAD's keys come from the chunk's last part, and after a rewrite from the new one by UID", async () => {
  const t = await storeWithAccount();
  try {
    const { mailboxId } = await withChunkZero(t.store, t.account.id);
    const [zero] = chunks(t.store, mailboxId);
    const keysOf = (uid: number) => {
      const h = t.store.messages.headers(t.store.messages.get(mailboxId, uid)!.hash)!;
      return ThreadKeys.of([{ baseSubject: h.baseSubject, messageId: h.messageId, references: h.references }]);
    };
    const row = (keys: ThreadKeys, i: number) => [keys.subject[i], keys.id[i], [...keys.refs.subarray(keys.start[i], keys.start[i + 1])]];
    const reader = t.store.messages.summaries(mailboxId);
    assert.ok(reader.locate(3, () => null));
    assert.deepEqual(row(reader.foundThreadKeys(), reader.foundRow()), row(keysOf(3), 0));
    reader.close();
    // Read from a chunk lacking UIDs 1-9, then written again whole before the keys are read.
    await put(t.store, mailboxId, 0, encodeChunk(zero!.rows!.slice(9)));
    const later = t.store.messages.summaries(mailboxId);
    assert.ok(later.locate(20, () => null));
    await put(t.store, mailboxId, 0, encodeChunk(zero!.rows!));
    assert.deepEqual(row(later.foundThreadKeys(), later.foundRow()), row(keysOf(20), 0));
    later.close();
  } finally {
    await t.close();
  }
});

test('rows of the chunk still open to new mail are made from header records; the parse is read for an envelope only', async () => {
  const t = await storeWithAccount();
  try {
    const mailboxId = await mailboxWith(t.store, t.account.id, 'Open', 20);
    const bodies = t.store.bodies;
    const original = bodies.parsed.bind(bodies);
    let parses = 0;
    bodies.parsed = (hash) => {
      parses++;
      return original(hash);
    };
    try {
      const uids = t.store.messages.list(mailboxId).map((m) => m.uid);
      const reader = t.store.messages.summaries(mailboxId);
      for (const uid of uids) {
        assert.ok(reader.locate(uid, () => t.store.messages.get(mailboxId, uid)));
        assert.equal(reader.foundSentDate(), reader.get(uid, () => null)!.headers.date ?? reader.get(uid, () => null)!.internalDate);
        reader.foundThreadKeys();
        reader.foundColumn('references');
      }
      assert.equal(parses, 0, 'dates, keys and header columns need no parse');
      const third = reader.get(uids[2]!, () => null)!;
      assert.deepEqual(third.envelope, original(t.store.messages.get(mailboxId, uids[2]!)!.hash)!.envelope);
      assert.equal(parses, 1);
      reader.close();
      assert.equal(parses, 1, 'an open chunk is not kept, so no more rows are made');
    } finally {
      bodies.parsed = original;
    }
  } finally {
    await t.close();
  }
});
