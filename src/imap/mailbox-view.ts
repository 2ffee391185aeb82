// A session's view of its selected mailbox (RFC 9051 2.3.1.2): the sorted UID list that maps
// message sequence numbers to UIDs, and the store changes other writers made that the client
// has not been told about yet. Sequence numbers change only when sync() reports the expunges
// (the store owns change; each session keeps its own view). Flag changes are remembered by UID
// only: they are reported with the message's current record, so a MODSEQ sent never goes down
// (RFC 7162 3.1), and the keywords the client was told about are the ones sent in FLAGS.
import type { StoreChange } from '../store/index.ts';
import { ImapBadSyntax } from './errors.ts';
import type { SequenceSet } from './parser.ts';
import { firstUidAtLeast, positionOfUid } from '../store/uid-search.ts';

export class MailboxView {
  readonly mailboxId: number;
  readonly uidValidity: number;
  readonly readOnly: boolean;
  name: string;
  // UID of each message by sequence number - 1, in a typed array: SELECT of a large mailbox takes
  // the store index's read-only copy (a plain array costs a millisecond per 50,000). Never written
  // in place below its length: a change makes a new array, so views may share one.
  private list: Uint32Array;
  private count: number;
  // Messages recent to this session (rev1 only).
  recent: Set<number>;
  // The keywords sent in the last FLAGS response (RFC 9051 7.3.5).
  keywords: Set<string>;
  highestModSeq: number;
  // RFC 5182 / RFC 9051 6.4.4.4 SAVE: the UIDs of the last saved search result.
  saved: number[] = [];
  // Changes not reported yet; flag changes as UID -> the highest MODSEQ another writer gave it.
  private added: number[] = [];
  private expunged = new Set<number>();
  private flagChanges = new Map<number, number>();
  deleted = false;

  constructor(o: {
    mailboxId: number;
    uidValidity: number;
    readOnly: boolean;
    name: string;
    uids: ArrayLike<number>;
    recent: number[];
    keywords: Iterable<string>;
    highestModSeq: number;
  }) {
    this.mailboxId = o.mailboxId;
    this.uidValidity = o.uidValidity;
    this.readOnly = o.readOnly;
    this.name = o.name;
    // A Uint32Array is taken as it is (SELECT passes the index's shared, read-only copy).
    this.list = o.uids instanceof Uint32Array ? o.uids : Uint32Array.from(o.uids);
    this.count = this.list.length;
    this.recent = new Set(o.recent);
    this.keywords = new Set(o.keywords);
    this.highestModSeq = o.highestModSeq;
  }

  get exists(): number {
    return this.count;
  }

  // The UIDs in sequence order: a view of the list, valid until the next change of the view.
  get uids(): Uint32Array {
    return this.list.subarray(0, this.count);
  }

  // 1-based sequence number of a UID, or 0.
  seqOf(uid: number): number {
    return positionOfUid(this.list, this.count, uid) + 1;
  }

  // The UIDs a sequence set names, ascending and without duplicates. RFC 9051 6.4.8: UID ranges
  // name the UIDs that exist ("*" is the highest, and n:* covers it even when n is larger);
  // message sequence numbers beyond the mailbox are an error, except for SEARCH (lenient: they
  // match nothing, as Dovecot answers).
  resolve(set: SequenceSet, byUid: boolean, lenient = false): number[] {
    if (set.saved) {
      const present = this.saved.filter((u) => this.seqOf(u) > 0);
      return present;
    }
    const n = this.count;
    // Each range as an interval of positions in `uids`; then the intervals merged, in order.
    const spans: [number, number][] = [];
    for (const [a, b] of set.ranges) {
      if (byUid) {
        if (n === 0) break;
        const max = this.list[n - 1]!;
        const lo = Math.min(a ?? max, b ?? max);
        const hi = Math.max(a ?? max, b ?? max);
        const first = firstUidAtLeast(this.list, n, lo);
        const last = firstUidAtLeast(this.list, n, hi + 1) - 1;
        if (first <= last) spans.push([first, last]);
      } else {
        const lo = Math.min(a ?? n, b ?? n);
        let hi = Math.max(a ?? n, b ?? n);
        if (lenient) hi = Math.min(hi, n);
        else if (lo < 1 || hi > n) throw new ImapBadSyntax('Invalid message sequence number');
        if (lo <= hi) spans.push([lo - 1, hi - 1]);
      }
    }
    spans.sort((x, y) => x[0] - y[0]);
    const out: number[] = [];
    let next = 0; // the first position not yet taken
    for (const [first, last] of spans) {
      for (let i = Math.max(first, next); i <= last; i++) out.push(this.list[i]!);
      next = Math.max(next, last + 1);
    }
    return out;
  }

  // Records a change made by another writer (own changes are reported by the command itself;
  // only additions are always taken, since EXISTS comes from here).
  apply(change: StoreChange, own: boolean): boolean {
    if (!('mailboxId' in change) || change.mailboxId !== this.mailboxId) return false;
    switch (change.kind) {
      case 'added':
        // A loop, not push(...uids): a COPY of a large mailbox would pass too many arguments.
        for (const u of change.uids) this.added.push(u);
        return true;
      case 'flags':
        if (own) {
          for (const m of change.messages) this.highestModSeq = Math.max(this.highestModSeq, m.modseq);
          return false;
        }
        for (const m of change.messages) this.flagChanges.set(m.uid, Math.max(this.flagChanges.get(m.uid) ?? 0, m.modseq));
        return true;
      case 'expunged':
        if (own) return false;
        for (const u of change.uids) {
          this.expunged.add(u);
          this.flagChanges.delete(u);
        }
        return true;
      case 'mailbox-deleted':
        this.deleted = true;
        return true;
      case 'mailbox-renamed':
        this.name = change.name;
        return false;
      default:
        return false;
    }
  }

  get hasPending(): boolean {
    return this.added.length > 0 || this.expunged.size > 0 || this.flagChanges.size > 0 || this.deleted;
  }

  // Takes the pending changes to report. With allowExpunge false (during FETCH, STORE and
  // SEARCH: RFC 9051 7.5.1) expunges stay pending and the sequence numbers stay as they are.
  // A message added and expunged since the last report is never announced at all.
  take(allowExpunge: boolean): {
    expunged: { seq: number; uid: number }[];
    added: number[];
    flags: { seq: number; uid: number }[];
  } {
    const last = this.list[this.count - 1] ?? 0;
    const added = [...new Set(this.added)].filter((u) => u > last && !this.expunged.has(u)).sort((a, b) => a - b);
    this.added = [];
    const expunged: { seq: number; uid: number }[] = [];
    if (allowExpunge && this.expunged.size) {
      const gone = [...this.expunged];
      this.expunged.clear();
      for (const e of this.removeSorted(gone)) expunged.push(e);
    }
    if (added.length) {
      if (this.count + added.length > this.list.length) {
        const grown = new Uint32Array(Math.max(16, (this.count + added.length) * 1.5));
        grown.set(this.uids);
        this.list = grown;
      }
      for (const u of added) this.list[this.count++] = u;
    }
    const flags: { seq: number; uid: number }[] = [];
    for (const [uid, modseq] of this.flagChanges) {
      this.highestModSeq = Math.max(this.highestModSeq, modseq);
      const seq = this.seqOf(uid);
      if (seq) flags.push({ seq, uid });
    }
    this.flagChanges.clear();
    flags.sort((a, b) => a.seq - b.seq);
    return { expunged, added, flags };
  }

  // The client was just sent the message's flags as of modseq: a pending change they include
  // need not be reported again.
  reported(uid: number, modseq: number): void {
    const pending = this.flagChanges.get(uid);
    if (pending !== undefined && pending <= modseq) this.flagChanges.delete(uid);
  }

  // Removes UIDs this session expunged itself; their sequence numbers at removal, in order.
  removeOwn(uids: readonly number[]): { seq: number; uid: number }[] {
    for (const u of uids) this.expunged.delete(u);
    return this.removeSorted(uids);
  }

  // Drops the UIDs from the view in one pass. Each comes with the sequence number it has at the
  // moment it is reported, in ascending order (earlier removals shift later ones down by one).
  private removeSorted(uids: readonly number[]): { seq: number; uid: number }[] {
    const gone = new Set(uids);
    const out: { seq: number; uid: number }[] = [];
    // A new array, not compaction in place: a command may still read the list it took before.
    const kept = new Uint32Array(this.list.length);
    let n = 0;
    for (let i = 0; i < this.count; i++) {
      const uid = this.list[i]!;
      if (gone.has(uid)) {
        out.push({ seq: i + 1 - out.length, uid });
        this.recent.delete(uid);
      } else {
        kept[n++] = uid;
      }
    }
    if (out.length) {
      this.list = kept;
      this.count = n;
      this.saved = this.saved.filter((u) => !gone.has(u));
    }
    return out;
  }
}
