import assert from 'node:assert/strict';
import { open, type Database } from 'lmdb';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { passwordHash, storeInternals, tempDir } from '../../test/support/temp-store.ts';
import { createLogger } from '../log/log.ts';
import { bodyHash, contentHash } from './bodies.ts';
import { MAILBOX_KEY } from './mailbox-records.ts';
import { LMDB_OPTIONS, openEnv, STORE_FORMAT } from './open.ts';
import type { MailboxRecord } from './records.ts';
import { octetSize } from './octets.ts';
import { Store } from './store.ts';

// test/fixtures/store-format-1/store.mdb was written by the code at a12ed69 (format 1; make.ts there).
const FIXTURE = path.join(import.meta.dirname, '../../test/fixtures/store-format-1/store.mdb');
// test/fixtures/store-format-5/store.mdb was written by the code at f611706 (format 5), the release
// before format 6, through the store's API: ann and bob; 12 deliveries (every third to both);
// flags and a keyword set, two messages expunged, two copied into Work/Projects, Work renamed Jobs,
// Old deleted while it had a child (\Noselect), a message appended to bob's Sent. Cut after the
// last page LMDB used (the file reserve's zeros are not part of the store).
const FIXTURE_5 = path.join(import.meta.dirname, '../../test/fixtures/store-format-5/store.mdb');

// The mailboxes of the fixture's accounts with what identifies them and their counters.
const mailboxes = (store: Store) =>
  ['ann@example.test', 'bob@example.test'].flatMap((address) =>
    store.mailboxes.list(store.accounts.get(address)!.id).map((mb) => ({
      name: mb.name,
      uidValidity: mb.uidValidity,
      uidNext: mb.uidNext,
      highestModSeq: mb.highestModSeq,
      counts: [mb.count, mb.unseen, mb.size],
    })),
  );

// A copy of a fixture in a new folder, and its mailbox and message records as its format holds them
// (the mailbox records in their own database before format 6), read straight from LMDB.
async function fixture(file: string, format: number) {
  const dir = tempDir();
  copyFileSync(file, path.join(dir, 'store.mdb'));
  const raw = openEnv(dir);
  assert.equal(raw.dbs.meta.get('format'), format);
  const before = [...raw.env.openDB<MailboxRecord, number>({ name: 'mailboxes' }).getRange()].map((e) => e.value);
  const beforeMessages = [...raw.dbs.messages.getRange()].map((e) => ({ key: e.key, value: e.value }));
  await raw.env.close();
  return { dir, before, beforeMessages };
}

test('a store written by the previous release (format 1) is migrated on open, in one write, and keeps everything', async () => {
  const { dir, before, beforeMessages } = await fixture(FIXTURE, 1);
  assert.ok(beforeMessages.length > 20 && beforeMessages.every((m) => (m.value as { octets?: number }).octets === undefined));

  const lines: string[] = [];
  const log = createLogger({ write: (l: string) => lines.push(l) });
  const store = await Store.open(dir, log);
  try {
    assert.deepEqual(store.checkConsistency(), []);
    const migrated = lines.map((l) => JSON.parse(l)).filter((l) => l.event === 'store.migrated');
    assert.equal(migrated.length, 1);
    assert.equal(migrated[0].from, 1);
    assert.equal(migrated[0].messages, beforeMessages.length);
    const flat = mailboxes(store);
    for (const mb of before) {
      const now = flat.find((m) => m.name === mb.name && m.uidValidity === mb.uidValidity)!;
      assert.ok(now, mb.name);
      assert.equal(now.uidNext, mb.uidNext);
      assert.equal(now.highestModSeq, mb.highestModSeq);
      assert.deepEqual(now.counts, [mb.count, mb.unseen, mb.size]);
    }
    for (const { key, value: record } of beforeMessages) {
      const { octets, ...now } = store.messages.get(key[0], key[1])!;
      assert.deepEqual(now, record);
      assert.equal(octets, octetSize(store.messages.body(now.hash)!));
      assert.ok(octets > now.size, 'the fixture has bare LF line ends');
    }
    const ann = store.accounts.get('ann@example.test')!;
    const inbox = store.mailboxes.get(ann.id, 'INBOX')!;
    assert.deepEqual(inbox.keywords, ['$Label1', '$Label0'], 'keywords of the messages; Work left with the expunged ones');
    assert.equal(inbox.tombstones, 2);
    assert.deepEqual(store.messages.vanished(inbox.id, 0), [
      [2, 2],
      [4, 4],
    ]);
    assert.deepEqual(store.mailboxes.get(ann.id, 'Archive')!.keywords, ['$Label1']);
    assert.ok(store.mailboxes.get(ann.id, 'Projects')!);
    const index = store.messages.index(inbox.id)!;
    assert.equal(index.length, 10);
  } finally {
    await store.close();
  }
  // Opened again: already current, nothing to migrate.
  const again: string[] = [];
  const reopened = await Store.open(dir, createLogger({ write: (l: string) => again.push(l) }));
  assert.ok(!again.some((l) => l.includes('store.migrated')));
  assert.equal(storeInternals(reopened).dbs.meta.get('format'), STORE_FORMAT);
  await reopened.close();
});

test('a format 3 store becomes current with nothing converted; format 4 header-cache chunks are dropped; a newer store is refused', async () => {
  const dir = tempDir();
  const store = await Store.open(dir);
  await store.domains.add('example.test');
  const account = await store.accounts.create({ address: 'ann@example.test', passwordHash: await passwordHash('pw pw pw pw') });
  const inbox = store.mailboxes.get(account.id, 'INBOX')!.id;
  await store.messages.append({ mailboxId: inbox, raw: Buffer.from('Subject: x\r\n\r\nx\r\n') });
  await storeInternals(store).write(() => storeInternals(store).dbs.meta.putSync('format', 3));
  await store.close();
  const migrations = async () => {
    const lines: string[] = [];
    const s = await Store.open(dir, createLogger({ write: (l: string) => lines.push(l) }));
    type Line = { event: string; from?: number; to?: number; bodies?: number; headerCacheChunks?: number };
    return { store: s, migrated: lines.map((l) => JSON.parse(l) as Line).find((l) => l.event === 'store.migrated') };
  };
  const first = await migrations();
  assert.deepEqual([first.migrated?.from, first.migrated?.to, first.migrated?.bodies], [3, STORE_FORMAT, 0], 'the one body keeps its header record as it is');
  // A chunk as format 4 kept it: one value under [mailbox, chunk].
  const cache = storeInternals(first.store).dbs.headerCache as unknown as Database<Buffer, [number, number]>;
  await storeInternals(first.store).write(() => {
    storeInternals(first.store).dbs.meta.putSync('format', 4);
    cache.putSync([inbox, 0], Buffer.from([1, 0]));
  });
  await first.store.close();
  const second = await migrations();
  assert.deepEqual([second.migrated?.from, second.migrated?.headerCacheChunks], [4, 1]);
  assert.deepEqual([...storeInternals(second.store).dbs.headerCache.getKeys()], []);
  assert.deepEqual(second.store.checkConsistency(), []);
  await storeInternals(second.store).write(() => storeInternals(second.store).dbs.meta.putSync('format', STORE_FORMAT + 1));
  await second.store.close();
  await assert.rejects(Store.open(dir), new RegExp(`store format ${STORE_FORMAT + 1}; this homepost knows up to ${STORE_FORMAT}`));
});

test('a store written by the previous release (format 5) gets its mailbox records beside their messages, each as it was', async () => {
  const { dir, before, beforeMessages } = await fixture(FIXTURE_5, 5);
  assert.equal(before.length, 16);
  assert.ok(beforeMessages.length === 17 && beforeMessages.every((m) => m.key[1] < MAILBOX_KEY));

  const lines: string[] = [];
  const store = await Store.open(dir, createLogger({ write: (l: string) => lines.push(l) }));
  try {
    assert.deepEqual(store.checkConsistency(), []);
    const migrated = lines.map((l) => JSON.parse(l)).filter((l) => l.event === 'store.migrated');
    assert.deepEqual([migrated.length, migrated[0].from, migrated[0].mailboxRecordsMoved], [1, 5, 16]);
    const { dbs, env } = storeInternals(store);
    assert.deepEqual([...dbs.mailboxes.all()], before, 'every record, in id order, as it was');
    assert.deepEqual([...env.openDB<MailboxRecord, number>({ name: 'mailboxes' }).getKeys()], [], 'the old database is empty');
    for (const m of beforeMessages) assert.deepEqual(store.messages.get(m.key[0], m.key[1]), m.value);
    const ann = store.accounts.get('ann@example.test')!;
    const inbox = store.mailboxes.get(ann.id, 'INBOX')!;
    assert.deepEqual(
      store.messages.list(inbox.id).map((m) => m.uid),
      [1, 2, 3, 6, 7, 8, 9, 10, 11, 12],
      "a mailbox's messages stop before its record",
    );
    assert.deepEqual(store.messages.vanished(inbox.id, 0), [[4, 5]]);
    assert.deepEqual(
      store.mailboxes.list(ann.id).map((m) => [m.name, m.count, m.noSelect]),
      [
        ['Archive', 0, false],
        ['Drafts', 0, false],
        ['INBOX', 10, false],
        ['Jobs', 0, false],
        ['Jobs/Projects', 2, false],
        ['Junk', 0, false],
        ['Old', 0, true],
        ['Old/Child', 0, false],
        ['Sent', 0, false],
        ['Trash', 0, false],
      ],
    );
    // Written in the new place from now on.
    const [out] = await store.messages.deliver({ raw: Buffer.from('Subject: after\r\n\r\nafter\r\n'), targets: [{ accountId: ann.id }] });
    assert.ok(out?.ok);
    const record = dbs.messages.get([inbox.id, MAILBOX_KEY]) as unknown as MailboxRecord;
    assert.deepEqual([record.uidNext, record.count], [14, 11]);
    await store.mailboxes.delete(ann.id, 'Jobs/Projects');
    assert.deepEqual(store.checkConsistency(), []);
  } finally {
    await store.close();
  }
});

test('bodies keyed by their SHA-256 alone (stores up to this change) live on beside keys that start with their time', async () => {
  const { dir } = await fixture(FIXTURE_5, 5);
  const store = await Store.open(dir);
  try {
    const ann = store.accounts.get('ann@example.test')!;
    const inbox = store.mailboxes.get(ann.id, 'INBOX')!;
    const archive = store.mailboxes.get(ann.id, 'Archive')!;
    const old = store.messages.get(inbox.id, 1)!.hash;
    assert.equal(old.length, 32);
    assert.deepEqual(contentHash(old), bodyHash(store.messages.body(old)!), 'an old key is its SHA-256');

    const raw = Buffer.from('Subject: new\r\n\r\nnew\r\n');
    const before = Date.now();
    const [out] = await store.messages.deliver({ raw, targets: [{ accountId: ann.id }] });
    assert.ok(out?.ok);
    const key = store.messages.get(inbox.id, out.uid)!.hash;
    assert.equal(key.length, 38);
    assert.ok(key.readUIntBE(0, 6) >= before && key.readUIntBE(0, 6) <= Date.now(), 'the key starts with the time it was stored');
    assert.deepEqual(contentHash(key), bodyHash(raw));
    assert.deepEqual(store.messages.body(key), raw);

    const refs = store.bodies.refs(old);
    await store.messages.copy({ from: inbox.id, uids: [1, out.uid], to: archive.id });
    assert.deepEqual([store.bodies.refs(old), store.bodies.refs(key)], [refs + 1, 2]);
    assert.deepEqual(store.checkConsistency(), []);

    const bodies = store.bodies.count();
    await store.messages.expunge({ mailboxId: archive.id, onlyDeleted: false });
    await store.messages.expunge({ mailboxId: inbox.id, onlyDeleted: false });
    await store.bodies.swept();
    assert.deepEqual([store.bodies.refs(old), store.bodies.refs(key)], [refs - 1, 0]);
    assert.ok(store.bodies.count() < bodies);
    assert.deepEqual(store.checkConsistency(), []);
  } finally {
    await store.close();
  }
});

// test/fixtures/store-format-6/store.mdb was written by the code at b23e5a1 (format 6), the release
// before format 7, through the store's API (make.ts beside it): ann and bob, 12 messages each,
// flags and keywords, three expunged, three copied to Archive, Work/Projects made.
const FIXTURE_6 = path.join(import.meta.dirname, '../../test/fixtures/store-format-6/store.mdb');

// The `messages` database of a store folder read by lmdb-js's own msgpack, as format 6 read it.
async function plainMessages(dir: string): Promise<{ key: [number, number]; value: unknown; first: number }[]> {
  const env = open({ path: path.join(dir, 'store.mdb'), ...LMDB_OPTIONS });
  const db = env.openDB<unknown, [number, number]>({ name: 'messages' });
  const read = (key: [number, number]) => {
    try {
      return db.get(key);
    } catch (e) {
      return e;
    }
  };
  const all = [...db.getKeys()].map((key) => ({ key, value: read(key), first: db.getBinary(key)![0]! }));
  await env.close();
  return all;
}

test('a store written by the previous release (format 6) reads as it was; records written from then on take their fixed shapes', async () => {
  const { dir } = await fixture(FIXTURE_6, 6);
  const before = await plainMessages(dir);
  assert.ok(before.length === 40 && before.every((r) => r.first === 0xd4), 'message and mailbox records, each with its field names inline');

  const lines: string[] = [];
  let store = await Store.open(dir, createLogger({ write: (l: string) => lines.push(l) }));
  try {
    assert.deepEqual(store.checkConsistency(), []);
    const migrated = lines.map((l) => JSON.parse(l)).filter((l) => l.event === 'store.migrated');
    assert.deepEqual([migrated.length, migrated[0].from, migrated[0].to], [1, 6, STORE_FORMAT]);
    const { dbs } = storeInternals(store);
    for (const r of before) assert.deepEqual(dbs.messages.get(r.key), r.value, JSON.stringify(r.key));

    const ann = store.accounts.get('ann@example.test')!;
    const inbox = store.mailboxes.get(ann.id, 'INBOX')!;
    const [out] = await store.messages.deliver({ raw: Buffer.from('Subject: after\r\n\r\nafter\r\n'), targets: [{ accountId: ann.id }] });
    assert.ok(out?.ok);
    await store.messages.setFlags({ mailboxId: inbox.id, uids: [1], op: 'add', flags: ['\\Flagged'] });
    const bytes = (key: [number, number]) => dbs.messages.getBinary(key)!;
    // A message record: shape 0x40, then its values (an id, a 38-byte key, numbers): no names.
    for (const uid of [1, out.uid]) assert.ok(bytes([inbox.id, uid])[0] === 0x40 && bytes([inbox.id, uid]).length < 70, `uid ${uid}`);
    assert.equal(bytes([inbox.id, MAILBOX_KEY])[0], 0x41, 'the mailbox record, rewritten by the delivery');
    assert.equal(bytes([inbox.id, 3])[0], 0xd4, 'a record not written since keeps its inline shape');
    assert.equal(store.messages.get(inbox.id, out.uid)!.size, 25);
    assert.deepEqual(store.messages.get(inbox.id, 1)!.flags, ['\\Flagged']);
    assert.deepEqual(store.checkConsistency(), []);
  } finally {
    await store.close();
  }
  // Format 6's reader cannot read the new records, so a release before format 7 must refuse the
  // store, as store.ts does with any newer format.
  const plain = await plainMessages(dir);
  const newer = plain.find((r) => r.first === 0x40)!;
  assert.match(String(newer.value), /end of buffer not reached/);
  store = await Store.open(dir);
  try {
    assert.equal(store.messages.get(newer.key[0], newer.key[1])!.uid, newer.key[1]);
    assert.deepEqual(store.checkConsistency(), []);
  } finally {
    await store.close();
  }
});
