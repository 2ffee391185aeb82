// Per-mailbox indexes in memory: what SELECT, STATUS, QRESYNC, FETCH FLAGS and a POP3 login need
// of every message (UID, MODSEQ, size, RFC 1939 octets, flags), in typed arrays in UID order, so
// those commands cost O(changes) once the index is warm instead of decoding every record.
// An index is built by one cursor pass over the mailbox's records and then kept current from the
// store's own writes: prepare() runs inside each write (reads see that write), apply() after its
// commit, before the change bus publishes. Each index carries the mailbox's HIGHESTMODSEQ it
// reflects; a reader whose mailbox record says otherwise gets a rebuilt index, so no reader sees
// an index older than the committed data. Indexes share one memory budget, least recently used
// first out (docs/limits.md), and are stored when the store closes, for the next start (persist).
import type { StoreChange } from './changes.ts';
import type { Dbs } from './open.ts';
import type { MailboxRecord } from './records.ts';
import { positionOfUid } from './uid-search.ts';
import { messageRange } from './mailbox-records.ts';

// Flags of a message, as a set of interned combinations: few distinct flag lists exist in a mailbox.
const SEEN = 1;
const DELETED = 2;

// Bytes per message in the typed arrays: uid 4, modseq 8, size 4, octets 4, flags 4.
const BYTES_PER_MESSAGE = 24;

export interface IndexedMessage {
  uid: number;
  modseq: number;
  size: number;
  octets: number;
  flags: readonly string[];
}

export class MailboxIndex {
  readonly mailboxId: number;
  // The mailbox's HIGHESTMODSEQ this index reflects.
  highestModSeq: number;
  // False once the index is evicted or dropped: it no longer follows the store's writes.
  current = true;
  // True while the stored snapshot (persist()) holds this index as it is.
  saved = false;
  length = 0;
  private uidArr = new Uint32Array(0);
  private uidCopy: Uint32Array | null = null; // uidArray()
  private modseqArr = new Float64Array(0);
  private sizeArr = new Uint32Array(0);
  private octetArr = new Uint32Array(0);
  private flagArr = new Uint32Array(0);
  // Interned flag lists: id -> flags (in their stored order) and system-flag bits.
  private combos: (readonly string[])[] = [];
  private comboBits: number[] = [];
  private comboIds = new Map<string, number>();
  private comboChars = 0;

  constructor(mailboxId: number, highestModSeq: number) {
    this.mailboxId = mailboxId;
    this.highestModSeq = highestModSeq;
  }

  uid(i: number): number {
    return this.uidArr[i]!;
  }
  modseq(i: number): number {
    return this.modseqArr[i]!;
  }
  size(i: number): number {
    return this.sizeArr[i]!;
  }
  octets(i: number): number {
    return this.octetArr[i]!;
  }
  flags(i: number): readonly string[] {
    return this.combos[this.flagArr[i]!]!;
  }
  seen(i: number): boolean {
    return (this.comboBits[this.flagArr[i]!]! & SEEN) !== 0;
  }
  deleted(i: number): boolean {
    return (this.comboBits[this.flagArr[i]!]! & DELETED) !== 0;
  }

  // The UIDs, ascending, as an array nobody writes to: one copy (a memcpy) per change of the
  // index, shared by every SELECT until the next. A session's view that changes makes a new array
  // (src/imap/mailbox-view.ts), never writes into this one (its length leaves no room).
  uidArray(): Uint32Array {
    this.uidCopy ??= this.uidArr.slice(0, this.length);
    return this.uidCopy;
  }

  // The octet counts (RFC 1939 11), position for position, as a copy of their own (a memcpy).
  octetArray(): Uint32Array {
    return this.octetArr.slice(0, this.length);
  }

  // The UIDs, ascending, as a plain array.
  uids(): number[] {
    // A plain loop: Array.from over a typed array goes through its iterator, 50 times slower.
    const out = new Array<number>(this.length);
    for (let i = 0; i < this.length; i++) out[i] = this.uidArr[i]!;
    return out;
  }

  // The position of a UID, or -1.
  indexOf(uid: number): number {
    return positionOfUid(this.uidArr, this.length, uid);
  }

  // Memory held, for the budget: the arrays' capacity and the interned flag lists.
  get bytes(): number {
    return this.uidArr.length * BYTES_PER_MESSAGE + this.comboChars * 2 + this.combos.length * 64;
  }

  // Appends a message; UIDs only grow (RFC 9051 2.3.1.1), so the order stays ascending.
  push(m: IndexedMessage): void {
    this.saved = false;
    this.uidCopy = null;
    if (this.length === this.uidArr.length) this.grow(Math.max(16, this.length * 2));
    const i = this.length++;
    this.uidArr[i] = m.uid;
    this.set(i, m);
  }

  update(uid: number, flags: readonly string[], modseq: number): void {
    const i = this.indexOf(uid);
    if (i < 0) return;
    this.saved = false;
    this.flagArr[i] = this.intern(flags);
    this.modseqArr[i] = modseq;
  }

  // Removes UIDs in one compaction pass.
  remove(uids: readonly number[]): void {
    this.saved = false;
    this.uidCopy = null;
    const gone = new Set(uids);
    let w = 0;
    for (let r = 0; r < this.length; r++) {
      if (gone.has(this.uidArr[r]!)) continue;
      if (w !== r) {
        this.uidArr[w] = this.uidArr[r]!;
        this.modseqArr[w] = this.modseqArr[r]!;
        this.sizeArr[w] = this.sizeArr[r]!;
        this.octetArr[w] = this.octetArr[r]!;
        this.flagArr[w] = this.flagArr[r]!;
      }
      w++;
    }
    this.length = w;
    if (this.length * 4 < this.uidArr.length && this.uidArr.length > 64) this.grow(this.length * 2);
    // Flag lists no message uses any more are dropped once they outnumber the messages.
    if (this.combos.length > 2 * this.length + 64) this.compactCombos();
  }

  // The index as one buffer: a 16-byte header (HIGHESTMODSEQ, count, bytes of the flag lists),
  // the arrays, then the flag lists as JSON.
  snapshot(): Buffer {
    const n = this.length;
    const combos = Buffer.from(JSON.stringify(this.combos));
    const out = Buffer.alloc(16 + n * BYTES_PER_MESSAGE + combos.length);
    out.writeDoubleLE(this.highestModSeq, 0);
    out.writeUInt32LE(n, 8);
    out.writeUInt32LE(combos.length, 12);
    let at = 16;
    for (const a of [this.modseqArr, this.uidArr, this.sizeArr, this.octetArr, this.flagArr]) {
      const bytes = Buffer.from(a.buffer, a.byteOffset, n * a.BYTES_PER_ELEMENT);
      bytes.copy(out, at);
      at += bytes.length;
    }
    combos.copy(out, at);
    return out;
  }

  static fromSnapshot(mailboxId: number, buf: Buffer): MailboxIndex {
    const index = new MailboxIndex(mailboxId, buf.readDoubleLE(0));
    const n = buf.readUInt32LE(8);
    index.grow(Math.max(16, n));
    index.length = n;
    let at = 16;
    for (const a of [index.modseqArr, index.uidArr, index.sizeArr, index.octetArr, index.flagArr]) {
      const bytes = n * a.BYTES_PER_ELEMENT;
      Buffer.from(a.buffer, a.byteOffset, bytes).set(buf.subarray(at, at + bytes));
      at += bytes;
    }
    const combos = JSON.parse(buf.toString('utf8', at, at + buf.readUInt32LE(12))) as string[][];
    for (const flags of combos) index.addCombo(flags, flags.join('\0'));
    index.saved = true;
    return index;
  }

  private set(i: number, m: IndexedMessage): void {
    this.modseqArr[i] = m.modseq;
    this.sizeArr[i] = m.size;
    this.octetArr[i] = m.octets;
    this.flagArr[i] = this.intern(m.flags);
  }

  private intern(flags: readonly string[]): number {
    const key = flags.join('\0');
    let id = this.comboIds.get(key);
    if (id === undefined) {
      if (this.combos.length > 2 * this.length + 64) this.compactCombos();
      id = this.addCombo(flags, key);
    }
    return id;
  }

  private addCombo(flags: readonly string[], key: string): number {
    const id = this.combos.length;
    this.combos.push(flags);
    this.comboBits.push((flags.includes('\\Seen') ? SEEN : 0) | (flags.includes('\\Deleted') ? DELETED : 0));
    this.comboIds.set(key, id);
    this.comboChars += key.length;
    return id;
  }

  private compactCombos(): void {
    const old = this.combos;
    this.combos = [];
    this.comboBits = [];
    this.comboIds.clear();
    this.comboChars = 0;
    const renumbered = new Map<number, number>();
    for (let i = 0; i < this.length; i++) {
      const was = this.flagArr[i]!;
      let id = renumbered.get(was);
      if (id === undefined) {
        id = this.intern(old[was]!);
        renumbered.set(was, id);
      }
      this.flagArr[i] = id;
    }
  }

  private grow(capacity: number): void {
    const resize = <T extends Uint32Array | Float64Array>(a: T, make: (n: number) => T): T => {
      const b = make(capacity);
      b.set(a.subarray(0, this.length));
      return b;
    };
    this.uidArr = resize(this.uidArr, (n) => new Uint32Array(n));
    this.modseqArr = resize(this.modseqArr, (n) => new Float64Array(n));
    this.sizeArr = resize(this.sizeArr, (n) => new Uint32Array(n));
    this.octetArr = resize(this.octetArr, (n) => new Uint32Array(n));
    this.flagArr = resize(this.flagArr, (n) => new Uint32Array(n));
  }
}

// What one write did to the indexed fields, per mailbox, read inside that write.
type IndexOp =
  | { kind: 'add'; messages: IndexedMessage[] }
  | { kind: 'flags'; messages: { uid: number; flags: string[]; modseq: number }[] }
  | { kind: 'remove'; uids: number[] };
export interface IndexDelta {
  ops: Map<number, IndexOp[]>;
  highestModSeq: Map<number, number>; // each touched mailbox's after the write
  dropped: Set<number>; // mailboxes deleted (or emptied into \Noselect)
}

// The memory all indexes may hold together (docs/limits.md): 8 MB is about 340,000 messages.
export const INDEX_BUDGET = 8 * 1024 * 1024;

// Records a sliced build reads per turn of the event loop: about 2 ms of decoding on x64.
const BUILD_SLICE = 1000;

// A sliced build in progress: the commits it must replay once its slices are read.
interface Build {
  done: Promise<void>;
  ops: IndexOp[];
}

export class MailboxIndexes {
  private dbs: Dbs;
  private isOpen: () => boolean; // StoreContext.isOpen
  private budget: number;
  // In least recently used order: Map keeps insertion order, a use re-inserts.
  private lru = new Map<number, MailboxIndex>();
  private builds = new Map<number, Build>();
  // Records per slice of a build (tests make it small to see commits land in between).
  buildSlice = BUILD_SLICE;

  constructor(dbs: Dbs, isOpen: () => boolean, budget = INDEX_BUDGET) {
    this.dbs = dbs;
    this.isOpen = isOpen;
    this.budget = budget;
  }

  // The mailbox's index as of the last commit, built if missing or behind the mailbox record;
  // null when there is no such mailbox. Only outside writes (it reads committed data). The index is
  // updated in place by later commits: a caller that awaits between reads checks `current`.
  get(mailboxId: number): MailboxIndex | null {
    const mb = this.dbs.mailboxes.get(mailboxId);
    if (!mb) {
      this.drop(mailboxId);
      return null;
    }
    let index = this.lru.get(mailboxId);
    if (index && index.highestModSeq !== mb.highestModSeq) {
      this.drop(mailboxId);
      index = undefined;
    }
    if (index) this.lru.delete(mailboxId);
    else index = this.load(mb) ?? this.build(mailboxId, mb.highestModSeq);
    this.lru.set(mailboxId, index);
    this.evict();
    return index;
  }

  // Makes get() cheap: builds a missing index in slices of BUILD_SLICE records, yielding between
  // them, so a large mailbox never holds the event loop (a synchronous build of 50,000 records
  // takes most of a second). Slices read fresh snapshots; the commits made meanwhile are replayed
  // at the end, each a no-op where a later slice already read its result. Callers await this,
  // then call get() without awaiting in between. Concurrent callers share one build.
  async ready(mailboxId: number): Promise<void> {
    const mb = this.dbs.mailboxes.get(mailboxId);
    if (!mb) return;
    const have = this.lru.get(mailboxId);
    if (have && have.highestModSeq === mb.highestModSeq) return;
    const running = this.builds.get(mailboxId);
    if (running) return running.done;
    const build: Build = { done: Promise.resolve(), ops: [] };
    // The stored snapshot (1.2 MB at 50,000 messages) is read into memory by lmdb-js on a thread of
    // its own first: read on the loop from a cold page cache, its page faults held every session
    // (a NOOP waited 112 ms behind a POP3 login after a restart).
    build.done = (this.isOpen() ? this.dbs.indexes.prefetch([mailboxId]) : Promise.resolve())
      .then(() => this.buildSliced(mailboxId, build))
      .finally(() => this.builds.delete(mailboxId));
    this.builds.set(mailboxId, build);
    return build.done;
  }

  // Has lmdb-js read the stored snapshot into memory on its own thread, for a ready() expected soon
  // (a login under way, whose password check then overlaps the disk's reads); nothing else changes.
  warm(mailboxId: number): void {
    if (this.lru.has(mailboxId) || !this.isOpen()) return;
    this.dbs.indexes.prefetch([mailboxId]).catch(() => {});
  }

  private async buildSliced(mailboxId: number, build: Build): Promise<void> {
    let mb = this.dbs.mailboxes.get(mailboxId);
    if (!mb) return;
    if (this.lru.get(mailboxId)?.highestModSeq === mb.highestModSeq) return;
    this.drop(mailboxId);
    const index = this.snapshot(mb) ?? new MailboxIndex(mailboxId, 0);
    for (;;) {
      const from = index.length ? index.uid(index.length - 1) + 1 : 1;
      let n = 0;
      for (const { value: m } of this.dbs.messages.getRange({ ...messageRange(mailboxId, from), limit: this.buildSlice })) {
        index.push({ uid: m.uid, modseq: m.modseq, size: m.size, octets: m.octets, flags: m.flags });
        n++;
      }
      if (n < this.buildSlice) break;
      await new Promise(setImmediate);
    }
    // What committed since the first slice, in commit order; the last slice ran in this turn, so
    // nothing commits between here and the stamp below.
    for (const o of build.ops) replay(index, o);
    mb = this.dbs.mailboxes.get(mailboxId);
    if (!mb) return;
    index.highestModSeq = mb.highestModSeq;
    this.drop(mailboxId);
    this.lru.set(mailboxId, index);
    this.evict();
  }

  // Bytes the cached indexes hold.
  get bytes(): number {
    let n = 0;
    for (const index of this.lru.values()) n += index.bytes;
    return n;
  }

  // Inside a write, after its changes: what the indexes need of them (the records added, each
  // touched mailbox's HIGHESTMODSEQ). O(changes).
  prepare(changes: readonly StoreChange[]): IndexDelta | null {
    if (!changes.length) return null;
    const delta: IndexDelta = { ops: new Map(), highestModSeq: new Map(), dropped: new Set() };
    const op = (mailboxId: number, o: IndexOp) => {
      const list = delta.ops.get(mailboxId) ?? [];
      list.push(o);
      delta.ops.set(mailboxId, list);
    };
    for (const c of changes) {
      if (c.kind === 'added') {
        const messages: IndexedMessage[] = [];
        for (const uid of c.uids) {
          const m = this.dbs.messages.get([c.mailboxId, uid]);
          if (m) messages.push({ uid, modseq: m.modseq, size: m.size, octets: m.octets, flags: m.flags });
        }
        op(c.mailboxId, { kind: 'add', messages });
      } else if (c.kind === 'flags') op(c.mailboxId, { kind: 'flags', messages: c.messages });
      else if (c.kind === 'expunged') op(c.mailboxId, { kind: 'remove', uids: c.uids });
      else if (c.kind === 'mailbox-deleted') delta.dropped.add(c.mailboxId);
      else continue;
      const mb = this.dbs.mailboxes.get(c.mailboxId);
      if (mb) delta.highestModSeq.set(c.mailboxId, mb.highestModSeq);
    }
    return delta;
  }

  // After the commit of the write that prepared `delta`: cached indexes follow it. Commits resolve in
  // order, so an index is either older than this write (and takes it) or was built after its commit
  // (and already holds it).
  apply(delta: IndexDelta | null): void {
    if (!delta) return;
    for (const id of delta.dropped) this.drop(id);
    for (const [id, ops] of delta.ops) {
      this.builds.get(id)?.ops.push(...ops);
      const index = this.lru.get(id);
      const after = delta.highestModSeq.get(id);
      if (!index || after === undefined || after <= index.highestModSeq) continue;
      for (const o of ops) {
        if (o.kind === 'add') for (const m of o.messages) index.push(m);
        else if (o.kind === 'flags') for (const m of o.messages) index.update(m.uid, m.flags, m.modseq);
        else index.remove(o.uids);
      }
      index.highestModSeq = after;
    }
    this.evict();
  }

  drop(mailboxId: number): void {
    const index = this.lru.get(mailboxId);
    if (!index) return;
    index.current = false;
    this.lru.delete(mailboxId);
  }

  get unsaved(): boolean {
    for (const index of this.lru.values()) if (!index.saved) return true;
    return false;
  }

  // When the store closes: every index not yet stored as it is, so that the first SELECT after a
  // restart reads one record instead of every message's. Not on each delivery: bytes written per
  // delivery stay as they were. Only inside a write.
  persist(): void {
    for (const index of this.lru.values()) {
      if (index.saved) continue;
      this.dbs.indexes.putSync(index.mailboxId, index.snapshot());
      index.saved = true;
    }
  }

  // The stored snapshot, if it is current or only messages were added since (the mailbox record's
  // modifiedModSeq is not above the snapshot's): then the records past its last UID are what
  // changed. Otherwise (a STORE or EXPUNGE since) the index is built from the records instead.
  private load(mb: MailboxRecord): MailboxIndex | null {
    const index = this.snapshot(mb);
    if (!index || index.highestModSeq === mb.highestModSeq) return index;
    const last = index.length ? index.uid(index.length - 1) : 0;
    for (const { value: m } of this.dbs.messages.getRange(messageRange(mb.id, last + 1))) {
      index.push({ uid: m.uid, modseq: m.modseq, size: m.size, octets: m.octets, flags: m.flags });
    }
    index.highestModSeq = mb.highestModSeq;
    return index;
  }

  // The stored snapshot when it can be caught up by reading the records past its last UID.
  private snapshot(mb: MailboxRecord): MailboxIndex | null {
    const stored = this.dbs.indexes.get(mb.id);
    if (!stored) return null;
    const index = MailboxIndex.fromSnapshot(mb.id, stored);
    if (index.highestModSeq > mb.highestModSeq || mb.modifiedModSeq > index.highestModSeq) return null;
    return index;
  }

  // One cursor pass over the mailbox's records (one snapshot: the reads of one synchronous run).
  private build(mailboxId: number, highestModSeq: number): MailboxIndex {
    const index = new MailboxIndex(mailboxId, highestModSeq);
    for (const { value: m } of this.dbs.messages.getRange(messageRange(mailboxId))) {
      index.push({ uid: m.uid, modseq: m.modseq, size: m.size, octets: m.octets, flags: m.flags });
    }
    return index;
  }

  // Least recently used out until the total fits; the most recent stays even alone above budget.
  private evict(): void {
    let total = this.bytes;
    for (const [id, index] of this.lru) {
      if (total <= this.budget || this.lru.size === 1) return;
      total -= index.bytes;
      this.drop(id);
    }
  }
}

// One commit's operation on an index that may already hold its result (a sliced build's later
// slices read it): additions past the last UID, flags only when newer, removals of what is there.
function replay(index: MailboxIndex, o: IndexOp): void {
  if (o.kind === 'add') {
    for (const m of o.messages) if (!index.length || m.uid > index.uid(index.length - 1)) index.push(m);
  } else if (o.kind === 'flags') {
    for (const m of o.messages) {
      const i = index.indexOf(m.uid);
      if (i >= 0 && index.modseq(i) < m.modseq) index.update(m.uid, m.flags, m.modseq);
    }
  } else {
    index.remove(o.uids);
  }
}
