// The pass that re-parses bodies whose stored parse predates the current MIME parser, against
// parsed records made stale in LMDB directly.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { message, storeInternals, storeWithAccount } from '../../test/support/temp-store.ts';
import { createLogger, silentLogger } from '../log/log.ts';
import { parseMessage } from '../mime/parse.ts';
import { headerRecord } from './header-records.ts';
import { MIME_FORMAT_VERSION, type MessageStructure } from '../mime/types.ts';
import { metaKey, PARSED_SINCE } from './bodies.ts';
import type { Store } from './store.ts';
import type { BodyMetaRecord } from './records.ts';
import { reparseStale } from './reparse.ts';

const parse = async (raw: Buffer) => parseMessage(raw);
// A parse as the store keeps it: its header index goes to the body's header record.
const stored = (raw: Buffer) => {
  const { headers: _, ...rest } = parseMessage(raw);
  return rest;
};

// As a store written by an older parser says (a new store says the current one).
const markOlder = (store: Store) => storeInternals(store).dbs.meta.put(PARSED_SINCE, MIME_FORMAT_VERSION - 1);

test('bodies parsed by an older parser are parsed again from the raw message; current ones are left alone', async () => {
  const t = await storeWithAccount();
  try {
    const { store } = t;
    const inbox = store.mailboxes.get(t.account.id, 'INBOX')!;
    for (let n = 1; n <= 5; n++)
      await store.messages.append({ mailboxId: inbox.id, raw: message(n, n === 2 ? 'Content-Type: text/plain; charset=utf-8\r\n' : '') });
    const messages = store.messages.list(inbox.id);
    // Messages 2 and 4 as an older parser left them: an earlier version and another line count.
    const stale = [messages[1].hash, messages[3].hash].sort(Buffer.compare);
    for (const hash of stale) {
      const meta = storeInternals(store).dbs.bodies.get(metaKey(hash)) as BodyMetaRecord;
      const old: MessageStructure = { ...meta.parsed, version: MIME_FORMAT_VERSION - 1, root: { ...meta.parsed.root, lines: meta.parsed.root.lines + 7 } };
      await storeInternals(store).dbs.bodies.put(metaKey(hash), { ...meta, parsed: old });
    }
    const current = store.bodies.parsed(messages[0].hash);
    assert.deepEqual(store.bodies.staleParsed(undefined, 100).stale, stale);

    // While the store says every body is parsed by this parser, nothing is read or parsed.
    assert.equal(store.bodies.parsedSince(), MIME_FORMAT_VERSION);
    const never = async () => assert.fail('a store marked current is not walked');
    assert.deepEqual(await reparseStale(store, { parse: never, log: silentLogger }), { reparsed: 0, failed: 0 });
    await markOlder(store);

    // One record per slice: the walk still finds both.
    const r = await reparseStale(store, { parse, log: silentLogger, scan: 1 });
    assert.deepEqual(r, { reparsed: 2, failed: 0 });
    for (const hash of stale) {
      const parsed = store.bodies.parsed(hash)!;
      assert.equal(parsed.version, MIME_FORMAT_VERSION);
      assert.deepEqual(parsed, stored(store.bodies.get(hash)!));
      assert.deepEqual(
        store.bodies.headers(hash),
        headerRecord(parseMessage(store.bodies.get(hash)!), () => undefined),
      );
      assert.equal(store.bodies.refs(hash), 1);
    }
    assert.deepEqual(store.bodies.parsed(messages[0].hash), current);
    assert.deepEqual(store.bodies.staleParsed(undefined, 100), { stale: [], next: undefined });
    assert.equal(store.bodies.parsedSince(), MIME_FORMAT_VERSION, 'a complete pass marks the store current');
  } finally {
    await t.close();
  }
});

test('a body that fails to parse is counted and logged, the others are still upgraded; a signal stops the pass', async () => {
  const t = await storeWithAccount();
  try {
    const { store } = t;
    const inbox = store.mailboxes.get(t.account.id, 'INBOX')!;
    for (let n = 1; n <= 3; n++) await store.messages.append({ mailboxId: inbox.id, raw: message(n) });
    const hashes = store.messages.list(inbox.id).map((m) => m.hash);
    for (const hash of hashes) {
      const meta = storeInternals(store).dbs.bodies.get(metaKey(hash)) as BodyMetaRecord;
      await storeInternals(store).dbs.bodies.put(metaKey(hash), { ...meta, parsed: { ...meta.parsed, version: 1 } });
    }
    await markOlder(store);
    const broken = hashes[1];
    const lines: string[] = [];
    const log = createLogger({ write: (line) => lines.push(line) });
    const failing = async (raw: Buffer) => {
      if (store.bodies.get(broken)!.equals(raw)) throw new Error('worker ran out of memory');
      return parseMessage(raw);
    };
    const stopped = new AbortController();
    stopped.abort();
    assert.deepEqual(await reparseStale(store, { parse: failing, log, signal: stopped.signal }), { reparsed: 0, failed: 0 });
    assert.deepEqual(await reparseStale(store, { parse: failing, log }), { reparsed: 2, failed: 1 });
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).event),
      ['store.reparse_failed'],
    );
    assert.deepEqual(store.bodies.staleParsed(undefined, 100).stale, [broken]);
    assert.equal(store.bodies.parsedSince(), MIME_FORMAT_VERSION - 1, 'a pass with a failure leaves the mark, so the next start tries again');
  } finally {
    await t.close();
  }
});

test('a body record without a parsed form gets one', async () => {
  const t = await storeWithAccount();
  try {
    const { store } = t;
    const inbox = store.mailboxes.get(t.account.id, 'INBOX')!;
    await store.messages.append({ mailboxId: inbox.id, raw: message(1) });
    const { hash } = store.messages.list(inbox.id)[0];
    const { refs, size } = storeInternals(store).dbs.bodies.get(metaKey(hash)) as BodyMetaRecord;
    await storeInternals(store).dbs.bodies.put(metaKey(hash), { refs, size } as BodyMetaRecord);
    await markOlder(store);
    assert.deepEqual(await reparseStale(store, { parse, log: silentLogger }), { reparsed: 1, failed: 0 });
    assert.deepEqual(store.bodies.parsed(hash), stored(store.bodies.get(hash)!));
  } finally {
    await t.close();
  }
});
