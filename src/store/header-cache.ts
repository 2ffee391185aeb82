// Per-mailbox cache of what SEARCH's header keys, SORT, THREAD and FETCH ENVELOPE read of each
// message: its body's header record (header-records.ts), its envelope (RFC 9051 7.5.2) and its
// INTERNALDATE. Kept in chunks of CHUNK_UIDS consecutive UIDs (headerCache database,
// [mailbox id, chunk] -> the chunk's columns, encodeChunk()), so that a whole mailbox is a walk
// over a few hundred compressed records in UID order instead of a random read of each body's
// records; the role Dovecot's dovecot.index.cache plays (docs/store.md). A column is decoded when
// a reader first needs it: SORT by date reads two arrays of numbers, SEARCH SUBJECT one of strings.
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
import { positionOfUid } from './uid-search.ts';

export const CHUNK_UIDS = 256;
// Chunks that gained rows wait for one commit together: a first full read of 50,000 messages writes
// about 200 of them, in 25 commits, holding at most this many in memory.
const WRITE_BATCH = 8;
// Chunks a reader asks lmdb-js to read ahead of it.
const PREFETCH_CHUNKS = 8;

type Flat = ReturnType<typeof flattenAddresses>;
// The envelope fields the header record does not already hold (it has subject decoded, not raw).
type StoredEnvelope = [date: string | null, subject: string | null, sender: Flat, replyTo: Flat, inReplyTo: string | null, messageId: string | null];
// A message's summary as made from its body, before it is stored in a chunk.
type Row = [uid: number, internalDate: number, headers: StoredHeaderRecord, envelope: StoredEnvelope];

// A stored chunk: LAYOUT and MIME_FORMAT_VERSION (u16 each), the row count n (u32); per row, in
// columns, UID (u32), INTERNALDATE, sent date and sent day (f64, NaN for none) and the reply marker
// (u8); then JSON arrays, each after its byte length (u32): subject, base subject, Message-ID,
// references, addresses [from, to, cc, bcc] and the rest of the envelope (PackedEnvelope).
const LAYOUT = 1;
const NUMBERS_PER_ROW = 4 + 8 + 8 + 8 + 1;
const JSON_COLUMNS = ['subject', 'baseSubject', 'messageId', 'references', 'addresses', 'envelope'] as const;
type JsonColumn = (typeof JSON_COLUMNS)[number];

// The envelope column holds 0 for a field that repeats another column: the raw subject and
// Message-ID when they are the decoded ones, Sender and Reply-To when they are From (RFC 9051
// 7.5.2 fills them in from From when the header lacks them). Half the column, in the benchmark.
type PackedEnvelope = [
  date: string | null,
  subject: string | null | 0,
  sender: Flat | 0,
  replyTo: Flat | 0,
  inReplyTo: string | null,
  messageId: string | null | 0,
];
const sameFlat = (a: Flat, b: Flat) => a === b || (a !== null && b !== null && a.length === b.length && a.every((x, i) => x === b[i]));

function packEnvelope([, , h, e]: Row): PackedEnvelope {
  const [date, subject, sender, replyTo, inReplyTo, messageId] = e;
  return [
    date,
    subject === h[0] ? 0 : subject,
    sameFlat(sender, h[7]) ? 0 : sender,
    sameFlat(replyTo, h[7]) ? 0 : replyTo,
    inReplyTo,
    messageId !== null && messageId === `<${h[6]}>` ? 0 : messageId,
  ];
}

function unpackEnvelope(p: PackedEnvelope, subject: string | null, from: Flat, messageId: string | null): StoredEnvelope {
  return [p[0], p[1] === 0 ? subject : p[1], p[2] === 0 ? from : p[2], p[3] === 0 ? from : p[3], p[4], p[5] === 0 ? `<${messageId}>` : p[5]];
}

const orNaN = (n: number | null) => (n === null ? Number.NaN : n);
const orNull = (n: number) => (Number.isNaN(n) ? null : n);

export function encodeChunk(rows: readonly Row[], version = MIME_FORMAT_VERSION): Buffer {
  const n = rows.length;
  const json = [
    rows.map((r) => r[2][0]),
    rows.map((r) => r[2][1]),
    rows.map((r) => r[2][6]),
    rows.map((r) => r[2][5]),
    rows.map((r) => [r[2][7], r[2][8], r[2][9], r[2][10]]),
    rows.map(packEnvelope),
  ].map((column) => Buffer.from(JSON.stringify(column)));
  const out = Buffer.alloc(8 + n * NUMBERS_PER_ROW + json.reduce((sum, b) => sum + 4 + b.length, 0));
  out.writeUInt16LE(LAYOUT, 0);
  out.writeUInt16LE(version, 2);
  out.writeUInt32LE(n, 4);
  rows.forEach((r, i) => {
    out.writeUInt32LE(r[0], 8 + 4 * i);
    out.writeDoubleLE(r[1], 8 + 4 * n + 8 * i);
    out.writeDoubleLE(orNaN(r[2][3]), 8 + 12 * n + 8 * i);
    out.writeDoubleLE(orNaN(r[2][4]), 8 + 20 * n + 8 * i);
    out.writeUInt8(r[2][2] ? 1 : 0, 8 + 28 * n + i);
  });
  let at = 8 + n * NUMBERS_PER_ROW;
  for (const b of json) {
    out.writeUInt32LE(b.length, at);
    b.copy(out, at + 4);
    at += 4 + b.length;
  }
  return out;
}

// A stored chunk, its JSON columns parsed on first use.
export class StoredChunk {
  readonly n: number;
  private buf: Buffer;
  private uids: Uint32Array;
  private starts = new Map<JsonColumn, [number, number]>();
  private parsed = new Map<JsonColumn, unknown[]>();

  private constructor(buf: Buffer) {
    this.buf = buf;
    this.n = buf.readUInt32LE(4);
    this.uids = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) this.uids[i] = buf.readUInt32LE(8 + 4 * i);
    let at = 8 + this.n * NUMBERS_PER_ROW;
    for (const c of JSON_COLUMNS) {
      const length = buf.readUInt32LE(at);
      this.starts.set(c, [at + 4, at + 4 + length]);
      at += 4 + length;
    }
  }

  // Null for a chunk of another layout or parser version: it is not used, and made again.
  static from(buf: Buffer | undefined): StoredChunk | null {
    if (!buf || buf.length < 8 || buf.readUInt16LE(0) !== LAYOUT || buf.readUInt16LE(2) !== MIME_FORMAT_VERSION) return null;
    return new StoredChunk(buf);
  }

  uid(i: number): number {
    return this.uids[i]!;
  }

  // The row holding this UID, or -1.
  indexOf(uid: number): number {
    return positionOfUid(this.uids, this.n, uid);
  }

  internalDate(i: number): number {
    return this.buf.readDoubleLE(8 + 4 * this.n + 8 * i);
  }

  date(i: number): number | null {
    return orNull(this.buf.readDoubleLE(8 + 12 * this.n + 8 * i));
  }

  sentDay(i: number): number | null {
    return orNull(this.buf.readDoubleLE(8 + 20 * this.n + 8 * i));
  }

  reply(i: number): boolean {
    return this.buf[8 + 28 * this.n + i] === 1;
  }

  column<T>(c: JsonColumn): T[] {
    let values = this.parsed.get(c);
    if (!values) {
      const [start, end] = this.starts.get(c)!;
      values = JSON.parse(this.buf.toString('utf8', start, end)) as unknown[];
      this.parsed.set(c, values);
    }
    return values as T[];
  }

  // Every row, for writing the chunk again with more.
  rows(): Row[] {
    const out: Row[] = [];
    for (let i = 0; i < this.n; i++) {
      const [from, to, cc, bcc] = this.column<Flat[]>('addresses')[i]!;
      const headers: StoredHeaderRecord = [
        this.column<string | null>('subject')[i]!,
        this.column<string>('baseSubject')[i]!,
        this.reply(i),
        this.date(i),
        this.sentDay(i),
        this.column<string[]>('references')[i]!,
        this.column<string | null>('messageId')[i]!,
        from!,
        to!,
        cc!,
        bcc!,
      ];
      out.push([this.uid(i), this.internalDate(i), headers, unpackEnvelope(this.column<PackedEnvelope>('envelope')[i]!, headers[0], from!, headers[6])]);
    }
    return out;
  }
}

export interface MessageSummary {
  readonly uid: number;
  readonly internalDate: number;
  readonly headers: HeaderRecord;
  readonly envelope: Envelope;
}

// A message's summary and header record, read from its chunk's columns as its fields are asked
// for: one object per message (a pass over a large mailbox makes one for each).
class ChunkSummary implements MessageSummary, HeaderRecord {
  #chunk: StoredChunk;
  #i: number;
  #addresses: (Address[] | null | undefined)[] | undefined;

  constructor(chunk: StoredChunk, i: number) {
    this.#chunk = chunk;
    this.#i = i;
  }

  get uid(): number {
    return this.#chunk.uid(this.#i);
  }
  get internalDate(): number {
    return this.#chunk.internalDate(this.#i);
  }
  get headers(): HeaderRecord {
    return this;
  }

  get subject(): string | null {
    return this.#chunk.column<string | null>('subject')[this.#i]!;
  }
  get baseSubject(): string {
    return this.#chunk.column<string>('baseSubject')[this.#i]!;
  }
  get reply(): boolean {
    return this.#chunk.reply(this.#i);
  }
  get date(): number | null {
    return this.#chunk.date(this.#i);
  }
  get sentDay(): number | null {
    return this.#chunk.sentDay(this.#i);
  }
  get references(): string[] {
    return this.#chunk.column<string[]>('references')[this.#i]!;
  }
  get messageId(): string | null {
    return this.#chunk.column<string | null>('messageId')[this.#i]!;
  }
  get from(): Address[] | null {
    return this.#address(0);
  }
  get to(): Address[] | null {
    return this.#address(1);
  }
  get cc(): Address[] | null {
    return this.#address(2);
  }
  get bcc(): Address[] | null {
    return this.#address(3);
  }

  get envelope(): Envelope {
    const chunk = this.#chunk;
    const i = this.#i;
    const [date, subject, sender, replyTo, inReplyTo, messageId] = unpackEnvelope(
      chunk.column<PackedEnvelope>('envelope')[i]!,
      this.subject,
      chunk.column<Flat[]>('addresses')[i]![0]!,
      this.messageId,
    );
    return {
      date,
      subject,
      from: this.from,
      sender: unflattenAddresses(sender),
      replyTo: unflattenAddresses(replyTo),
      to: this.to,
      cc: this.cc,
      bcc: this.bcc,
      inReplyTo,
      messageId,
    };
  }

  #address(k: number): Address[] | null {
    this.#addresses ??= [];
    let list = this.#addresses[k];
    if (list === undefined) list = this.#addresses[k] = unflattenAddresses(this.#chunk.column<Flat[]>('addresses')[this.#i]![k]!);
    return list;
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
    if (!this.ctx.isOpen) return;
    const keys: [number, number][] = [];
    for (let c = from; c <= to; c++) keys.push([mailboxId, c]);
    this.ctx.dbs.headerCache.prefetch(keys).catch((e: unknown) => this.ctx.log.warn('store.prefetch_failed', { error: e }));
  }

  load(mailboxId: number, chunk: number): StoredChunk | null {
    return StoredChunk.from(this.ctx.dbs.headerCache.get([mailboxId, chunk]));
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
          if (this.ctx.dbs.mailboxes.doesExist(key[0])) this.ctx.dbs.headerCache.putSync(key, encodeChunk(rows));
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
  private stored: StoredChunk | null = null;
  // Rows of the chunk made from bodies in this pass, each also as a chunk of its own to read from.
  private added = new Map<number, [Row, StoredChunk]>();
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
      this.stored = this.cache.load(this.mailboxId, chunk);
    }
    const i = this.stored ? this.stored.indexOf(uid) : -1;
    if (i >= 0) return new ChunkSummary(this.stored!, i);
    let added = this.added.get(uid);
    if (!added) {
      const r = record();
      const row = r ? this.cache.row(r) : undefined;
      if (!row) return undefined;
      added = [row, StoredChunk.from(encodeChunk([row]))!];
      this.added.set(uid, added);
    }
    return new ChunkSummary(added[1], 0);
  }

  // Ends the pass: the chunk in hand is kept if it gained rows, and what waits is written.
  close(): void {
    this.keepChunk();
    this.cache.flush();
  }

  private keepChunk(): void {
    if (this.added.size) this.cache.keep(this.mailboxId, this.chunk, [...(this.stored?.rows() ?? []), ...[...this.added.values()].map(([row]) => row)]);
    this.added.clear();
  }
}
