// A session's view of its selected mailbox (RFC 9051 2.3.1.2): the sorted UID list that maps
// message sequence numbers to UIDs, and the store changes other writers made that the client
// has not been told about yet. Sequence numbers change only when sync() reports the expunges
// (the store owns change; each session keeps its own view). Flag changes are remembered by UID
// only: they are reported with the message's current record, so a MODSEQ sent never goes down
// (RFC 7162 3.1), and the keywords the client was told about are the ones sent in FLAGS.
import type { StoreChange } from '../store/index.ts';
import { ImapBadSyntax } from './errors.ts';
import type { SequenceSet } from './parser.ts';

export class MailboxView {
  readonly mailboxId: number;
  readonly uidValidity: number;
  readonly readOnly: boolean;
  name: string;
  uids: number[];
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
    uids: number[];
    recent: number[];
    keywords: Iterable<string>;
    highestModSeq: number;
  }) {
    this.mailboxId = o.mailboxId;
    this.uidValidity = o.uidValidity;
    this.readOnly = o.readOnly;
    this.name = o.name;
    this.uids = o.uids;
    this.recent = new Set(o.recent);
    this.keywords = new Set(o.keywords);
    this.highestModSeq = o.highestModSeq;
  }

  get exists(): number {
    return this.uids.length;
  }

  // 1-based sequence number of a UID, or 0.
  seqOf(uid: number): number {
    let lo = 0;
    let hi = this.uids.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const v = this.uids[mid]!;
      if (v === uid) return mid + 1;
      if (v < uid) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
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
    const n = this.uids.length;
    if (byUid) {
      if (n === 0) return [];
      const max = this.uids[n - 1]!;
      const out = new Set<number>();
      for (const [a, b] of set.ranges) {
        let lo = a ?? max;
        let hi = b ?? max;
        if (lo > hi) [lo, hi] = [hi, lo];
        // Walk the smaller of the range and the mailbox.
        if (hi - lo < n) {
          for (let u = lo; u <= hi; u++) if (this.seqOf(u)) out.add(u);
        } else {
          for (const u of this.uids) if (u >= lo && u <= hi) out.add(u);
        }
      }
      return [...out].sort((x, y) => x - y);
    }
    const seqs = new Set<number>();
    for (const [a, b] of set.ranges) {
      let lo = a ?? n;
      let hi = b ?? n;
      if (lo > hi) [lo, hi] = [hi, lo];
      if (lenient) hi = Math.min(hi, n);
      else if (lo < 1 || hi > n) throw new ImapBadSyntax('Invalid message sequence number');
      for (let s = lo; s <= hi; s++) seqs.add(s);
    }
    return [...seqs].sort((x, y) => x - y).map((s) => this.uids[s - 1]!);
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
    const last = this.uids[this.uids.length - 1] ?? 0;
    const added = [...new Set(this.added)].filter((u) => u > last && !this.expunged.has(u)).sort((a, b) => a - b);
    this.added = [];
    const expunged: { seq: number; uid: number }[] = [];
    if (allowExpunge && this.expunged.size) {
      const gone = [...this.expunged];
      this.expunged.clear();
      for (const e of this.removeSorted(gone)) expunged.push(e);
    }
    for (const u of added) this.uids.push(u);
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
    const kept: number[] = [];
    for (let i = 0; i < this.uids.length; i++) {
      const uid = this.uids[i]!;
      if (gone.has(uid)) {
        out.push({ seq: i + 1 - out.length, uid });
        this.recent.delete(uid);
      } else {
        kept.push(uid);
      }
    }
    if (out.length) {
      this.uids = kept;
      this.saved = this.saved.filter((u) => !gone.has(u));
    }
    return out;
  }
}
