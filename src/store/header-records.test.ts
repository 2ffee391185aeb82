import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { message, storeInternals, storeWithAccount } from '../../test/support/temp-store.ts';
import { createLogger } from '../log/log.ts';
import { parseMessage } from '../mime/parse.ts';
import type { ParsedMessage } from '../mime/types.ts';
import { headersKey, metaKey } from './bodies.ts';
import { decodeHeaderRecord, encodeHeaderRecord, headerRecord } from './header-records.ts';
import type { BodyMetaRecord } from './records.ts';
import { Store } from './store.ts';

const threaded = Buffer.from(
  'From: =?utf-8?q?Ren=C3=A9?= <rene@example.org>, Bob <bob (desk)@example.org>\r\n' +
    'To: friends: ann@example.test, cid@example.test;, dee@example.test\r\n' +
    'Subject: =?utf-8?q?Re:_caf=C3=A9?=\r\nDate: Fri, 27 Nov 2026 10:00:00 +0100\r\n' +
    'Message-ID: <m2@example.org>\r\nReferences: <m0@example.org> <m1@example.org>\r\n\r\nbody\r\n',
);

test('a header record holds what SEARCH, SORT and THREAD read, and survives its stored form unchanged', () => {
  const parsed = parseMessage(threaded);
  const h = headerRecord(parsed, () => threaded);
  assert.equal(h.subject, 'Re: café');
  assert.equal(h.reply, true);
  assert.equal(h.baseSubject, parsed.headers.baseSubject);
  assert.equal(h.date, Date.UTC(2026, 10, 27, 9));
  assert.equal(h.messageId, 'm2@example.org');
  assert.deepEqual(h.references, ['m0@example.org', 'm1@example.org']);
  assert.deepEqual(h.from, parsed.envelope.from);
  assert.deepEqual(h.to, parsed.envelope.to, 'a group keeps its start and end markers');
  assert.equal(h.cc, null);
  assert.deepEqual(decodeHeaderRecord(encodeHeaderRecord(h)), h);
  const bare = headerRecord(parseMessage(Buffer.from('\r\nno header\r\n')), () => undefined);
  assert.equal(bare.subject, null);
  assert.equal(bare.messageId, null);
  assert.deepEqual(decodeHeaderRecord(encodeHeaderRecord(bare)), bare);
});

test('a parse older than the header index gets its record from the raw header', () => {
  const { headers: _, ...rest } = parseMessage(threaded);
  const old = { ...rest, version: 2 } as ParsedMessage;
  assert.deepEqual(
    headerRecord(old, () => threaded),
    headerRecord(parseMessage(threaded), () => undefined),
  );
  assert.throws(() => headerRecord(old, () => undefined));
});

test('the header record comes with the body, is shared by copies and goes with the last reference', async () => {
  const t = await storeWithAccount();
  try {
    const { bodies } = storeInternals(t.store).dbs;
    const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
    const other = (await t.store.mailboxes.create(t.account.id, 'Other')).id;
    await t.store.messages.append({ mailboxId: inbox, raw: threaded });
    const { hash } = t.store.messages.get(inbox, 1)!;
    assert.deepEqual(
      t.store.messages.headers(hash),
      headerRecord(parseMessage(threaded), () => undefined),
    );
    await t.store.messages.copy({ from: inbox, uids: [1], to: other });
    assert.equal(bodies.getCount(), 3, 'meta, raw and header record, once');
    await t.store.messages.setFlags({ mailboxId: inbox, uids: [1], op: 'add', flags: ['\\Deleted'] });
    await t.store.messages.expunge({ mailboxId: inbox, onlyDeleted: true });
    assert.ok(t.store.messages.headers(hash), 'the copy still refers to it');
    await t.store.messages.setFlags({ mailboxId: other, uids: [1], op: 'add', flags: ['\\Deleted'] });
    await t.store.messages.expunge({ mailboxId: other, onlyDeleted: true });
    await t.store.bodies.swept();
    assert.equal(t.store.messages.headers(hash), undefined);
    assert.equal(bodies.getCount(), 0);
    assert.deepEqual(t.store.checkConsistency(), []);
  } finally {
    await t.close();
  }
});

test('a store of format 2 gets a header record for every body when opened; a body without one is reported', async () => {
  const t = await storeWithAccount();
  const inbox = t.store.mailboxes.get(t.account.id, 'INBOX')!.id;
  for (let i = 1; i <= 5; i++) await t.store.messages.append({ mailboxId: inbox, raw: i === 3 ? threaded : message(i) });
  const ctx = storeInternals(t.store);
  const hashes = t.store.messages.list(inbox).map((m) => m.hash);
  const expected = hashes.map((h) => t.store.messages.headers(h));
  // As format 2 left it: no header records, the parse with its header index, and one body parsed
  // before the header index existed.
  await ctx.write(() => {
    hashes.forEach((h, i) => {
      ctx.dbs.bodies.removeSync(headersKey(h));
      const meta = ctx.dbs.bodies.get(metaKey(h)) as BodyMetaRecord;
      const full = parseMessage(t.store.messages.body(h)!);
      ctx.dbs.bodies.putSync(metaKey(h), { ...meta, parsed: i === 2 ? { ...meta.parsed, version: 2 } : full });
    });
    ctx.dbs.meta.putSync('format', 2);
  });
  const problems = t.store.checkConsistency();
  assert.equal(problems.length, 5);
  assert.ok(problems.every((p) => p.endsWith('no header record')));
  await t.store.close();

  const lines: string[] = [];
  const store = await Store.open(t.dir, createLogger({ write: (l: string) => lines.push(l) }));
  try {
    const migrated = lines.map((l) => JSON.parse(l)).find((l) => l.event === 'store.migrated');
    assert.equal(migrated.from, 2);
    assert.equal(migrated.bodies, 5);
    assert.deepEqual(
      hashes.map((h) => store.messages.headers(h)),
      expected,
    );
    assert.deepEqual(store.checkConsistency(), []);
  } finally {
    await store.close();
    rmSync(t.dir, { recursive: true, force: true });
  }
});
