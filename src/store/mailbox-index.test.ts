import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { message, storeInternals, storeWithAccount } from '../../test/support/temp-store.ts';
import type { MailboxIndex } from './mailbox-index.ts';
import { MailboxIndexes } from './mailbox-index.ts';
import { Store } from './store.ts';

type T = Awaited<ReturnType<typeof storeWithAccount>>;

// The index as plain data, and the same fields read from the records: they must agree.
const fromIndex = (index: MailboxIndex) =>
  Array.from({ length: index.length }, (_, i) => ({
    uid: index.uid(i),
    modseq: index.modseq(i),
    size: index.size(i),
    octets: index.octets(i),
    flags: [...index.flags(i)],
  }));
const fromRecords = (t: T, mailboxId: number) =>
  t.store.messages.list(mailboxId).map((m) => ({ uid: m.uid, modseq: m.modseq, size: m.size, octets: m.octets, flags: m.flags }));

test('an index follows every kind of write and always equals a rebuild from the records', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    const archive = t.store.mailboxes.get(t.account.id, 'Archive')!.id;
    const check = (label: string) => {
      for (const id of [inbox, archive]) {
        const index = t.store.messages.index(id)!;
        assert.deepEqual(fromIndex(index), fromRecords(t, id), label);
        assert.equal(index.highestModSeq, t.store.mailboxes.getById(id)!.highestModSeq, label);
      }
    };
    check('empty');
    const warm = t.store.messages.index(inbox)!;
    for (let i = 1; i <= 6; i++) await t.store.messages.append({ mailboxId: inbox, raw: message(i, 'X-Bare: lf\n'), flags: i % 2 ? ['\\Seen'] : [] });
    await t.store.messages.deliver({ raw: message(7), targets: [{ accountId: t.account.id }] });
    check('appends and a delivery');
    assert.equal(t.store.messages.index(inbox), warm, 'kept current, not rebuilt');
    await t.store.messages.setFlags({ mailboxId: inbox, uids: [2, 3], op: 'add', flags: ['$Work', '\\Deleted'] });
    check('flags');
    await t.store.messages.expunge({ mailboxId: inbox, onlyDeleted: true });
    check('expunge');
    await t.store.messages.copy({ from: inbox, uids: [1, 4], to: archive });
    await t.store.messages.move({ from: inbox, uids: [5], to: archive });
    check('copy and move');
    // Writes in one turn share a commit; the index takes each in order.
    await Promise.all([
      t.store.messages.append({ mailboxId: inbox, raw: message(8) }),
      t.store.messages.setFlags({ mailboxId: inbox, uids: [1], op: 'replace', flags: ['$A', '$B'] }),
      t.store.messages.expunge({ mailboxId: inbox, uids: [4], onlyDeleted: false }),
    ]);
    check('one shared commit');
    assert.equal(t.store.messages.index(inbox), warm, 'still the same index');
    assert.ok(warm.seen(0) === false && warm.flags(0).includes('$A'));
    assert.deepEqual(t.store.mailboxes.getById(inbox)!.keywords, ['$Work', '$A', '$B']);
  } finally {
    await t.close();
  }
});

test('an index behind the mailbox record is rebuilt, never served stale', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    await t.store.messages.append({ mailboxId: inbox, raw: message(1) });
    const old = t.store.messages.index(inbox)!;
    // A write whose index update is lost: the record's HIGHESTMODSEQ moves on without the index.
    const ctx = storeInternals(t.store);
    const apply = ctx.indexes.apply;
    ctx.indexes.apply = () => {};
    await t.store.messages.append({ mailboxId: inbox, raw: message(2) });
    ctx.indexes.apply = apply;
    const now = t.store.messages.index(inbox)!;
    assert.notEqual(now, old);
    assert.equal(old.current, false);
    assert.deepEqual(fromIndex(now), fromRecords(t, inbox));
    // A deleted mailbox has no index.
    const box = await t.store.mailboxes.create(t.account.id, 'Box');
    t.store.messages.index(box.id);
    await t.store.mailboxes.delete(t.account.id, 'Box');
    assert.equal(t.store.messages.index(box.id), null);
  } finally {
    await t.close();
  }
});

test('indexes share a memory budget: least recently used out, the one in use stays', async () => {
  const t = await storeWithAccount();
  try {
    const ids = t.store.mailboxes.list(t.account.id).map((m) => m.id);
    for (const id of ids) for (let i = 0; i < 40; i++) await t.store.messages.append({ mailboxId: id, raw: message(`${id}-${i}`) });
    const dbs = storeInternals(t.store).dbs;
    const one = new MailboxIndexes(dbs, () => true, Number.MAX_SAFE_INTEGER).get(ids[0]!)!.bytes;
    const indexes = new MailboxIndexes(dbs, () => true, one * 2);
    const first = indexes.get(ids[0]!)!;
    indexes.get(ids[1]!);
    assert.ok(indexes.bytes <= one * 2);
    indexes.get(ids[0]!); // used again: ids[1] is now the oldest
    const third = indexes.get(ids[2]!)!;
    assert.ok(indexes.bytes <= one * 2, `${indexes.bytes} within ${one * 2}`);
    assert.equal(first.current, true);
    assert.equal(third.current, true);
    assert.equal(indexes.get(ids[0]!), first, 'kept');
    const tiny = new MailboxIndexes(dbs, () => true, 1);
    const alone = tiny.get(ids[3]!)!;
    assert.equal(alone.length, 40, 'an index larger than the budget still serves, alone');
    tiny.get(ids[4]!);
    assert.equal(alone.current, false);
    assert.equal(tiny.bytes, tiny.get(ids[4]!)!.bytes);
  } finally {
    await t.close();
  }
});

test('flag lists are interned and ones no message uses are dropped', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    await t.store.messages.append({ mailboxId: inbox, raw: message(1) });
    const index = t.store.messages.index(inbox)!;
    const start = index.bytes;
    // 300 distinct lists of 37 keywords (a mailbox takes at most MAX_MAILBOX_KEYWORDS).
    const list = (i: number) => [`k${i % 25}`, `k${25 + Math.floor(i / 25)}`];
    for (let i = 0; i < 300; i++) await t.store.messages.setFlags({ mailboxId: inbox, uids: [1], op: 'replace', flags: list(i) });
    assert.deepEqual(index.flags(0), list(299));
    assert.ok(index.bytes < start + 80 * 64, `${index.bytes} bytes after 300 distinct flag lists`);
  } finally {
    await t.close();
  }
});

test('indexes are stored when the store closes and serve the next start, caught up over deliveries only', async () => {
  const t = await storeWithAccount();
  const dir = t.dir;
  let store = t.store;
  const reopen = async () => {
    await store.close();
    store = await Store.open(dir);
    return storeInternals(store).dbs;
  };
  try {
    const inbox = store.mailboxes.get(t.account.id, 'INBOX')!.id;
    for (let i = 1; i <= 5; i++) await store.messages.append({ mailboxId: inbox, raw: message(i), flags: i === 2 ? ['$K'] : [] });
    store.messages.index(inbox);
    let dbs = await reopen();
    assert.deepEqual(store.checkConsistency(), [], 'the stored index equals the records');
    const walks = () => {
      let n = 0;
      const range = dbs.messages.getRange.bind(dbs.messages);
      dbs.messages.getRange = ((opts: { start: [number, number] }) => {
        if (opts.start[1] === undefined || opts.start[1] === 1) n++;
        return range(opts);
      }) as typeof dbs.messages.getRange;
      return () => n;
    };
    let count = walks();
    assert.deepEqual(fromIndex(store.messages.index(inbox)!), fromRecords({ ...t, store }, inbox));
    assert.equal(count(), 1, 'only the comparison walked the records');

    // Deliveries and a COPY after the snapshot: caught up from the records past it.
    dbs = await reopen();
    const drafts = store.mailboxes.get(t.account.id, 'Drafts')!.id;
    await store.messages.append({ mailboxId: drafts, raw: message(20) });
    await store.messages.append({ mailboxId: drafts, raw: message(21) });
    await store.messages.append({ mailboxId: inbox, raw: message(6) });
    await store.messages.deliver({ raw: message(7), targets: [{ accountId: t.account.id }] });
    await store.messages.copy({ from: drafts, uids: [1, 2], to: inbox });
    dbs = await reopen();
    count = walks();
    assert.deepEqual(fromIndex(store.messages.index(inbox)!), fromRecords({ ...t, store }, inbox));
    assert.equal(count(), 1, 'caught up without a walk');

    // A flag change after the snapshot, here on a message it holds and one copied in after it: the
    // records are walked instead.
    dbs = await reopen();
    await store.messages.copy({ from: drafts, uids: [1, 2], to: inbox });
    await store.messages.setFlags({ mailboxId: inbox, uids: [1, 10], op: 'add', flags: ['\\Seen'] });
    await store.messages.append({ mailboxId: inbox, raw: message(8) });
    dbs = await reopen();
    count = walks();
    assert.deepEqual(fromIndex(store.messages.index(inbox)!), fromRecords({ ...t, store }, inbox));
    assert.equal(count(), 2, 'rebuilt from the records');
    // A deleted mailbox takes its stored index with it.
    const box = await store.mailboxes.create(t.account.id, 'Box');
    await store.messages.append({ mailboxId: box.id, raw: message(9) });
    store.messages.index(box.id);
    dbs = await reopen();
    assert.ok(dbs.indexes.get(box.id));
    await store.mailboxes.delete(t.account.id, 'Box');
    assert.equal(dbs.indexes.get(box.id), undefined);
  } finally {
    assert.deepEqual(store.checkConsistency(), []);
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('indexReady builds a large index in slices, yielding to others, and takes the commits made meanwhile', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    const raws = Array.from({ length: 3500 }, (_, i) => ({ raw: message(i + 1), flags: i % 3 ? ['\\Seen'] : [] }));
    await t.store.messages.appendMany({ mailboxId: inbox, messages: raws });
    const indexes = storeInternals(t.store).indexes;
    indexes.drop(inbox);
    indexes.buildSlice = 10;
    let turns = 0;
    let committed = false;
    let writes: Promise<unknown> | null = null;
    const other = setInterval(() => {
      turns++;
      // Once the build has started: a flag change below and above what it has read, an expunge, an append.
      writes ??= Promise.all([
        t.store.messages.setFlags({ mailboxId: inbox, uids: [1, 3400], op: 'add', flags: ['$Seen-By-Test'] }),
        t.store.messages.expunge({ mailboxId: inbox, uids: [2, 3300], onlyDeleted: false }),
        t.store.messages.append({ mailboxId: inbox, raw: message(9999) }),
      ]).then(() => {
        committed = true;
      });
    }, 0);
    await t.store.messages.indexReady(inbox);
    const committedDuringBuild = committed;
    clearInterval(other);
    await writes;
    assert.ok(turns > 0, 'other work ran while the index was built');
    assert.ok(committedDuringBuild, 'the writes committed while the index was being built');
    const index = t.store.messages.index(inbox)!;
    assert.deepEqual(fromIndex(index), fromRecords(t, inbox));
    assert.equal(index.highestModSeq, t.store.mailboxes.getById(inbox)!.highestModSeq);
    assert.ok(index.flags(0).includes('$Seen-By-Test') && index.indexOf(2) < 0 && index.indexOf(3300) < 0);
  } finally {
    await t.close();
  }
});

test('the UID array SELECT takes is one copy per change of the index, shared until the next', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    for (let i = 0; i < 3; i++) await t.store.messages.append({ mailboxId: inbox, raw: message(i) });
    const first = t.store.messages.index(inbox)!.uidArray();
    assert.equal(t.store.messages.index(inbox)!.uidArray(), first, 'no change, the same array');
    await t.store.messages.setFlags({ mailboxId: inbox, uids: [1], op: 'add', flags: ['\\Seen'] });
    assert.equal(t.store.messages.index(inbox)!.uidArray(), first, 'flags do not change the UIDs');
    await t.store.messages.append({ mailboxId: inbox, raw: message(3) });
    const second = t.store.messages.index(inbox)!.uidArray();
    assert.notEqual(second, first);
    assert.deepEqual([...first], [1, 2, 3], 'the copy handed out before stays as it was');
    assert.deepEqual([...second], [1, 2, 3, 4]);
    await t.store.messages.expunge({ mailboxId: inbox, uids: [2], onlyDeleted: false });
    assert.deepEqual([...t.store.messages.index(inbox)!.uidArray()], [1, 3, 4]);
    assert.deepEqual([...second], [1, 2, 3, 4]);
  } finally {
    await t.close();
  }
});

test('warming an index reads ahead only: nothing is built or held until the index is asked for', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    for (let i = 0; i < 5; i++) await t.store.messages.append({ mailboxId: inbox, raw: message(i) });
    const dbs = storeInternals(t.store).dbs;
    const built = new MailboxIndexes(dbs, () => true, Number.MAX_SAFE_INTEGER);
    dbs.indexes.putSync(inbox, built.get(inbox)!.snapshot());
    const indexes = new MailboxIndexes(dbs, () => true, Number.MAX_SAFE_INTEGER);
    indexes.warm(inbox);
    indexes.warm(inbox + 1000); // no such mailbox: nothing to read
    await new Promise((resolve) => setTimeout(resolve, 50));
    assert.equal(indexes.bytes, 0);
    await indexes.ready(inbox);
    assert.deepEqual(fromIndex(indexes.get(inbox)!), fromRecords(t, inbox));
  } finally {
    await t.close();
  }
});
