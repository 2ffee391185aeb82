// Messages in mailboxes: delivery, APPEND, flags, expunge, COPY and MOVE. UIDs are strictly
// ascending and never reused within a UIDVALIDITY (RFC 9051 2.3.1.1); every change takes a new
// MODSEQ (RFC 7162 3.1) and expunged UIDs keep theirs so QRESYNC can report VANISHED (RFC 7162 3.2.10).
// Tombstones are kept up to MAX_TOMBSTONES per mailbox; the oldest go first and raise the mailbox's
// vanishedSince, below which a QRESYNC client gets a full resync instead (RFC 7162 3.2.5.2).
import type { MessageStructure, ParsedMessage } from '../mime/types.ts';
import { keyedBody, type Bodies, type PreparedBody } from './bodies.ts';
import type { StoreChange } from './changes.ts';
import type { StoreContext } from './context.ts';
import { StoreError, type StoreErrorCode } from './errors.ts';
import { applyFlags, isDeleted, isSeen, normalizeFlags, sameFlags, withKeywords, type FlagOp } from './flags.ts';
import type { MailboxIndex } from './mailbox-index.ts';
import { HeaderCache, type HeaderCacheReader } from './header-cache.ts';
import type { HeaderRecord } from './header-records.ts';
import { INBOX, type Mailboxes } from './mailboxes.ts';
import { octetSize } from './octets.ts';
import type { MailboxRecord, MessageRecord } from './records.ts';
import { messageRange } from './mailbox-records.ts';

export interface DeliveryTarget {
  accountId: number;
  mailbox?: string; // default INBOX
  flags?: string[];
}

export type DeliveryOutcome =
  | { ok: true; accountId: number; mailboxId: number; uid: number; uidValidity: number }
  | { ok: false; accountId: number; code: StoreErrorCode; message: string };

// A STORE: the operation on the flags of the messages with these UIDs.
export interface FlagChange {
  mailboxId: number;
  uids: number[];
  op: FlagOp;
  flags: string[];
  unchangedSince?: number;
  origin?: unknown;
}

export interface FlagUpdate {
  uid: number;
  flags: string[];
  modseq: number;
}

// A raw message ready to store: its body's key (bodies.ts bodyKey) and its parse.
interface Prepared {
  raw: Buffer;
  hash: Buffer;
  parsed: ParsedMessage;
}

// Expunge tombstones per mailbox: a prune at twice this keeps the newest MAX_TOMBSTONES, so the
// expunged database stays within about 2 x 40 bytes x this per mailbox (docs/limits.md).
export const MAX_TOMBSTONES = 10_000;

// Messages one STORE or EXPUNGE changes per commit: about 10 ms of work inside the write.
export const WRITE_CHUNK = 1000;

function* chunks(uids: readonly number[]): Generator<number[]> {
  for (let at = 0; at < uids.length; at += WRITE_CHUNK) yield uids.slice(at, at + WRITE_CHUNK);
}

// What a pass reads of each message: its record only, the body's parse too (BODYSTRUCTURE), or
// the whole body (a section, the text).
export type MessageReads = 'records' | 'parsed' | 'whole';

export class Messages {
  private ctx: StoreContext;
  private bodies: Bodies;
  private mailboxes: Mailboxes;
  private headerCache: HeaderCache;

  constructor(ctx: StoreContext, bodies: Bodies, mailboxes: Mailboxes) {
    this.ctx = ctx;
    this.bodies = bodies;
    this.mailboxes = mailboxes;
    this.headerCache = new HeaderCache(ctx, bodies);
  }

  // Final delivery of one message to several accounts in one commit. Resolves once that commit is
  // on disk, with one outcome per target: a target over quota fails alone.
  async deliver(opts: { raw: Buffer; body?: PreparedBody; targets: DeliveryTarget[]; internalDate?: number; origin?: unknown }): Promise<DeliveryOutcome[]> {
    const body = this.prepare(opts.raw, opts.body);
    const date = opts.internalDate ?? Date.now();
    return this.ctx.write((changes) =>
      opts.targets.map((t): DeliveryOutcome => {
        try {
          const mb = this.mailboxes.get(t.accountId, t.mailbox ?? INBOX);
          if (!mb) throw new StoreError('not-found', `no mailbox ${t.mailbox ?? INBOX}`);
          const uid = this.insert(mb, body, normalizeFlags(t.flags ?? []), date, changes, opts.origin);
          return { ok: true, accountId: t.accountId, mailboxId: mb.id, uid, uidValidity: mb.uidValidity };
        } catch (e) {
          if (!(e instanceof StoreError)) throw e;
          return { ok: false, accountId: t.accountId, code: e.code, message: e.message };
        }
      }),
    );
  }

  // RFC 9051 6.3.12 APPEND; the result carries what RFC 4315 APPENDUID reports.
  async append(opts: {
    mailboxId: number;
    raw: Buffer;
    body?: PreparedBody;
    flags?: string[];
    internalDate?: number;
    origin?: unknown;
  }): Promise<{ uid: number; uidValidity: number }> {
    const { uids, uidValidity } = await this.appendMany({ mailboxId: opts.mailboxId, messages: [opts], origin: opts.origin });
    return { uid: uids[0]!, uidValidity };
  }

  // RFC 3502 MULTIAPPEND: the messages in one commit, all or none (a message over quota or a
  // mailbox that cannot hold them rolls the whole write back); UIDs in order, for APPENDUID.
  async appendMany(opts: {
    mailboxId: number;
    messages: readonly { raw: Buffer; body?: PreparedBody; flags?: string[]; internalDate?: number }[];
    origin?: unknown;
  }): Promise<{ uids: number[]; uidValidity: number }> {
    const now = Date.now();
    const prepared = opts.messages.map((m) => ({ m, body: this.prepare(m.raw, m.body, now) }));
    return this.ctx.write((changes) => {
      const mb = this.requireMailbox(opts.mailboxId);
      const uids = prepared.map(({ m, body }) => this.insert(mb, body, normalizeFlags(m.flags ?? []), m.internalDate ?? Date.now(), changes, opts.origin));
      return { uids, uidValidity: mb.uidValidity };
    });
  }

  get(mailboxId: number, uid: number): MessageRecord | null {
    return this.ctx.dbs.messages.get([mailboxId, uid]) ?? null;
  }

  // Messages of a mailbox in UID order, optionally from a UID on and at most `limit` of them (one
  // cursor walk: a quarter of the cost of a get per UID).
  list(mailboxId: number, fromUid = 1, limit?: number): MessageRecord[] {
    return [...this.ctx.dbs.messages.getRange({ ...messageRange(mailboxId, fromUid), limit })].map((e) => e.value);
  }

  // The mailbox's index (UIDs, MODSEQs, sizes, octets, flags in UID order) as of the last commit;
  // null when there is no such mailbox. Read paths only, not inside a write (mailbox-index.ts).
  // Await indexReady() first, then call this in the same turn: it then never builds on the spot.
  index(mailboxId: number): MailboxIndex | null {
    return this.ctx.indexes.get(mailboxId);
  }

  // Builds the mailbox's index if needed, in slices that leave the event loop to others.
  indexReady(mailboxId: number): Promise<void> {
    return this.ctx.indexes.ready(mailboxId);
  }

  // Reads the mailbox's stored index into memory off the event loop, ahead of an indexReady().
  warmIndex(mailboxId: number): void {
    this.ctx.indexes.warm(mailboxId);
  }

  // UIDs expunged with a MODSEQ above `since` (RFC 7162 3.2.5.1 VANISHED), as inclusive ranges,
  // ascending. When `since` is older than the tombstones kept (vanishedSince), every UID below
  // UIDNEXT that is not in the mailbox: the full resync of RFC 7162 3.2.5.2, which may name UIDs
  // the client never saw, and which ranges keep as small as the mailbox's index.
  vanished(mailboxId: number, since: number): [number, number][] {
    const mb = this.ctx.dbs.mailboxes.get(mailboxId);
    if (!mb) return [];
    const out: [number, number][] = [];
    const add = (first: number, last: number) => {
      const prev = out.at(-1);
      if (prev && prev[1] + 1 === first) prev[1] = last;
      else out.push([first, last]);
    };
    if (since < mb.vanishedSince) {
      const index = this.index(mailboxId)!;
      let next = 1;
      for (let i = 0; i < index.length; next = index.uid(i++) + 1) if (index.uid(i) > next) add(next, index.uid(i) - 1);
      if (next < mb.uidNext) add(next, mb.uidNext - 1);
      return out;
    }
    for (const { key, value } of this.ctx.dbs.expunged.getRange({ start: [mailboxId], end: [mailboxId + 1] })) {
      if (value > since) add(key[1], key[1]);
    }
    return out;
  }

  body(hash: Buffer): Buffer | undefined {
    return this.bodies.get(hash);
  }

  // Has lmdb-js read these messages' records, and then as much of their bodies as `reads` says,
  // into memory on its own threads, for a pass that will read them soon (read-ahead.ts); resolves
  // once they are there, or will not be (the store is closing, or a read failed: logged).
  async prefetchMessages(mailboxId: number, uids: readonly number[], reads: MessageReads): Promise<void> {
    const keys: [number, number][] = [];
    for (const uid of uids) keys.push([mailboxId, uid]);
    try {
      // lmdb-js's prefetch on a closed environment ends the process (context.ts).
      if (!this.ctx.isOpen) return;
      await this.ctx.dbs.messages.prefetch(keys);
      if (reads === 'records' || !this.ctx.isOpen) return;
      // The records are in memory now: reading them costs the event loop no fault.
      const hashes: Buffer[] = [];
      for (const uid of uids) {
        const r = this.get(mailboxId, uid);
        if (r) hashes.push(r.hash);
      }
      await this.prefetchBodies(hashes, reads === 'whole');
    } catch (e) {
      this.ctx.log.warn('store.prefetch_failed', { error: e });
    }
  }

  // Has lmdb-js read these bodies (their parse, and with `raw` the message) into memory on its own
  // threads, for a pass that will read them soon (bodies.ts prefetch); resolves once they are
  // there (or will not be).
  prefetchBodies(hashes: readonly Buffer[], raw = true): Promise<void> {
    return this.bodies.prefetch(hashes, raw);
  }

  parsed(hash: Buffer): MessageStructure | undefined {
    return this.bodies.parsed(hash);
  }

  // What SEARCH, SORT and THREAD read of the headers (header-records.ts), without the whole parse.
  headers(hash: Buffer): HeaderRecord | undefined {
    return this.bodies.headers(hash);
  }

  // What SEARCH, SORT, THREAD and FETCH ENVELOPE read of a mailbox's messages, from the mailbox's
  // header cache (header-cache.ts); close() the reader at the end of the pass.
  summaries(mailboxId: number): HeaderCacheReader {
    return this.headerCache.reader(mailboxId);
  }

  // RFC 9051 6.4.6 STORE. With unchangedSince (RFC 7162 3.1.3), messages whose MODSEQ is higher
  // are left alone and reported in `failed`. Messages whose flags do not change keep their MODSEQ.
  // In commits of WRITE_CHUNK messages: a STORE is not atomic across messages (RFC 9051 6.4.6 asks
  // no more), and a whole large mailbox in one write would hold the event loop while it runs.
  async setFlags(opts: FlagChange): Promise<{ updated: FlagUpdate[]; failed: number[] }> {
    const updated: FlagUpdate[] = [];
    const failed: number[] = [];
    for (const uids of chunks(opts.uids)) {
      const done = await this.setFlagsChunk({ ...opts, uids });
      for (const u of done.updated) updated.push(u);
      for (const u of done.failed) failed.push(u);
    }
    return { updated, failed };
  }

  private setFlagsChunk(opts: FlagChange): Promise<{ updated: FlagUpdate[]; failed: number[] }> {
    return this.ctx.write((changes) => {
      const mb = this.requireMailbox(opts.mailboxId);
      const { messages, mailboxes } = this.ctx.dbs;
      const modseq = mb.highestModSeq + 1;
      const updated: FlagUpdate[] = [];
      const failed: number[] = [];
      const previous: string[][] = [];
      let unseen = mb.unseen;
      let keywords = mb.keywords;
      for (const uid of opts.uids) {
        const m = messages.get([mb.id, uid]);
        if (!m) continue;
        if (opts.unchangedSince !== undefined && m.modseq > opts.unchangedSince) {
          failed.push(uid);
          continue;
        }
        const flags = applyFlags(m.flags, opts.op, opts.flags);
        if (sameFlags(flags, m.flags)) continue;
        unseen += Number(isSeen(m.flags)) - Number(isSeen(flags));
        keywords = withKeywords(keywords, flags);
        messages.putSync([mb.id, uid], { ...m, flags, modseq });
        updated.push({ uid, flags, modseq });
        previous.push(m.flags);
      }
      if (updated.length) {
        mailboxes.putSync(mb.id, { ...mb, highestModSeq: modseq, modifiedModSeq: modseq, unseen, keywords });
        const changed = updated.map((u, i) => ({ ...u, previous: previous[i] }));
        changes.push({ kind: 'flags', accountId: mb.accountId, mailboxId: mb.id, messages: changed, origin: opts.origin });
      }
      return { updated, failed };
    });
  }

  // Removes messages: those in `uids` (all when omitted), and with onlyDeleted just the ones
  // flagged \Deleted at commit time (RFC 9051 6.4.3 EXPUNGE, RFC 4315 UID EXPUNGE). POP3 passes
  // its own list. Resolves to the UIDs removed, ascending.
  // In commits of WRITE_CHUNK messages, as setFlags. With onlyDeleted, the mailbox index first
  // narrows the candidates to those flagged \Deleted now; each is checked again in its commit.
  async expunge(opts: { mailboxId: number; uids?: number[]; onlyDeleted: boolean; origin?: unknown }): Promise<number[]> {
    // POP3 names its UIDs and removes them whatever their flags: no index is built for it.
    const indexed = opts.onlyDeleted || !opts.uids;
    if (indexed) await this.indexReady(opts.mailboxId);
    const index = indexed ? this.index(opts.mailboxId) : null;
    let candidates = opts.uids ? [...new Set(opts.uids)].sort((a, b) => a - b) : (index?.uids() ?? []);
    if (opts.onlyDeleted && index) {
      candidates = candidates.filter((uid) => {
        const i = index.indexOf(uid);
        return i >= 0 && index.deleted(i);
      });
    }
    const removed: number[] = [];
    for (const uids of chunks(candidates)) {
      const gone = await this.ctx.write((changes) => this.remove(this.requireMailbox(opts.mailboxId), uids, opts.onlyDeleted, changes, opts.origin));
      for (const u of gone) removed.push(u);
    }
    return removed;
  }

  // RFC 9051 6.4.7 COPY with RFC 4315 COPYUID data: [source uid, new uid] pairs.
  async copy(opts: { from: number; uids: number[]; to: number; origin?: unknown }): Promise<{ uidValidity: number; map: [number, number][] }> {
    return this.ctx.write((changes) => this.copyInside(opts, changes));
  }

  // RFC 6851 MOVE: copy and expunge in one commit.
  async move(opts: { from: number; uids: number[]; to: number; origin?: unknown }): Promise<{ uidValidity: number; map: [number, number][] }> {
    return this.ctx.write((changes) => {
      const result = this.copyInside(opts, changes);
      const src = this.requireMailbox(opts.from);
      // The copies took a reference to each body in this commit: the originals' go in it too.
      this.remove(
        src,
        result.map.map(([uid]) => uid),
        false,
        changes,
        opts.origin,
        'now',
      );
      return result;
    });
  }

  // --- inside writes ---

  // A new body, keyed (bodies.ts keyedBody). Identical messages of one MULTIAPPEND share a time,
  // so a key, so a body.
  private prepare(raw: Buffer, given?: PreparedBody, now = Date.now()): Prepared {
    return { raw, ...keyedBody(raw, given, now) };
  }

  private insert(mb: MailboxRecord, body: Prepared, flags: string[], internalDate: number, changes: StoreChange[], origin: unknown): number {
    if (mb.noSelect) throw new StoreError('forbidden', `${mb.name} cannot hold messages`);
    const current = this.requireMailbox(mb.id);
    this.chargeQuota(current.accountId, body.raw.length);
    this.bodies.addRef(body.hash, body.raw, body.parsed);
    const uid = current.uidNext;
    const modseq = current.highestModSeq + 1;
    const octets = octetSize(body.raw);
    this.ctx.dbs.messages.putSync([mb.id, uid], { uid, hash: body.hash, flags, internalDate, size: body.raw.length, octets, modseq });
    this.ctx.dbs.mailboxes.putSync(mb.id, {
      ...current,
      keywords: withKeywords(current.keywords, flags),
      uidNext: uid + 1,
      highestModSeq: modseq,
      count: current.count + 1,
      unseen: current.unseen + Number(!isSeen(flags)),
      size: current.size + body.raw.length,
    });
    const last = changes.at(-1);
    if (last?.kind === 'added' && last.mailboxId === mb.id) last.uids.push(uid);
    else changes.push({ kind: 'added', accountId: mb.accountId, mailboxId: mb.id, uids: [uid], origin });
    return uid;
  }

  private copyInside(opts: { from: number; uids: number[]; to: number; origin?: unknown }, changes: StoreChange[]) {
    const src = this.requireMailbox(opts.from);
    let dst = this.requireMailbox(opts.to);
    if (dst.noSelect) throw new StoreError('forbidden', `${dst.name} cannot hold messages`);
    if (src.accountId !== dst.accountId) throw new StoreError('forbidden', 'copies stay within one account');
    const { messages, mailboxes } = this.ctx.dbs;
    const sources = [...new Set(opts.uids)]
      .sort((a, b) => a - b)
      .map((uid) => messages.get([src.id, uid]))
      .filter((m): m is MessageRecord => m !== undefined);
    this.chargeQuota(
      dst.accountId,
      sources.reduce((n, m) => n + m.size, 0),
    );
    const map: [number, number][] = [];
    const modseq = dst.highestModSeq + 1;
    let uid = dst.uidNext;
    let unseen = dst.unseen;
    let size = dst.size;
    let keywords = dst.keywords;
    for (const m of sources) {
      this.bodies.addRef(m.hash);
      messages.putSync([dst.id, uid], { ...m, uid, modseq });
      map.push([m.uid, uid]);
      unseen += Number(!isSeen(m.flags));
      keywords = withKeywords(keywords, m.flags);
      size += m.size;
      uid++;
    }
    if (map.length) {
      dst = { ...dst, uidNext: uid, highestModSeq: modseq, count: dst.count + map.length, unseen, size, keywords };
      mailboxes.putSync(dst.id, dst);
      changes.push({ kind: 'added', accountId: dst.accountId, mailboxId: dst.id, uids: map.map(([, u]) => u), source: src.id, origin: opts.origin });
    }
    return { uidValidity: dst.uidValidity, map };
  }

  // Bodies' references are released (taken off by a sweep, bodies.ts) or, with 'now', dropped here.
  private remove(mb: MailboxRecord, uids: number[], onlyDeleted: boolean, changes: StoreChange[], origin: unknown, unref: 'later' | 'now' = 'later'): number[] {
    const { messages, expunged, mailboxes } = this.ctx.dbs;
    const current = this.requireMailbox(mb.id);
    const modseq = current.highestModSeq + 1;
    const removed: number[] = [];
    let { count, unseen, size } = current;
    for (const uid of uids) {
      const m = messages.get([mb.id, uid]);
      if (!m || (onlyDeleted && !isDeleted(m.flags))) continue;
      messages.removeSync([mb.id, uid]);
      expunged.putSync([mb.id, uid], modseq);
      if (unref === 'now') this.bodies.unref(m.hash);
      else this.bodies.release(m.hash);
      removed.push(uid);
      count--;
      unseen -= Number(!isSeen(m.flags));
      size -= m.size;
    }
    if (removed.length) {
      const tombstones = this.pruneTombstones(mb.id, current.tombstones + removed.length, current.vanishedSince);
      mailboxes.putSync(mb.id, { ...current, highestModSeq: modseq, modifiedModSeq: modseq, count, unseen, size, ...tombstones });
      changes.push({ kind: 'expunged', accountId: mb.accountId, mailboxId: mb.id, uids: removed, modseq, origin });
    }
    return removed;
  }

  // At twice MAX_TOMBSTONES, drops all but the newest MAX_TOMBSTONES (by MODSEQ); vanishedSince
  // becomes the newest MODSEQ dropped. One pass over the mailbox's tombstones per MAX_TOMBSTONES
  // expunges.
  private pruneTombstones(mailboxId: number, tombstones: number, vanishedSince: number): { tombstones: number; vanishedSince: number } {
    if (tombstones < 2 * MAX_TOMBSTONES) return { tombstones, vanishedSince };
    const { expunged } = this.ctx.dbs;
    const all = [...expunged.getRange({ start: [mailboxId], end: [mailboxId + 1] })].sort((a, b) => a.value - b.value);
    const drop = all.slice(0, all.length - MAX_TOMBSTONES);
    for (const { key, value } of drop) {
      expunged.removeSync(key);
      vanishedSince = Math.max(vanishedSince, value);
    }
    return { tombstones: all.length - drop.length, vanishedSince };
  }

  // Throws over-quota when `bytes` more would exceed the account's quota (RFC 9208 5.1: the
  // limit is the account's storage; a zero quota means no limit).
  private chargeQuota(accountId: number, bytes: number): void {
    const address = this.ctx.dbs.accountIds.get(accountId);
    const account = address ? this.ctx.dbs.accounts.get(address) : undefined;
    if (!account) throw new StoreError('not-found', `no account ${accountId}`);
    if (account.quota > 0 && this.mailboxes.usedBytes(accountId) + bytes > account.quota) {
      throw new StoreError('over-quota', `${account.address} is over quota`);
    }
  }

  private requireMailbox(id: number): MailboxRecord {
    const mb = this.ctx.dbs.mailboxes.get(id);
    if (!mb) throw new StoreError('not-found', `no mailbox ${id}`);
    return mb;
  }
}
