// Per-mailbox cache of what SEARCH's header keys, SORT, THREAD and FETCH ENVELOPE read of each
// message: its body's header record (header-records.ts), its envelope (RFC 9051 7.5.2) and its
// INTERNALDATE. Kept in chunks of CHUNK_UIDS consecutive UIDs, each column of a chunk its own value
// (headerCache database, [mailbox id, chunk, part] -> encodeChunk()'s parts), so that a whole mailbox
// is a walk over a few hundred compressed records in UID order instead of a random read of each
// body's records; the role Dovecot's dovecot.index.cache plays (docs/store.md). A column is read and
// decoded when a reader first needs it: SORT by date reads the numbers part only, SEARCH SUBJECT
// that and the subjects.
//
// Filled by reading, never by delivering: a delivery writes nothing more to the card. A row missing
// from its chunk is made from the body, and a chunk that gained rows is written back once no new
// message can join it (its UIDs all below UIDNEXT, RFC 9051 2.3.1.1: UIDs only grow), so the chunk
// still open to new messages is always read from the bodies. Rows never change (a message is
// immutable); rows of expunged messages are dropped when their chunk is written again.
import type { Address, Envelope } from '../mime/index.ts';
import { randomInt } from 'node:crypto';
import { MIME_FORMAT_VERSION } from '../mime/index.ts';
import { selectKeys, ThreadKeys } from '../mime/thread-key.ts';
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

// A stored chunk, in parts written together in one commit. Part 0, the numbers: LAYOUT and
// MIME_FORMAT_VERSION (u16 each), the row count n and the write's stamp (u32 each); per row, in
// columns, UID (u32), INTERNALDATE, sent date and sent day (f64, NaN for none) and the reply marker
// (u8). Then a part per JSON column, in JSON_COLUMNS order: the stamp (u32) and a JSON array of
// subject, base subject, Message-ID, references, addresses [from, to, cc, bcc] or the rest of the
// envelope (PackedEnvelope). Last, THREAD's part: the stamp and the rows' ThreadKeys
// (src/mime/thread-key.ts), numbers that THREAD reads instead of three JSON columns. The stamp
// tells a part from a chunk written since (StoredChunk.column).
const LAYOUT = 3;
const HEAD = 12;
const NUMBERS_PER_ROW = 4 + 8 + 8 + 8 + 1;
const JSON_COLUMNS = ['subject', 'baseSubject', 'messageId', 'references', 'addresses', 'envelope'] as const;
export type JsonColumn = (typeof JSON_COLUMNS)[number];
const THREAD_PART = 1 + JSON_COLUMNS.length;
export const CHUNK_PARTS = THREAD_PART + 1;
// A column's part number, less one.
const COLUMN: Record<JsonColumn, number> = { subject: 0, baseSubject: 1, messageId: 2, references: 3, addresses: 4, envelope: 5 };

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

// A row's value in a JSON column.
function columnValue(r: Row, c: JsonColumn): unknown {
  const h = r[2];
  switch (c) {
    case 'subject':
      return h[0];
    case 'baseSubject':
      return h[1];
    case 'messageId':
      return h[6];
    case 'references':
      return h[5];
    case 'addresses':
      return [h[7], h[8], h[9], h[10]];
    case 'envelope':
      return packEnvelope(r);
  }
}

// What a reader reads of a chunk's row `i`: a stored chunk's, or a row made from its body in this
// pass (RowChunk).
interface ChunkRows {
  uid(i: number): number;
  internalDate(i: number): number;
  date(i: number): number | null;
  sentDay(i: number): number | null;
  reply(i: number): boolean;
  column<T>(c: JsonColumn): T[];
  threadKeys(): ThreadKeys;
}

// The parts of a chunk of these rows (ascending UIDs).
export function encodeChunk(rows: readonly Row[], version = MIME_FORMAT_VERSION, stamp = randomInt(2 ** 32)): Buffer[] {
  const n = rows.length;
  const numbers = Buffer.alloc(HEAD + n * NUMBERS_PER_ROW);
  numbers.writeUInt16LE(LAYOUT, 0);
  numbers.writeUInt16LE(version, 2);
  numbers.writeUInt32LE(n, 4);
  numbers.writeUInt32LE(stamp, 8);
  rows.forEach((r, i) => {
    numbers.writeUInt32LE(r[0], HEAD + 4 * i);
    numbers.writeDoubleLE(r[1], HEAD + 4 * n + 8 * i);
    numbers.writeDoubleLE(orNaN(r[2][3]), HEAD + 12 * n + 8 * i);
    numbers.writeDoubleLE(orNaN(r[2][4]), HEAD + 20 * n + 8 * i);
    numbers.writeUInt8(r[2][2] ? 1 : 0, HEAD + 28 * n + i);
  });
  const json = JSON_COLUMNS.map((c) => {
    const text = JSON.stringify(rows.map((r) => columnValue(r, c)));
    const part = Buffer.alloc(4 + Buffer.byteLength(text));
    part.writeUInt32LE(stamp, 0);
    part.write(text, 4);
    return part;
  });
  return [numbers, ...json, stamped(stamp, threadKeysOf(rows).encode())];
}

const stamped = (stamp: number, bytes: Buffer) => {
  const part = Buffer.alloc(4 + bytes.length);
  part.writeUInt32LE(stamp, 0);
  bytes.copy(part, 4);
  return part;
};

// What THREAD's keys are made of, in a header record.
const threadStrings = (h: StoredHeaderRecord) => ({ baseSubject: h[1], messageId: h[6], references: h[5] });
const threadKeysOf = (rows: readonly Row[]) => ThreadKeys.of(rows.map((r) => threadStrings(r[2])));

// A row's column values for a row the chunk no longer holds (remap in StoredChunk.column).
const NO_VALUE: Record<JsonColumn, unknown> = {
  subject: null,
  baseSubject: '',
  messageId: null,
  references: [],
  addresses: [null, null, null, null],
  envelope: [null, 0, 0, 0, null, 0],
};

// A stored chunk, read part by part: the numbers at once, a JSON column on first use.
export class StoredChunk implements ChunkRows {
  readonly n: number;
  private numbers: Buffer;
  private stamp: number;
  private uids: Uint32Array;
  private read: (part: number) => Buffer | undefined;
  private parsed: (unknown[] | undefined)[] = new Array(JSON_COLUMNS.length).fill(undefined);
  private keys: ThreadKeys | null = null;

  private constructor(numbers: Buffer, read: (part: number) => Buffer | undefined) {
    this.numbers = numbers;
    this.read = read;
    this.n = numbers.readUInt32LE(4);
    this.stamp = numbers.readUInt32LE(8);
    this.uids = new Uint32Array(this.n);
    for (let i = 0; i < this.n; i++) this.uids[i] = numbers.readUInt32LE(HEAD + 4 * i);
  }

  // From its numbers part and a way to read its parts; null for a chunk of another layout or
  // parser version: it is not used, and made again.
  static from(numbers: Buffer | undefined, read: (part: number) => Buffer | undefined): StoredChunk | null {
    if (!numbers || numbers.length < HEAD || numbers.readUInt16LE(0) !== LAYOUT || numbers.readUInt16LE(2) !== MIME_FORMAT_VERSION) return null;
    return new StoredChunk(numbers, read);
  }

  // The JSON columns parsed so far, as part numbers: what a pass reads of each chunk.
  get partsRead(): number[] {
    const parts: number[] = [];
    for (let k = 0; k < JSON_COLUMNS.length; k++) if (this.parsed[k]) parts.push(1 + k);
    if (this.keys) parts.push(THREAD_PART);
    return parts;
  }

  uid(i: number): number {
    return this.uids[i]!;
  }

  // The row holding this UID, or -1.
  indexOf(uid: number): number {
    return positionOfUid(this.uids, this.n, uid);
  }

  internalDate(i: number): number {
    return this.numbers.readDoubleLE(HEAD + 4 * this.n + 8 * i);
  }

  date(i: number): number | null {
    return orNull(this.numbers.readDoubleLE(HEAD + 12 * this.n + 8 * i));
  }

  sentDay(i: number): number | null {
    return orNull(this.numbers.readDoubleLE(HEAD + 20 * this.n + 8 * i));
  }

  reply(i: number): boolean {
    return this.numbers[HEAD + 28 * this.n + i] === 1;
  }

  column<T>(c: JsonColumn): T[] {
    const k = COLUMN[c];
    let values = this.parsed[k];
    if (!values) {
      values = this.load(c);
      this.parsed[k] = values;
    }
    return values as T[];
  }

  // THREAD's keys of the rows (the last part), read on first use.
  threadKeys(): ThreadKeys {
    this.keys ??= this.loadKeys();
    return this.keys;
  }

  private loadKeys(): ThreadKeys {
    const part = this.read(THREAD_PART);
    if (part && part.readUInt32LE(0) === this.stamp) return ThreadKeys.decode(part.subarray(4));
    // Written again since, as in load(): the rows are found by UID in the current chunk.
    const current = StoredChunk.from(this.read(0), this.read);
    if (!current) throw new Error('header cache chunk removed while read');
    return selectKeys(current.threadKeys(), this.n, (i) => current.indexOf(this.uids[i]!));
  }

  private load(c: JsonColumn): unknown[] {
    const part = this.read(1 + COLUMN[c]);
    if (part && part.readUInt32LE(0) === this.stamp) return JSON.parse(part.toString('utf8', 4)) as unknown[];
    // The chunk was written again since its numbers were read, in an earlier turn (a pass of
    // another session added rows to it). Its current parts are read now, in this turn, so they
    // match; this chunk's rows are found in them by UID. A rewrite keeps the row of every message
    // that exists (HeaderCache.keep): a row it dropped is an expunged message's, which no reader
    // asks for (they check the mailbox index first), and gets NO_VALUE.
    const current = StoredChunk.from(this.read(0), this.read);
    if (!current) throw new Error('header cache chunk removed while read');
    const values = current.column(c);
    const out = new Array<unknown>(this.n);
    for (let i = 0; i < this.n; i++) {
      const j = current.indexOf(this.uids[i]!);
      out[i] = j < 0 ? NO_VALUE[c] : values[j];
    }
    return out;
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

// A row made from its body in this pass, read as a chunk of one row as it is (not encoded). The
// header record is read at once; the envelope, from the whole parse, only when a reader asks for
// it (FETCH ENVELOPE) or the row is kept: SORT, THREAD and SEARCH do not.
class RowChunk implements ChunkRows {
  readonly record: MessageRecord;
  private headers: StoredHeaderRecord;
  private cache: HeaderCache;
  private whole: Row | undefined | null = null;
  // The row without its envelope: what the other columns are read from.
  private partial: Row;

  constructor(cache: HeaderCache, record: MessageRecord, headers: StoredHeaderRecord) {
    this.cache = cache;
    this.record = record;
    this.headers = headers;
    this.partial = [record.uid, record.internalDate, headers, NO_ENVELOPE];
  }

  // The whole row; undefined when the body's parse is gone.
  row(): Row | undefined {
    if (this.whole === null) this.whole = this.cache.row(this.record, this.headers);
    return this.whole;
  }

  uid(): number {
    return this.record.uid;
  }
  internalDate(): number {
    return this.record.internalDate;
  }
  date(): number | null {
    return this.headers[3];
  }
  sentDay(): number | null {
    return this.headers[4];
  }
  reply(): boolean {
    return this.headers[2];
  }
  column<T>(c: JsonColumn): T[] {
    if (c !== 'envelope') return [columnValue(this.partial, c) as T];
    const row = this.row();
    return [(row ? columnValue(row, c) : NO_VALUE.envelope) as T];
  }
  threadKeys(): ThreadKeys {
    return ThreadKeys.of([threadStrings(this.headers)]);
  }
}

const NO_ENVELOPE: StoredEnvelope = [null, null, null, null, null, null];

export interface MessageSummary {
  readonly uid: number;
  readonly internalDate: number;
  readonly headers: HeaderRecord;
  readonly envelope: Envelope;
}

// A message's summary and header record, read from its chunk's columns as its fields are asked
// for: one object per message (a pass over a large mailbox makes one for each).
class ChunkSummary implements MessageSummary, HeaderRecord {
  #chunk: ChunkRows;
  #i: number;
  #addresses: (Address[] | null | undefined)[] | undefined;

  constructor(chunk: ChunkRows, i: number) {
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

  // Reads parts of chunks into memory on lmdb-js's own thread (db.prefetch), so that the reads of
  // a pass that come to them find their pages in memory instead of faulting on the event loop.
  prefetch(mailboxId: number, from: number, to: number, parts: readonly number[]): void {
    if (!this.ctx.isOpen) return;
    const keys: [number, number, number][] = [];
    for (let c = from; c <= to; c++) for (const part of parts) keys.push([mailboxId, c, part]);
    this.ctx.dbs.headerCache.prefetch(keys).catch((e: unknown) => this.ctx.log.warn('store.prefetch_failed', { error: e }));
  }

  load(mailboxId: number, chunk: number): StoredChunk | null {
    return readChunk(this.ctx.dbs, mailboxId, chunk);
  }

  // A message's header record, from its body's records; undefined when the body is gone.
  headersOf(record: MessageRecord): StoredHeaderRecord | undefined {
    return this.bodies.storedHeaders(record.hash);
  }

  // The row of a message, from its body's records (its header record when read already); undefined
  // when the body is gone.
  row(record: MessageRecord, stored = this.bodies.storedHeaders(record.hash)): Row | undefined {
    const e = this.bodies.parsed(record.hash)?.envelope;
    if (!stored || !e) return undefined;
    return [record.uid, record.internalDate, stored, [e.date, e.subject, flattenAddresses(e.sender), flattenAddresses(e.replyTo), e.inReplyTo, e.messageId]];
  }

  // A chunk that gained rows, written back when no new message can join it and no body's parse is
  // due to be replaced (reparse.ts rewrites header records; rows made from the old ones would stay).
  // The rows are made only then (a row made from a body reads its whole parse for the envelope).
  keep(mailboxId: number, chunk: number, made: () => Row[]): void {
    const mb = this.ctx.dbs.mailboxes.get(mailboxId);
    if (!mb || (chunk + 1) * CHUNK_UIDS > mb.uidNext || this.bodies.parsedSince() < MIME_FORMAT_VERSION) return;
    const live = made().filter((r) => this.ctx.dbs.messages.doesExist([mailboxId, r[0]]));
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
          if (this.ctx.dbs.mailboxes.doesExist(key[0])) writeChunk(this.ctx.dbs, key[0], key[1], encodeChunk(rows));
        }
      })
      .catch((e: unknown) => this.ctx.log.warn('store.header_cache_write_failed', { error: e }));
  }
}

export function readChunk(dbs: Dbs, mailboxId: number, chunk: number): StoredChunk | null {
  const read = (part: number) => dbs.headerCache.get([mailboxId, chunk, part]);
  return StoredChunk.from(read(0), read);
}

// Inside a write: every part of a chunk.
export function writeChunk(dbs: Dbs, mailboxId: number, chunk: number, parts: readonly Buffer[]): void {
  for (const [i, part] of parts.entries()) dbs.headerCache.putSync([mailboxId, chunk, i], part);
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
  // Rows of the chunk made from bodies in this pass, each read as a chunk of one row.
  private added = new Map<number, RowChunk>();
  private prefetched = -1; // the last chunk read ahead
  // The row locate() found: its chunk and position.
  private found: ChunkRows | null = null;
  private foundAt = 0;

  constructor(cache: HeaderCache, mailboxId: number) {
    this.cache = cache;
    this.mailboxId = mailboxId;
  }

  // The summary of the message with this UID; `record` is read only when its row is not cached.
  // Undefined when the message or its body is gone.
  get(uid: number, record: () => MessageRecord | null): MessageSummary | undefined {
    return this.locate(uid, record) ? new ChunkSummary(this.found!, this.foundAt) : undefined;
  }

  // RFC 5256 3 DATE's value, the sent date or else the INTERNALDATE, and ARRIVAL's, without a
  // summary object (SORT over a whole mailbox); undefined as get().
  sentDate(uid: number, record: () => MessageRecord | null): number | undefined {
    return this.locate(uid, record) ? this.foundSentDate() : undefined;
  }
  internalDate(uid: number, record: () => MessageRecord | null): number | undefined {
    return this.locate(uid, record) ? this.found!.internalDate(this.foundAt) : undefined;
  }

  // For reads of single fields without a summary object (THREAD over a whole mailbox): finds the
  // row of the UID, false as get() is undefined; the found*() methods then read that row.
  locate(uid: number, record: () => MessageRecord | null): boolean {
    const chunk = chunkOf(uid);
    if (chunk !== this.chunk) {
      this.keepChunk();
      this.chunk = chunk;
      // The next chunks are read ahead, PREFETCH_CHUNKS at a time: their numbers and the columns
      // this pass has read so far.
      if (chunk >= this.prefetched) {
        this.prefetched = chunk + PREFETCH_CHUNKS;
        this.cache.prefetch(this.mailboxId, chunk + 1, this.prefetched, [0, ...(this.stored?.partsRead ?? [])]);
      }
      this.stored = this.cache.load(this.mailboxId, chunk);
    }
    // A pass in UID order finds each row just past the one before, without a search.
    const stored = this.stored;
    const next = this.found === stored ? this.foundAt + 1 : 0;
    const i = !stored ? -1 : next < stored.n && stored.uid(next) === uid ? next : stored.indexOf(uid);
    if (i >= 0) {
      this.found = this.stored;
      this.foundAt = i;
      return true;
    }
    let added = this.added.get(uid);
    if (!added) {
      const r = record();
      const headers = r ? this.cache.headersOf(r) : undefined;
      if (!r || !headers) return false;
      added = new RowChunk(this.cache, r, headers);
      this.added.set(uid, added);
    }
    this.found = added;
    this.foundAt = 0;
    return true;
  }

  foundSentDate(): number {
    return this.found!.date(this.foundAt) ?? this.found!.internalDate(this.foundAt);
  }
  foundReply(): boolean {
    return this.found!.reply(this.foundAt);
  }
  foundColumn<T>(c: JsonColumn): T {
    return this.found!.column<T>(c)[this.foundAt]!;
  }
  // THREAD's keys of the row found: its row `foundRow()` of these.
  foundThreadKeys(): ThreadKeys {
    return this.found!.threadKeys();
  }
  foundRow(): number {
    return this.foundAt;
  }

  // Ends the pass: the chunk in hand is kept if it gained rows, and what waits is written.
  close(): void {
    this.keepChunk();
    this.cache.flush();
  }

  private keepChunk(): void {
    if (this.added.size) {
      const { stored, added } = this;
      this.cache.keep(this.mailboxId, this.chunk, () => {
        const rows = stored?.rows() ?? [];
        for (const a of added.values()) {
          const row = a.row();
          if (row) rows.push(row);
        }
        return rows;
      });
    }
    this.added.clear();
  }
}
