// Per-mailbox cache of what SEARCH's header keys, SORT, THREAD and FETCH ENVELOPE read of each
// message: its body's header record (header-records.ts), its envelope (RFC 9051 7.5.2) and its
// INTERNALDATE. Kept in chunks of CHUNK_UIDS consecutive UIDs (headerCache database,
// [mailbox id, chunk] -> [parser version, rows]), so that a whole mailbox is a walk over a few
// hundred compressed records in UID order instead of a random read of each body's records; the
// role Dovecot's dovecot.index.cache plays (docs/store.md).
//
// Filled by reading, never by delivering: a delivery writes nothing more to the card. A row missing
// from its chunk is made from the body, and a chunk that gained rows is written back once no new
// message can join it (its UIDs all below UIDNEXT, RFC 9051 2.3.1.1: UIDs only grow), so the chunk
// still open to new messages is always read from the bodies. Rows never change (a message is
// immutable); rows of expunged messages are dropped when their chunk is written again.
import type { Address, Envelope } from '../mime/index.ts';
import { MIME_FORMAT_VERSION } from '../mime/index.ts';
import type { Bodies } from './bodies.ts';
import type { StoreContext } from './context.ts';
import type { Dbs } from './open.ts';
import { flattenAddresses, unflattenAddresses, type HeaderRecord, type StoredHeaderRecord } from './header-records.ts';
import type { MessageRecord } from './records.ts';

export const CHUNK_UIDS = 256;
// Chunks that gained rows wait for one commit together: a first full read of 50,000 messages writes
// about 200 of them, in 25 commits, holding at most this many in memory.
const WRITE_BATCH = 8;
// Chunks a reader asks lmdb-js to read ahead of it.
const PREFETCH_CHUNKS = 8;

type Flat = ReturnType<typeof flattenAddresses>;
// The envelope fields the header record does not already hold (it has subject decoded, not raw).
type StoredEnvelope = [date: string | null, subject: string | null, sender: Flat, replyTo: Flat, inReplyTo: string | null, messageId: string | null];
type Row = [uid: number, internalDate: number, headers: StoredHeaderRecord, envelope: StoredEnvelope];
type StoredChunk = [version: number, rows: Row[]];

export interface MessageSummary {
  readonly uid: number;
  readonly internalDate: number;
  readonly headers: HeaderRecord;
  readonly envelope: Envelope;
}

// A header record whose addresses are unflattened when first read (SORT by date, THREAD and
// SEARCH SUBJECT read none).
class CachedHeaders implements HeaderRecord {
  readonly subject: string | null;
  readonly baseSubject: string;
  readonly reply: boolean;
  readonly date: number | null;
  readonly sentDay: number | null;
  readonly references: string[];
  readonly messageId: string | null;
  #stored: StoredHeaderRecord;
  #addresses: (Address[] | null | undefined)[] = [];

  constructor(stored: StoredHeaderRecord) {
    [this.subject, this.baseSubject, this.reply, this.date, this.sentDay, this.references, this.messageId] = stored;
    this.#stored = stored;
  }

  #address(i: 7 | 8 | 9 | 10): Address[] | null {
    let list = this.#addresses[i - 7];
    if (list === undefined) list = this.#addresses[i - 7] = unflattenAddresses(this.#stored[i]);
    return list;
  }

  get from(): Address[] | null {
    return this.#address(7);
  }

  get to(): Address[] | null {
    return this.#address(8);
  }

  get cc(): Address[] | null {
    return this.#address(9);
  }

  get bcc(): Address[] | null {
    return this.#address(10);
  }
}

// Decoded as far as it is read: a search or a sort reads a few header fields, FETCH the envelope.
class Summary implements MessageSummary {
  #row: Row;
  #headers: HeaderRecord | undefined;

  constructor(row: Row) {
    this.#row = row;
  }

  get uid(): number {
    return this.#row[0];
  }

  get internalDate(): number {
    return this.#row[1];
  }

  get headers(): HeaderRecord {
    this.#headers ??= new CachedHeaders(this.#row[2]);
    return this.#headers;
  }

  get envelope(): Envelope {
    const h = this.headers;
    const [date, subject, sender, replyTo, inReplyTo, messageId] = this.#row[3];
    return {
      date,
      subject,
      from: h.from,
      sender: unflattenAddresses(sender),
      replyTo: unflattenAddresses(replyTo),
      to: h.to,
      cc: h.cc,
      bcc: h.bcc,
      inReplyTo,
      messageId,
    };
  }
}

const chunkOf = (uid: number) => Math.floor(uid / CHUNK_UIDS);

export class HeaderCache {
  private ctx: StoreContext;
  private bodies: Bodies;
  private queued = new Map<string, { key: [number, number]; rows: Row[] }>();

  constructor(ctx: StoreContext, bodies: Bodies) {
    this.ctx = ctx;
    this.bodies = bodies;
  }

  // A reader for one command's pass over a mailbox, in any UID order (ascending is cheapest).
  reader(mailboxId: number): HeaderCacheReader {
    return new HeaderCacheReader(this, mailboxId);
  }

  // Reads chunks into memory on lmdb-js's own thread (db.prefetch), so that the reads of a pass
  // that come to them find their pages in memory instead of faulting on the event loop.
  prefetch(mailboxId: number, from: number, to: number): void {
    const keys: [number, number][] = [];
    for (let c = from; c <= to; c++) keys.push([mailboxId, c]);
    this.ctx.dbs.headerCache.prefetch(keys).catch((e: unknown) => this.ctx.log.warn('store.prefetch_failed', { error: e }));
  }

  load(mailboxId: number, chunk: number): Row[] {
    const stored = this.ctx.dbs.headerCache.get([mailboxId, chunk]) as StoredChunk | undefined;
    return stored && stored[0] === MIME_FORMAT_VERSION ? stored[1] : [];
  }

  // The row of a message, from its body's records; undefined when the body is gone.
  row(record: MessageRecord): Row | undefined {
    const stored = this.bodies.storedHeaders(record.hash);
    const e = this.bodies.parsed(record.hash)?.envelope;
    if (!stored || !e) return undefined;
    return [record.uid, record.internalDate, stored, [e.date, e.subject, flattenAddresses(e.sender), flattenAddresses(e.replyTo), e.inReplyTo, e.messageId]];
  }

  // A chunk that gained rows, written back when no new message can join it and no body's parse is
  // due to be replaced (reparse.ts rewrites header records; rows made from the old ones would stay).
  keep(mailboxId: number, chunk: number, rows: Row[]): void {
    const mb = this.ctx.dbs.mailboxes.get(mailboxId);
    if (!mb || (chunk + 1) * CHUNK_UIDS > mb.uidNext || this.bodies.parsedSince() < MIME_FORMAT_VERSION) return;
    const live = rows.filter((r) => this.ctx.dbs.messages.doesExist([mailboxId, r[0]]));
    this.queued.set(`${mailboxId}/${chunk}`, { key: [mailboxId, chunk], rows: live.sort((a, b) => a[0] - b[0]) });
    if (this.queued.size >= WRITE_BATCH) this.flush();
  }

  // Writes the queued chunks in one commit. A cache write that fails costs only speed: logged.
  flush(): void {
    if (!this.queued.size) return;
    const batch = [...this.queued.values()];
    this.queued.clear();
    this.ctx
      .write(() => {
        for (const { key, rows } of batch) {
          if (this.ctx.dbs.mailboxes.doesExist(key[0])) this.ctx.dbs.headerCache.putSync(key, [MIME_FORMAT_VERSION, rows] satisfies StoredChunk);
        }
      })
      .catch((e: unknown) => this.ctx.log.warn('store.header_cache_write_failed', { error: e }));
  }
}

// Inside a write: the cache of a mailbox being removed.
export function dropHeaderCache(dbs: Dbs, mailboxId: number): void {
  for (const key of dbs.headerCache.getKeys({ start: [mailboxId], end: [mailboxId + 1] })) dbs.headerCache.removeSync(key);
}

export class HeaderCacheReader {
  private cache: HeaderCache;
  private mailboxId: number;
  private chunk = -1;
  private rows = new Map<number, Row>();
  private added = 0;
  private prefetched = -1; // the last chunk read ahead

  constructor(cache: HeaderCache, mailboxId: number) {
    this.cache = cache;
    this.mailboxId = mailboxId;
  }

  // The summary of the message with this UID; `record` is read only when its row is not cached.
  // Undefined when the message or its body is gone.
  get(uid: number, record: () => MessageRecord | null): MessageSummary | undefined {
    const chunk = chunkOf(uid);
    if (chunk !== this.chunk) {
      this.keepChunk();
      this.chunk = chunk;
      // The next chunks are read ahead, PREFETCH_CHUNKS at a time.
      if (chunk >= this.prefetched) {
        this.prefetched = chunk + PREFETCH_CHUNKS;
        this.cache.prefetch(this.mailboxId, chunk + 1, this.prefetched);
      }
      this.rows = new Map(this.cache.load(this.mailboxId, chunk).map((r) => [r[0], r]));
    }
    let row = this.rows.get(uid);
    if (!row) {
      const r = record();
      row = r ? this.cache.row(r) : undefined;
      if (!row) return undefined;
      this.rows.set(uid, row);
      this.added++;
    }
    return new Summary(row);
  }

  // Ends the pass: the chunk in hand is kept if it gained rows, and what waits is written.
  close(): void {
    this.keepChunk();
    this.cache.flush();
  }

  private keepChunk(): void {
    if (this.added) this.cache.keep(this.mailboxId, this.chunk, [...this.rows.values()]);
    this.added = 0;
  }
}
