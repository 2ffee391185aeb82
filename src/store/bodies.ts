// Message bodies, each stored once per delivery, enqueue or APPEND and reference-counted: one
// copy serves every recipient of a delivery, every IMAP COPY of it; the last reference removes it.
import { createHash } from 'node:crypto';
import type { Database } from 'lmdb';
import { owned } from './free.ts';
import { parseMessage } from '../mime/parse.ts';
import { MIME_FORMAT_VERSION, type MessageStructure, type ParsedMessage } from '../mime/types.ts';
import type { StoreContext } from './context.ts';
import { isStoreError } from './errors.ts';
import { decodeHeaderRecord, encodeHeaderRecord, headerRecord, type HeaderRecord, type StoredHeaderRecord } from './header-records.ts';
import type { BodyMetaRecord } from './records.ts';

// The meta record behind parsedSince().
export const PARSED_SINCE = 'parsedSince';

// A body's hash and parse, computed off the event loop (src/offload) before it reaches the store.
export interface PreparedBody {
  hash: Buffer;
  parsed: ParsedMessage;
}

export function bodyHash(raw: Buffer): Buffer {
  return createHash('sha256').update(raw).digest();
}

// A new body's key: the time it is stored (milliseconds since 1970, 6 bytes big-endian), then
// its bytes' SHA-256. The bodies a commit adds are then neighbours in the tree, at its end, and
// share leaf pages, where keys by hash alone put each on a random leaf (bench-store, 16 at a time:
// 14.1 -> 9 KB written per delivery). The same bytes stored in the same millisecond make the same
// key, and share the body. Stores before this keyed a body by its SHA-256 alone; those keys stay
// valid, as a key is only ever compared whole. Records call a body's key its `hash`.
const KEY_TIME_BYTES = 6;
export function bodyKey(hash: Buffer, now = Date.now()): Buffer {
  const key = Buffer.allocUnsafe(KEY_TIME_BYTES + hash.length);
  key.writeUIntBE(now, 0, KEY_TIME_BYTES);
  hash.copy(key, KEY_TIME_BYTES);
  return key;
}

// A body about to be stored, keyed: the hash and parse a caller prepared off the event loop, or
// (for the small messages homepost writes itself, and tools) computed here. Deliveries, APPEND
// and the queue all take their keys from here.
export function keyedBody(raw: Buffer, given: PreparedBody | undefined, now: number): PreparedBody {
  return { hash: bodyKey(given?.hash ?? bodyHash(raw), now), parsed: given?.parsed ?? parseMessage(raw) };
}

// The SHA-256 of the body's bytes that its key ends with, for what compares messages by content.
export const contentHash = (key: Buffer): Buffer => key.subarray(key.length - 32);

const META = Buffer.from([0]);
const RAW = Buffer.from([1]);
const HEADERS = Buffer.from([2]);
export const metaKey = (hash: Buffer) => Buffer.concat([hash, META]);
export const rawKey = (hash: Buffer) => Buffer.concat([hash, RAW]);
// header-records.ts: on the same leaf page as the other two, so writing it touches no other page.
export const headersKey = (hash: Buffer) => Buffer.concat([hash, HEADERS]);
// Records per body: meta, raw and headers.
const RECORDS = 3;

// A body's raw message, in a buffer of its own. Read with getBinary, not get(): get() decompresses
// every value into the database's one shared buffer and grows it to twice the largest value it
// has read, for good (after one 20 MB message was read, 20 MB more of RSS stayed until a restart);
// getBinary decompresses a value over 32 KB into a buffer of its own and copies a smaller one out.
// The stored value is msgpack's encoding of a Buffer, a bin: its header, then the bytes.
export function readRaw(db: Database<unknown, Buffer>, hash: Buffer): Buffer | undefined {
  const v = db.getBinary(rawKey(hash));
  if (!v) return undefined;
  const view = new DataView(v.buffer, v.byteOffset, v.byteLength);
  const [at, length] = v[0] === 0xc4 ? [2, v[1]!] : v[0] === 0xc5 ? [3, view.getUint16(1)] : v[0] === 0xc6 ? [5, view.getUint32(1)] : [0, -1];
  if (length < 0 || at + length !== v.byteLength) throw new Error(`body ${hash.toString('hex')}: not a stored raw message`);
  const raw = Buffer.from(v.buffer, v.byteOffset + at, length);
  // Each read gets a buffer of its own, unless lmdb-js ever hands out a slice of a shared one.
  return v.byteOffset === 0 && v.byteLength === v.buffer.byteLength ? owned(raw) : raw;
}

// The parse without its header index, which the header record holds.
function structure({ headers: _, ...rest }: ParsedMessage): MessageStructure {
  return rest;
}

// Bodies whose released references one sweep commit takes off, and the wait before each commit
// (again while other writes are in flight).
const SWEEP_BATCH = 256;
const SWEEP_WAIT_MS = 50;
// Bodies per prefetch call: lmdb-js runs each on a thread of libuv's pool, shared with file I/O
// and password hashing. The calls running at once leave two of its threads to the others, for the
// two password hashes that may run together (src/auth/password.ts): 6 of `serve`'s 8 threads
// (src/cli/serve-env.ts), 2 of libuv's default 4 elsewhere. Small groups keep them all waiting on
// the disk.
const PREFETCH_GROUP = 16;
const PREFETCHES_RUNNING = Math.max(1, (Number(process.env.UV_THREADPOOL_SIZE) || 4) - 2);

// Bodies read ahead by one call of db.prefetch, with their raw messages or only their parses;
// settle() once they are read, failed, or skipped as the store closes.
interface PrefetchGroup {
  hashes: readonly Buffer[];
  raw: boolean;
  settle: () => void;
}

export class Bodies {
  private ctx: StoreContext;
  private sweep: Promise<void> | null = null;
  private prefetchRunning = 0;
  private prefetchWaiting: PrefetchGroup[] = [];
  private sweepAgain = false;

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  // Inside a write: one more reference to the body with this key. `raw` and `parsed` are stored
  // when the body is new; callers that only copy an existing reference omit them.
  addRef(hash: Buffer, raw?: Buffer, parsed?: ParsedMessage, count = 1): void {
    const meta = this.meta(hash);
    if (meta) {
      this.ctx.dbs.bodies.putSync(metaKey(hash), { ...meta, refs: meta.refs + count });
      return;
    }
    if (!raw || !parsed) throw new Error('addRef of an unknown body without its content');
    this.ctx.dbs.bodies.putSync(metaKey(hash), { refs: count, size: raw.length, parsed: structure(parsed) });
    this.ctx.dbs.bodies.putSync(rawKey(hash), raw);
    this.putHeaders(hash, parsed);
  }

  // Inside a write: the body's header record made from this parse (and its raw message, for a
  // parse older than the header index).
  putHeaders(hash: Buffer, parsed: MessageStructure | ParsedMessage): void {
    this.ctx.dbs.bodies.putSync(headersKey(hash), encodeHeaderRecord(headerRecord(parsed, () => this.get(hash))));
  }

  // Inside a write: `count` references fewer; the body goes with its last reference.
  unref(hash: Buffer, count = 1): void {
    const meta = this.meta(hash);
    if (!meta) return;
    if (meta.refs > count) {
      this.ctx.dbs.bodies.putSync(metaKey(hash), { ...meta, refs: meta.refs - count });
      return;
    }
    this.ctx.dbs.bodies.removeSync(metaKey(hash));
    this.ctx.dbs.bodies.removeSync(rawKey(hash));
    this.ctx.dbs.bodies.removeSync(headersKey(hash));
  }

  // Inside a write: one reference fewer, taken off the body by a sweep that follows the commit.
  // An expunge of thousands of messages then writes their records and a small table, not a random
  // leaf page of the bodies database per message (a mailbox's bodies are spread among the others'):
  // EXPUNGE of 5,000 of 50,000 messages took 700 ms, most of it writing bodies' pages. The body
  // stays readable, and counted, until swept; a new reference meanwhile (a COPY of another message
  // holding it) adds to its count as usual. A write that fails takes its releases with it.
  release(hash: Buffer): void {
    this.ctx.dbs.released.putSync(hash, (this.ctx.dbs.released.get(hash) ?? 0) + 1);
    this.sweepSoon();
  }

  // Takes the released references off their bodies, SWEEP_BATCH bodies per commit, each commit
  // once no other write is in flight (so an EXPUNGE of many chunks, or deliveries, go first); one
  // sweep at a time. Also called when the store opens: a sweep that a crash or a close
  // interrupted goes on.
  sweepSoon(): void {
    if (this.sweep) {
      this.sweepAgain = true;
      return;
    }
    const step = async (): Promise<void> => {
      do await new Promise((resolve) => setTimeout(resolve, SWEEP_WAIT_MS));
      while (this.ctx.writing);
      this.sweepAgain = false;
      // The batch's records are read on lmdb-js's threads first, so that the commit finds their
      // pages in memory instead of faulting them in one by one on the event loop: after a
      // restart (a sweep a close interrupted) the page cache is cold, and 256 bodies' reads held
      // a POP3 login 200 ms.
      const next = [...this.ctx.dbs.released.getKeys({ limit: SWEEP_BATCH })];
      if (this.ctx.isOpen) await this.ctx.dbs.bodies.prefetch(next.flatMap((h) => [metaKey(h), rawKey(h), headersKey(h)]));
      const more = await this.ctx.write(() => {
        const batch = [...this.ctx.dbs.released.getRange({ limit: SWEEP_BATCH })];
        for (const { key, value } of batch) {
          this.unref(key, value);
          this.ctx.dbs.released.removeSync(key);
        }
        return batch.length === SWEEP_BATCH;
      });
      if (more || this.sweepAgain) return step();
    };
    this.sweep = step()
      .catch((e: unknown) => {
        if (!isStoreError(e, 'closed')) this.ctx.log.warn('store.sweep_failed', { error: e });
      })
      .finally(() => {
        this.sweep = null;
      });
  }

  // Resolves when no sweep is running (tests).
  async swept(): Promise<void> {
    while (this.sweep) await this.sweep;
  }

  // Reads the bodies' records into memory on lmdb-js's threads (db.prefetch), in PREFETCH_GROUP
  // bodies per call so that several threads wait on the disk at once: with noReadAhead (open.ts)
  // a body read on the loop faults its pages in one at a time, one read in flight, and holds every
  // session meanwhile (a cold 100 KB body: 30-100 ms). The promise resolves once they are in
  // memory, or will not be: a caller that waits for it reads them without a fault.
  // At most PREFETCHES_RUNNING calls run at once, so threads of the pool stay free for others
  // (password hashes); the others wait their turn, in order. What waits is bounded by the
  // passes that asked: each has a few batches in flight (read-ahead.ts) and waits for them.
  prefetch(hashes: readonly Buffer[], raw = true): Promise<void> {
    const settled: Promise<void>[] = [];
    for (let i = 0; i < hashes.length; i += PREFETCH_GROUP) {
      const group = hashes.slice(i, i + PREFETCH_GROUP);
      settled.push(new Promise((settle) => this.prefetchWaiting.push({ hashes: group, raw, settle })));
    }
    this.pumpPrefetch();
    return settled.length === 1 ? settled[0]! : Promise.all(settled).then(() => {});
  }

  private pumpPrefetch(): void {
    if (!this.ctx.isOpen) for (const dropped of this.prefetchWaiting.splice(0)) dropped.settle();
    while (this.prefetchRunning < PREFETCHES_RUNNING && this.prefetchWaiting.length) {
      const group = this.prefetchWaiting.shift()!;
      this.prefetchRunning++;
      this.ctx.dbs.bodies
        .prefetch(group.hashes.flatMap((h) => (group.raw ? [metaKey(h), rawKey(h)] : [metaKey(h)])))
        .catch((e: unknown) => this.ctx.log.warn('store.prefetch_failed', { error: e }))
        .finally(() => {
          this.prefetchRunning--;
          group.settle();
          this.pumpPrefetch();
        });
    }
  }

  get(hash: Buffer): Buffer | undefined {
    return readRaw(this.ctx.dbs.bodies, hash);
  }

  parsed(hash: Buffer): MessageStructure | undefined {
    return this.meta(hash)?.parsed;
  }

  headers(hash: Buffer): HeaderRecord | undefined {
    const stored = this.storedHeaders(hash);
    return stored && decodeHeaderRecord(stored);
  }

  storedHeaders(hash: Buffer): StoredHeaderRecord | undefined {
    return this.ctx.dbs.bodies.get(headersKey(hash)) as StoredHeaderRecord | undefined;
  }

  // Replaces, in one commit, the parsed forms of bodies parsed by an older parser with new ones
  // (made from the same raw bytes); a body that is gone or whose parse is not older is left alone.
  // Resolves with how many were replaced.
  replaceParsed(updates: readonly (readonly [hash: Buffer, parsed: ParsedMessage])[]): Promise<number> {
    return this.ctx.write(() => {
      let replaced = 0;
      for (const [hash, parsed] of updates) {
        const meta = this.meta(hash);
        if (!meta || (meta.parsed?.version ?? 0) >= parsed.version) continue;
        this.ctx.dbs.bodies.putSync(metaKey(hash), { ...meta, parsed: structure(parsed) });
        this.putHeaders(hash, parsed);
        replaced++;
      }
      return replaced;
    });
  }

  // The oldest MIME parser (its MIME_FORMAT_VERSION) that may have parsed a stored body: a new
  // store starts at the current one, and a complete re-parse pass raises it. While it is current,
  // no body needs to be read to know that none is stale (reading them all would map the whole
  // bodies database into the process's memory at every start).
  parsedSince(): number {
    return this.ctx.dbs.meta.get(PARSED_SINCE) ?? 0;
  }

  async markParsedSince(version: number): Promise<void> {
    await this.ctx.write(() => this.ctx.dbs.meta.putSync(PARSED_SINCE, version));
  }

  // The bodies whose parsed form predates this parser (MIME_FORMAT_VERSION) or is missing, walking
  // the store in slices: at most `scan` records from `from` on (undefined: the start); `next` is
  // where the following slice starts, undefined once the walk is done.
  staleParsed(from: Buffer | undefined, scan: number): { stale: Buffer[]; next: Buffer | undefined } {
    const stale: Buffer[] = [];
    let seen = 0;
    for (const key of this.ctx.dbs.bodies.getKeys({ start: from })) {
      if (seen++ === scan) return { stale, next: Buffer.from(key) };
      if (key.at(-1) !== META[0]) continue;
      const hash = key.subarray(0, key.length - 1);
      const meta = this.meta(hash);
      if (meta && (meta.parsed?.version ?? 0) < MIME_FORMAT_VERSION) stale.push(Buffer.from(hash));
    }
    return { stale, next: undefined };
  }

  refs(hash: Buffer): number {
    return this.meta(hash)?.refs ?? 0;
  }

  // Number of distinct bodies stored.
  count(): number {
    return this.ctx.dbs.bodies.getCount() / RECORDS;
  }

  // What the bodies database holds: its records (three per body) and the pages they take
  // (leaf, branch and overflow pages of 4096 bytes, open.ts), for the benchmark's bytes on disk.
  stats(): { entries: number; pages: number } {
    const s = this.ctx.dbs.bodies.getStats() as { treeLeafPageCount: number; treeBranchPageCount: number; overflowPages: number };
    return { entries: this.ctx.dbs.bodies.getCount(), pages: s.treeLeafPageCount + s.treeBranchPageCount + s.overflowPages };
  }

  private meta(hash: Buffer): BodyMetaRecord | undefined {
    return this.ctx.dbs.bodies.get(metaKey(hash)) as BodyMetaRecord | undefined;
  }
}
