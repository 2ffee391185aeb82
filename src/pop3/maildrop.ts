// The maildrop of a POP3 session (RFC 1939 4-6): the account's INBOX as it was at login. Messages
// delivered later are not part of it; messages another session expunges are noted from the
// store's changes; DELE only marks; QUIT (the UPDATE state) removes the marked messages, and flags
// the retrieved ones \Seen as Dovecot does, in one store commit (up to 1,000 messages each).
import type { ByteLines } from '../net/byte-lines.ts';
import type { Store } from '../store/index.ts';
import { BODY_READ_AT_ONCE, INBOX } from '../store/index.ts';
import { noSuchMessage, Pop3Error } from './errors.ts';
import { positionOfUid } from '../store/uid-search.ts';

// Marks per message.
const DELETED = 1;
const RETRIEVED = 2;
const GONE = 4; // expunged by another session

// Larger messages are not read ahead (readAhead): a client that stops leaves that much read for
// nothing.
const READ_AHEAD_MAX = 1024 * 1024;

export class Maildrop {
  readonly mailboxId: number;
  readonly uidValidity: number;
  // The second half of every UIDL (uidl()), made once.
  private validityHex: string;
  private store: Store;
  // Per message number - 1: its UID, its octets (RFC 1939 11, stored with the message) and marks.
  private uids: Uint32Array;
  private octetCounts: Uint32Array;
  private marks: Uint8Array;
  // STAT's answer, kept as DELE and RSET change it: the messages not marked deleted, their octets.
  private live = { count: 0, octets: 0 };
  // The message read ahead of the next RETR or TOP (readAhead): its body, or the read of a large
  // one on lmdb-js's threads.
  private ahead: { n: number; body: Buffer | null; done: Promise<void> | null } | null = null;
  private closed = false;
  private unsubscribe: () => void;

  private constructor(store: Store, accountId: number, mailboxId: number, uidValidity: number) {
    this.store = store;
    this.mailboxId = mailboxId;
    this.uidValidity = uidValidity;
    this.validityHex = hex8(uidValidity);
    const index = store.messages.index(mailboxId)!;
    // Copies, which later commits do not change (uidArray() is the index's shared read-only one).
    this.uids = index.uidArray();
    this.octetCounts = index.octetArray();
    this.marks = new Uint8Array(index.length);
    for (let i = 0; i < index.length; i++) this.live.octets += this.octetCounts[i]!;
    this.live.count = index.length;
    // Subscribed in the same turn as the index was read: no expunge falls between the two.
    this.unsubscribe = store.onChange(accountId, (c) => {
      if (c.kind === 'expunged' && c.mailboxId === mailboxId) for (const uid of c.uids) this.markGone(this.positionOf(uid));
      else if (c.kind === 'account-deleted') for (let i = 0; i < this.uids.length; i++) this.markGone(i);
    });
  }

  // While a login's password is checked (argon2id, some 35 ms): the INBOX index of the account
  // named, if there is one, is read from the disk meanwhile, so that open() after a restart finds
  // it in memory. Reads only: a wrong password costs nothing more than the check.
  static warm(store: Store, address: string): void {
    const id = store.accounts.idOf(address);
    const inbox = id === null ? null : store.mailboxes.get(id, INBOX);
    if (inbox) store.messages.warmIndex(inbox.id);
  }

  static async open(store: Store, accountId: number): Promise<Maildrop> {
    const found = store.mailboxes.get(accountId, INBOX);
    if (!found) throw new Pop3Error('SYS/PERM', 'the account has no INBOX');
    await store.messages.indexReady(found.id);
    // The index is read in the constructor, in this turn.
    const inbox = store.mailboxes.getById(found.id);
    if (!inbox) throw new Pop3Error('SYS/PERM', 'the account has no INBOX');
    return new Maildrop(store, accountId, inbox.id, inbox.uidValidity);
  }

  // Message numbers (1-based) of the messages not marked deleted.
  get numbers(): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.marks.length; i++) if (!(this.marks[i]! & DELETED)) out.push(i + 1);
    return out;
  }

  // RFC 1939 5 STAT: messages not marked deleted, and their octets.
  stat(): { count: number; octets: number } {
    return { ...this.live };
  }

  // The message number in a command argument, if it names a message not marked deleted.
  number(arg: string): number {
    if (!/^[1-9][0-9]{0,9}$/.test(arg)) throw new Pop3Error(null, `not a message number: ${arg}`);
    const n = Number(arg);
    if (n > this.uids.length) throw noSuchMessage(arg);
    if (this.marks[n - 1]! & DELETED) throw new Pop3Error(null, `message ${n} already deleted`);
    return n;
  }

  // The octet count of message n (RFC 1939 11).
  octets(n: number): number {
    return this.octetCounts[n - 1]!;
  }

  // RFC 1939 7 UIDL, in Dovecot's default form (pop3_uidl_format %08Xu%08Xv, lower-case hex):
  // the IMAP UID and the INBOX UIDVALIDITY, so that both protocols name a message alike and a
  // maildrop moved from Dovecot keeps its UIDLs when it keeps its UIDs.
  uidl(n: number): string {
    return hex8(this.uids[n - 1]!) + this.validityHex;
  }

  // The same, written into a listing's lines.
  writeUidl(out: ByteLines, n: number): void {
    out.hex8(this.uids[n - 1]!).text(this.validityHex);
  }

  // The stored bytes of message n; a Pop3Error when another session (IMAP) expunged it.
  async body(n: number): Promise<Buffer> {
    const ahead = this.ahead?.n === n ? this.ahead : null;
    this.ahead = null;
    // A large body is waited for on lmdb-js's threads, never faulted in by the loop.
    if (!ahead?.body && this.octetCounts[n - 1]! > BODY_READ_AT_ONCE) await (ahead?.done ?? this.prefetch(n));
    const body = this.marks[n - 1]! & GONE ? undefined : (ahead?.body ?? this.read(n));
    if (!body) throw new Pop3Error(null, `message ${n} was removed by another session`);
    return body;
  }

  private read(n: number): Buffer | undefined {
    const record = this.store.messages.get(this.mailboxId, this.uids[n - 1]!);
    return record ? this.store.messages.body(record.hash) : undefined;
  }

  private prefetch(n: number): Promise<void> {
    return this.store.messages.prefetchMessages(this.mailboxId, [this.uids[n - 1]!], 'whole');
  }

  // Clients fetch messages in order: once message n is sent, message n + 1 is read from the store
  // while the client is still taking in message n: one over BODY_READ_AT_ONCE on lmdb-js's threads
  // (store/read-ahead.ts), a smaller one on the event loop when it has nothing else to do first.
  readAhead(n: number): void {
    if (this.closed || n >= this.uids.length || this.marks[n]! & (DELETED | GONE) || this.octetCounts[n]! > READ_AHEAD_MAX) return;
    if (this.octetCounts[n]! > BODY_READ_AT_ONCE) {
      this.ahead = { n: n + 1, body: null, done: this.prefetch(n + 1) };
      return;
    }
    setImmediate(() => {
      if (this.ahead !== null || this.closed) return;
      try {
        const body = this.read(n + 1);
        if (body) this.ahead = { n: n + 1, body, done: null };
      } catch {
        // A store closing under a shutdown: RETR, if it comes, reports it.
      }
    });
  }

  // The session is over: nothing more is read.
  close(): void {
    this.closed = true;
    this.ahead = null;
    this.unsubscribe();
  }

  // The position of a UID in the maildrop, or -1.
  private positionOf(uid: number): number {
    return positionOfUid(this.uids, this.uids.length, uid);
  }

  private markGone(i: number): void {
    if (i < 0) return;
    this.marks[i]! |= GONE;
    if (this.ahead?.n === i + 1) this.ahead = null;
  }

  markRetrieved(n: number): void {
    this.marks[n - 1]! |= RETRIEVED;
  }

  // RFC 1939 5 DELE: only a mark until QUIT.
  markDeleted(n: number): void {
    if (this.marks[n - 1]! & DELETED) return;
    this.marks[n - 1]! |= DELETED;
    this.live.count--;
    this.live.octets -= this.octetCounts[n - 1]!;
  }

  // RFC 1939 5 RSET.
  unmarkAll(): void {
    for (let i = 0; i < this.marks.length; i++) {
      if (!(this.marks[i]! & DELETED)) continue;
      this.marks[i]! &= ~DELETED;
      this.live.count++;
      this.live.octets += this.octetCounts[i]!;
    }
  }

  get deletedCount(): number {
    return this.marks.reduce((n, m) => n + (m & DELETED), 0);
  }

  // UIDs of the messages with all of `marks` and none of `without`.
  private marked(marks: number, without = 0): number[] {
    const out: number[] = [];
    for (let i = 0; i < this.marks.length; i++) if ((this.marks[i]! & marks) === marks && !(this.marks[i]! & without)) out.push(this.uids[i]!);
    return out;
  }

  // RFC 1939 6 UPDATE: one commit that expunges the marked messages and flags the retrieved ones
  // \Seen (more than WRITE_CHUNK of either continue in further commits: src/store/messages.ts). Writes nothing when there is nothing to change. Resolves to the number of messages
  // expunged (messages another session expunged first are not counted).
  async commit(origin: unknown): Promise<{ expunged: number; seen: number }> {
    const deleted = this.marked(DELETED);
    const seen = this.marked(RETRIEVED, DELETED).filter((uid) => {
      const m = this.store.messages.get(this.mailboxId, uid);
      return m !== null && !m.flags.includes('\\Seen');
    });
    // Issued in the same event turn, the two writes' first chunks share one commit (src/store/context.ts).
    const flagged = seen.length ? this.store.messages.setFlags({ mailboxId: this.mailboxId, uids: seen, op: 'add', flags: ['\\Seen'], origin }) : null;
    const expunged = deleted.length ? this.store.messages.expunge({ mailboxId: this.mailboxId, uids: deleted, onlyDeleted: false, origin }) : null;
    const [f, x] = await Promise.all([flagged, expunged]);
    return { expunged: x?.length ?? 0, seen: f?.updated.length ?? 0 };
  }
}

function hex8(n: number): string {
  return n.toString(16).padStart(8, '0');
}

// RFC 1939 4: an exclusive-access lock on the maildrop. In-process: one homepost process serves
// every session.
export class MaildropLocks {
  private held = new Set<number>();

  acquire(accountId: number): boolean {
    if (this.held.has(accountId)) return false;
    this.held.add(accountId);
    return true;
  }

  release(accountId: number): void {
    this.held.delete(accountId);
  }
}
