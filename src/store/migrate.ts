// Brings a store written by an older homepost up to STORE_FORMAT when it is opened: one write, so a
// crash leaves the old format whole, and one log line. A store newer than the code is refused
// (store.ts).
import type { Database } from 'lmdb';
import { Bodies, readRaw } from './bodies.ts';
import type { StoreContext } from './context.ts';
import { withKeywords } from './flags.ts';
import { octetSize } from './octets.ts';
import { STORE_FORMAT } from './open.ts';
import { messageRange } from './mailbox-records.ts';
import type { MailboxRecord, MessageRecord } from './records.ts';

// Format 2: each message's POP3 octets (read once from its body, shared by copies), each mailbox's
// keyword list, tombstone count and last modification.
function toFormat2({ dbs }: StoreContext): { mailboxes: number; messages: number } {
  let mailboxes = 0;
  let messages = 0;
  const octetsOf = new Map<string, number>();
  for (const mb of [...dbs.mailboxes.all()]) {
    const range = messageRange(mb.id);
    let keywords: string[] = [];
    for (const { key, value: m } of [...dbs.messages.getRange(range)] as { key: [number, number]; value: MessageRecord }[]) {
      keywords = withKeywords(keywords, m.flags);
      const hash = m.hash.toString('hex');
      let octets = octetsOf.get(hash);
      if (octets === undefined) {
        const raw = readRaw(dbs.bodies, m.hash);
        octets = raw ? octetSize(raw) : m.size;
        octetsOf.set(hash, octets);
      }
      dbs.messages.putSync(key, { ...m, octets });
      messages++;
    }
    const tombstones = dbs.expunged.getKeysCount(range);
    dbs.mailboxes.putSync(mb.id, { ...mb, keywords, tombstones, vanishedSince: 0, modifiedModSeq: mb.highestModSeq });
    mailboxes++;
  }
  return { mailboxes, messages };
}

// Format 3: each body's header record, from its parse (and its raw header, for a parse older than
// the header index; reparse.ts replaces both later).
function toFormat3(ctx: StoreContext): number {
  const bodies = new Bodies(ctx);
  const hashes = [...ctx.dbs.bodies.getKeys()].filter((k) => k.at(-1) === 0).map((k) => Buffer.from(k.subarray(0, k.length - 1)));
  let n = 0;
  for (const hash of hashes) {
    const parsed = bodies.parsed(hash);
    if (!parsed) continue;
    bodies.putHeaders(hash, parsed);
    n++;
  }
  return n;
}

// Format 5: the header cache's chunks, one value each in format 4, are dropped; reads make them
// again, a column per key (header-cache.ts). It is a cache: nothing is lost.
function dropFormat4HeaderCache({ dbs }: StoreContext): number {
  let n = 0;
  for (const key of dbs.headerCache.getKeys()) {
    dbs.headerCache.removeSync(key);
    n++;
  }
  return n;
}

// Format 6: the mailbox records leave their own database for `messages`, each beside its
// mailbox's messages (mailbox-records.ts). First of the steps: the others read them there. The
// emptied database stays in the file, and nothing reads it.
function moveMailboxRecords({ dbs }: StoreContext, old: Database<MailboxRecord, number>): number {
  let n = 0;
  for (const { key, value } of [...old.getRange()]) {
    dbs.mailboxes.putSync(key, value);
    old.removeSync(key);
    n++;
  }
  return n;
}

export async function migrate(ctx: StoreContext, from: number): Promise<void> {
  if (from >= STORE_FORMAT) return;
  const started = Date.now();
  const { dbs } = ctx;
  const oldMailboxes = from < 6 ? ctx.env.openDB<MailboxRecord, number>({ name: 'mailboxes' }) : null;
  const done = await ctx.write(() => {
    const done = { mailboxes: 0, messages: 0, bodies: 0, headerCacheChunks: 0, mailboxRecordsMoved: 0 };
    if (oldMailboxes) done.mailboxRecordsMoved = moveMailboxRecords(ctx, oldMailboxes);
    if (from < 2) Object.assign(done, toFormat2(ctx));
    if (from < 3) done.bodies = toFormat3(ctx);
    // Format 4 adds two databases, which open.ts creates empty: nothing to convert.
    if (from < 5) done.headerCacheChunks = dropFormat4HeaderCache(ctx);
    // Format 7 writes records by fixed shapes (record-shapes.ts) and reads older ones as they are.
    dbs.meta.putSync('format', STORE_FORMAT);
    return done;
  });
  ctx.log.info('store.migrated', { from, to: STORE_FORMAT, ...done, ms: Date.now() - started });
}
