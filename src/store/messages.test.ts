import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { message, passwordHash, storeInternals, storeWithAccount } from '../../test/support/temp-store.ts';
import type { StoreChange } from './changes.ts';
import { isStoreError } from './errors.ts';
import { contentHash } from './bodies.ts';
import { WRITE_CHUNK } from './messages.ts';
import { free } from './free.ts';
import { SERVE_ENV } from '../cli/serve-env.ts';
import { Store } from './store.ts';

test('UIDs ascend and are never reused; UIDNEXT and MODSEQ advance', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!;
    const a = await t.store.messages.append({ mailboxId: inbox.id, raw: message(1) });
    const b = await t.store.messages.append({ mailboxId: inbox.id, raw: message(2) });
    assert.deepEqual([a.uid, b.uid], [1, 2]);
    assert.equal(a.uidValidity, inbox.uidValidity);
    await t.store.messages.setFlags({ mailboxId: inbox.id, uids: [2], op: 'add', flags: ['\\Deleted'] });
    assert.deepEqual(await t.store.messages.expunge({ mailboxId: inbox.id, onlyDeleted: true }), [2]);
    const c = await t.store.messages.append({ mailboxId: inbox.id, raw: message(3) });
    assert.equal(c.uid, 3, 'an expunged UID is not given again');
    const mb = t.store.mailboxes.getById(inbox.id)!;
    assert.equal(mb.uidNext, 4);
    const modseqs = t.store.messages.list(inbox.id).map((m) => m.modseq);
    assert.ok(modseqs.every((m, i) => i === 0 || m > modseqs[i - 1]));
    assert.ok(mb.highestModSeq >= Math.max(...modseqs));
    assert.deepEqual(t.store.messages.vanished(inbox.id, 0), [[2, 2]]);
    assert.deepEqual(t.store.messages.vanished(inbox.id, mb.highestModSeq), []);
  } finally {
    await t.close();
  }
});

test('flags: canonical system flags, keywords, \\Recent never stored, MODSEQ only on change, UNCHANGEDSINCE', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!;
    await t.store.messages.append({ mailboxId: inbox.id, raw: message(1), flags: ['\\seen', '$Label1', '\\Recent', '$label1'] });
    await t.store.messages.append({ mailboxId: inbox.id, raw: message(2) });
    assert.deepEqual(t.store.messages.get(inbox.id, 1)!.flags, ['\\Seen', '$Label1']);
    assert.equal(t.store.mailboxes.getById(inbox.id)!.unseen, 1);

    const before = t.store.messages.get(inbox.id, 1)!.modseq;
    const same = await t.store.messages.setFlags({ mailboxId: inbox.id, uids: [1], op: 'add', flags: ['\\SEEN'] });
    assert.deepEqual(same.updated, []);
    assert.equal(t.store.messages.get(inbox.id, 1)!.modseq, before);

    const r = await t.store.messages.setFlags({ mailboxId: inbox.id, uids: [1, 2, 99], op: 'replace', flags: ['\\Flagged'] });
    assert.deepEqual(
      r.updated.map((u) => [u.uid, u.flags]),
      [
        [1, ['\\Flagged']],
        [2, ['\\Flagged']],
      ],
    );
    assert.equal(t.store.mailboxes.getById(inbox.id)!.unseen, 2);
    const m1 = t.store.messages.get(inbox.id, 1)!;
    assert.ok(m1.modseq > before);

    const cond = await t.store.messages.setFlags({ mailboxId: inbox.id, uids: [1, 2], op: 'remove', flags: ['\\flagged'], unchangedSince: m1.modseq - 1 });
    assert.deepEqual(cond.failed, [1, 2]);
    assert.deepEqual(cond.updated, []);
    const ok = await t.store.messages.setFlags({ mailboxId: inbox.id, uids: [1], op: 'remove', flags: ['\\flagged'], unchangedSince: m1.modseq });
    assert.deepEqual(
      ok.updated.map((u) => u.flags),
      [[]],
    );
  } finally {
    await t.close();
  }
});

test('expunge: only \\Deleted, optionally within a UID set; explicit list for POP3', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!;
    for (let i = 1; i <= 5; i++) await t.store.messages.append({ mailboxId: inbox.id, raw: message(i) });
    await t.store.messages.setFlags({ mailboxId: inbox.id, uids: [1, 3, 5], op: 'add', flags: ['\\Deleted'] });
    assert.deepEqual(await t.store.messages.expunge({ mailboxId: inbox.id, uids: [3, 4, 5], onlyDeleted: true }), [3, 5]);
    assert.deepEqual(await t.store.messages.expunge({ mailboxId: inbox.id, onlyDeleted: true }), [1]);
    assert.deepEqual(await t.store.messages.expunge({ mailboxId: inbox.id, uids: [4, 2], onlyDeleted: false }), [2, 4]);
    const mb = t.store.mailboxes.getById(inbox.id)!;
    assert.equal(mb.count, 0);
    assert.equal(mb.size, 0);
    assert.equal(t.store.accounts.get('user@example.test')!.used, 0);
  } finally {
    await t.close();
  }
});

test('bodies are stored once for all recipients and copies, and freed with the last reference', async () => {
  const t = await storeWithAccount();
  try {
    const bob = await t.store.accounts.create({ address: 'bob@example.test', passwordHash: await passwordHash('password1') });
    const raw = message('shared');
    const out = await t.store.messages.deliver({ raw, targets: [{ accountId: t.account.id }, { accountId: bob.id }] });
    assert.ok(out.every((o) => o.ok));
    const bodies = t.store.bodies;
    assert.equal(bodies.count(), 1);
    const hash = t.store.messages.get(out[0].ok ? out[0].mailboxId : 0, 1)!.hash;
    assert.equal(t.store.bodies.refs(hash), 2);
    assert.deepEqual(t.store.messages.body(hash), raw);

    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!;
    const archive = t.store.mailboxes.get(t.account.id, 'Archive')!;
    const copied = await t.store.messages.copy({ from: inbox.id, uids: [1, 42], to: archive.id });
    assert.deepEqual(copied.map, [[1, 1]]);
    assert.equal(copied.uidValidity, archive.uidValidity);
    assert.equal(t.store.bodies.refs(hash), 3);
    assert.equal(bodies.count(), 1);
    assert.equal(t.store.accounts.get('user@example.test')!.used, raw.length * 2);

    // The same bytes stored again later are a body of their own, keyed by when they came
    // (bodies.ts bodyKey), with the same SHA-256.
    await new Promise((r) => setTimeout(r, 2));
    const again = await t.store.messages.append({ mailboxId: archive.id, raw });
    const second = t.store.messages.get(archive.id, again.uid)!.hash;
    assert.notDeepEqual(second, hash);
    assert.deepEqual(contentHash(second), contentHash(hash));
    assert.equal(t.store.bodies.refs(hash), 3);
    assert.equal(t.store.bodies.refs(second), 1);
    assert.equal(bodies.count(), 2);
    // Identical messages of one MULTIAPPEND share one.
    const multi = await t.store.messages.appendMany({ mailboxId: archive.id, messages: [{ raw }, { raw }] });
    const third = t.store.messages.get(archive.id, multi.uids[0]!)!.hash;
    assert.deepEqual(t.store.messages.get(archive.id, multi.uids[1]!)!.hash, third);
    assert.equal(t.store.bodies.refs(third), 2);
    assert.equal(bodies.count(), 3);

    await t.store.messages.expunge({ mailboxId: inbox.id, onlyDeleted: false });
    await t.store.messages.expunge({ mailboxId: archive.id, onlyDeleted: false });
    // Released references leave the body's count with the sweep that follows.
    await t.store.bodies.swept();
    assert.equal(t.store.bodies.refs(hash), 1);
    assert.equal(t.store.bodies.refs(second), 0);
    assert.equal(bodies.count(), 1);
    const bobInbox = t.store.mailboxes.get(bob.id, 'INBOX')!;
    await t.store.messages.expunge({ mailboxId: bobInbox.id, onlyDeleted: false });
    await t.store.bodies.swept();
    assert.equal(bodies.count(), 0);
    assert.equal(t.store.bodies.stats().entries, 0);
  } finally {
    await t.close();
  }
});

test('move: one commit, new UIDs in the target, expunged in the source', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!;
    const trash = t.store.mailboxes.get(t.account.id, 'Trash')!;
    for (let i = 1; i <= 3; i++) await t.store.messages.append({ mailboxId: inbox.id, raw: message(i), flags: ['$k'] });
    const changes: StoreChange[] = [];
    t.store.onChange(t.account.id, (c) => changes.push(c));
    const txn = t.store.lastTxnId();
    const r = await t.store.messages.move({ from: inbox.id, uids: [3, 1], to: trash.id, origin: 'session-1' });
    assert.equal(t.store.lastTxnId(), txn + 1, 'one commit');
    assert.deepEqual(r.map, [
      [1, 1],
      [3, 2],
    ]);
    assert.deepEqual(
      t.store.messages.list(inbox.id).map((m) => m.uid),
      [2],
    );
    assert.deepEqual(
      t.store.messages.list(trash.id).map((m) => m.flags),
      [['$k'], ['$k']],
    );
    assert.deepEqual(
      changes.map((c) => [c.kind, c.origin]),
      [
        ['added', 'session-1'],
        ['expunged', 'session-1'],
      ],
    );
    assert.equal(t.store.accounts.get('user@example.test')!.used, message(1).length + message(2).length + message(3).length);
  } finally {
    await t.close();
  }
});

test('quota: a delivery over quota fails for that recipient only; append and copy are refused', async () => {
  const t = await storeWithAccount();
  try {
    const bob = await t.store.accounts.create({ address: 'bob@example.test', passwordHash: await passwordHash('password1'), quota: 1000 });
    const big = Buffer.concat([message('big'), Buffer.alloc(900, 'x')]);
    const out = await t.store.messages.deliver({ raw: big, targets: [{ accountId: t.account.id }, { accountId: bob.id }] });
    assert.equal(out[0].ok, true);
    assert.deepEqual(out[1].ok ? null : out[1].code, 'over-quota');
    const bobInbox = t.store.mailboxes.get(bob.id, 'INBOX')!;
    await t.store.messages.append({ mailboxId: bobInbox.id, raw: message(1) });
    await assert.rejects(t.store.messages.append({ mailboxId: bobInbox.id, raw: big }), (e) => isStoreError(e, 'over-quota'));
    const archive = t.store.mailboxes.get(bob.id, 'Archive')!;
    await t.store.messages.copy({ from: bobInbox.id, uids: [1], to: archive.id });
    await t.store.accounts.setQuota('bob@example.test', message(1).length * 2 + 10);
    await assert.rejects(t.store.messages.copy({ from: bobInbox.id, uids: [1], to: archive.id }), (e) => isStoreError(e, 'over-quota'));
    assert.equal(t.store.accounts.get('bob@example.test')!.used, message(1).length * 2);
  } finally {
    await t.close();
  }
});

test('changes are published after commit, to listeners of that account only', async () => {
  const t = await storeWithAccount();
  try {
    const bob = await t.store.accounts.create({ address: 'bob@example.test', passwordHash: await passwordHash('password1') });
    const mine: StoreChange[] = [];
    const all: StoreChange[] = [];
    const stop = t.store.onChange(t.account.id, (c) => mine.push(c));
    t.store.onChange('*', (c) => all.push(c));
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!;
    const pending = t.store.messages.deliver({ raw: message(1), targets: [{ accountId: t.account.id }, { accountId: bob.id }] });
    assert.equal(mine.length, 0, 'nothing before the commit');
    await pending;
    assert.deepEqual(mine, [{ kind: 'added', accountId: t.account.id, mailboxId: inbox.id, uids: [1], origin: undefined }]);
    assert.equal(all.length, 2);
    await t.store.messages.setFlags({ mailboxId: inbox.id, uids: [1], op: 'add', flags: ['\\Seen'] });
    assert.equal(mine.at(-1)!.kind, 'flags');
    stop();
    await t.store.mailboxes.create(t.account.id, 'New');
    assert.equal(mine.length, 2);
    t.store.onChange(t.account.id, () => {
      throw new Error('a broken listener');
    });
    await t.store.mailboxes.create(t.account.id, 'Newer');
    assert.equal(all.at(-1)!.kind, 'mailbox-created', 'a throwing listener does not stop the others');
  } finally {
    await t.close();
  }
});

test('writes issued together share one commit', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!;
    const before = t.store.lastTxnId();
    const results = await Promise.all(
      Array.from({ length: 16 }, (_, i) => t.store.messages.deliver({ raw: message(i), targets: [{ accountId: t.account.id }] })),
    );
    assert.deepEqual(
      results.map((r) => (r[0].ok ? r[0].uid : 0)).sort((a, b) => a - b),
      Array.from({ length: 16 }, (_, i) => i + 1),
    );
    assert.ok(t.store.lastTxnId() - before <= 2, `16 deliveries took ${t.store.lastTxnId() - before} commits`);
    assert.equal(t.store.mailboxes.getById(inbox.id)!.count, 16);
  } finally {
    await t.close();
  }
});

test('read paths never write', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!;
    await t.store.messages.append({ mailboxId: inbox.id, raw: message(1) });
    const txn = t.store.lastTxnId();
    const m = t.store.messages.get(inbox.id, 1)!;
    t.store.messages.list(inbox.id);
    t.store.messages.body(m.hash);
    t.store.messages.parsed(m.hash);
    t.store.messages.vanished(inbox.id, 0);
    t.store.messages.index(inbox.id);
    t.store.mailboxes.list(t.account.id);
    t.store.mailboxes.subscriptions(t.account.id);
    t.store.aliases.resolve('user+x@example.test');
    t.store.accounts.list();
    t.store.accounts.credentials('user@example.test');
    t.store.settings.get('x', null);
    assert.equal(t.store.lastTxnId(), txn);
  } finally {
    await t.close();
  }
});

test('appendMany: one commit, consecutive UIDs with each message its flags and date; all or none', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!;
    const changes: StoreChange[] = [];
    t.store.onChange(t.account.id, (c) => changes.push(c));
    const txn = t.store.lastTxnId();
    const r = await t.store.messages.appendMany({
      mailboxId: inbox.id,
      messages: [
        { raw: message(1), flags: ['\\Seen'], internalDate: Date.UTC(2026, 0, 1) },
        { raw: message(2) },
        { raw: message(1), flags: ['$k'], internalDate: Date.UTC(2026, 0, 3) },
      ],
    });
    assert.deepEqual(r, { uids: [1, 2, 3], uidValidity: inbox.uidValidity });
    assert.equal(t.store.lastTxnId(), txn + 1, 'one commit');
    assert.deepEqual(
      t.store.messages.list(inbox.id).map((m) => [m.uid, m.flags, m.uid === 2 ? 'now' : m.internalDate]),
      [
        [1, ['\\Seen'], Date.UTC(2026, 0, 1)],
        [2, [], 'now'],
        [3, ['$k'], Date.UTC(2026, 0, 3)],
      ],
    );
    assert.deepEqual(changes, [{ kind: 'added', accountId: t.account.id, mailboxId: inbox.id, uids: [1, 2, 3], origin: undefined }]);
    // Each message fits the quota; together they do not: nothing is stored.
    await t.store.accounts.setQuota(t.account.address, t.store.mailboxes.usedBytes(t.account.id) + message(4).length + 10);
    await assert.rejects(t.store.messages.appendMany({ mailboxId: inbox.id, messages: [{ raw: message(4) }, { raw: message(5) }] }), (e) =>
      isStoreError(e, 'over-quota'),
    );
    assert.equal(t.store.mailboxes.getById(inbox.id)!.uidNext, 4);
    assert.equal(t.store.messages.list(inbox.id).length, 3);
  } finally {
    await t.close();
  }
});

test('a STORE or EXPUNGE of many messages commits in chunks of WRITE_CHUNK, leaving the loop to others in between', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    const n = 2 * WRITE_CHUNK + 500;
    await t.store.messages.appendMany({ mailboxId: inbox, messages: Array.from({ length: n }, (_, i) => ({ raw: message(i + 1) })) });
    let turns = 0;
    const other = setInterval(() => turns++, 0);
    const uids = Array.from({ length: n }, (_, i) => i + 1);
    const { updated } = await t.store.messages.setFlags({ mailboxId: inbox, uids, op: 'add', flags: ['\\Deleted'] });
    const storeTurns = turns;
    assert.equal(updated.length, n);
    assert.equal(new Set(updated.map((u) => u.modseq)).size, 3, 'three commits, each with its MODSEQ');
    assert.deepEqual(await t.store.messages.expunge({ mailboxId: inbox, onlyDeleted: true }), uids);
    clearInterval(other);
    assert.ok(storeTurns > 0 && turns > storeTurns, 'other work ran between the commits');
    assert.equal(t.store.mailboxes.getById(inbox)!.count, 0);
    assert.deepEqual(t.store.checkConsistency(), []);
  } finally {
    await t.close();
  }
});

test('released references survive a close and are swept when the store opens again', async () => {
  const t = await storeWithAccount();
  const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
  for (let i = 0; i < 3; i++) await t.store.messages.append({ mailboxId: inbox, raw: message(i) });
  // Released in the expunge's commit; the process ends before any sweep runs (as a crash would).
  t.store.bodies.sweepSoon = () => undefined;
  assert.deepEqual(await t.store.messages.expunge({ mailboxId: inbox, onlyDeleted: false }), [1, 2, 3]);
  assert.equal(t.store.bodies.count(), 3);
  await t.store.close();
  const store = await Store.open(t.dir);
  try {
    assert.equal(storeInternals(store).dbs.released.getCount(), 3, 'the releases were kept');
    assert.deepEqual(store.checkConsistency(), []);
    await store.bodies.swept();
    assert.equal(store.bodies.count(), 0);
    assert.equal(storeInternals(store).dbs.released.getCount(), 0);
    assert.deepEqual(store.checkConsistency(), []);
  } finally {
    await store.close();
    rmSync(t.dir, { recursive: true, force: true });
  }
});

test('reads ahead asked for while the store closes are skipped, not run on a closed environment', async () => {
  const t = await storeWithAccount();
  const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
  for (let i = 0; i < 3; i++) await t.store.messages.append({ mailboxId: inbox, raw: message(i) });
  const hashes = t.store.messages.list(inbox).map((m) => m.hash);
  // Running when close() starts: lmdb-js waits for them. Asked for after: skipped (lmdb-js's
  // prefetch on a closed environment is a segmentation fault, which would end this test file).
  const settled = [t.store.messages.prefetchBodies(hashes), t.store.messages.prefetchMessages(inbox, [1, 2, 3], 'whole')];
  const closing = t.close();
  settled.push(t.store.messages.prefetchBodies(hashes), t.store.messages.prefetchMessages(inbox, [1, 2, 3], 'whole'));
  await closing;
  settled.push(t.store.messages.prefetchBodies(hashes), t.store.messages.prefetchMessages(inbox, [1, 2, 3], 'whole'));
  // Each settles (read, or skipped), so a pass waiting for one goes on.
  await Promise.all(settled);
  await new Promise((resolve) => setTimeout(resolve, 50));
});

test('a body reads back exact whatever its size, in a buffer free() gives back, and leaves no buffer its size behind', async () => {
  const t = await storeWithAccount();
  try {
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    const line = 'The quick brown fox jumps over the lazy dog, again and again.\r\n';
    // Stored values of each msgpack bin header (1, 2 and 4 length bytes), one uncompressed (under
    // 100 bytes) and one larger than lmdb-js's shared buffer is ever grown for a copy (32 KB).
    const raws = [10, 5_000, 70_000].map((n) => Buffer.from(`Subject: ${n}\r\n\r\n${line.repeat(Math.ceil(n / line.length))}`));
    await t.store.messages.appendMany({ mailboxId: inbox, messages: raws.map((raw) => ({ raw })) });
    const hashes = t.store.messages.list(inbox).map((r) => r.hash);
    for (const [i, hash] of hashes.entries()) {
      const body = t.store.messages.body(hash)!;
      assert.ok(body.equals(raws[i]!), `body ${i}`);
      free(body);
      assert.equal(body.length, 0, `body ${i}: freed at once`);
      assert.ok(t.store.messages.body(hash)!.equals(raws[i]!), `body ${i}, read again`);
    }
    // A 16 MB body read once, in a process with the malloc settings `serve` runs with (with
    // glibc's defaults a freed 16 MB block may stay in its heap): its memory goes when it is freed.
    // lmdb-js's get() kept a buffer twice its size, 16 MB of it written, for as long as the process
    // lived.
    const child = await promisify(execFile)(process.execPath, [fileURLToPath(new URL('../../test/support/big-body-read.ts', import.meta.url))], {
      env: { ...process.env, ...SERVE_ENV },
    });
    const { grewKb } = JSON.parse(child.stdout) as { grewKb: number };
    assert.ok(grewKb < 8 * 1024, `${grewKb} kB more anonymous memory after the read`);
  } finally {
    await t.close();
  }
});
