// The maildrop of a POP3 session (RFC 1939 4-6): the account's INBOX as it was at login. Messages
// delivered later are not part of it; messages another session expunges are noted from the
// store's changes; DELE only marks; QUIT (the UPDATE state) removes the marked messages, and flags
// the retrieved ones \Seen as Dovecot does, in one store commit.
import type { MessageRecord, Store } from '../store/index.ts';
import { INBOX } from '../store/index.ts';
import { noSuchMessage, Pop3Error } from './errors.ts';
import { octetSize } from './octets.ts';

interface Entry {
  uid: number;
  hash: Buffer;
  size: number; // as stored
  octets: number; // -1 until known
  deleted: boolean;
  retrieved: boolean;
  gone: boolean; // expunged by another session
}

// Octet counts by body hash. Bodies are content-addressed, so a count never goes stale; the cache
// saves reading every body again on each login of a client that keeps mail on the server.
const MAX_CACHED = 50_000;
const octetCache = new Map<string, number>();

// The count for a body, or null when the body is no longer stored.
function cachedOctets(hash: Buffer, read: () => Buffer | undefined): number | null {
  const key = hash.toString('base64');
  let n = octetCache.get(key);
  if (n === undefined) {
    const body = read();
    if (!body) return null;
    n = octetSize(body);
    if (octetCache.size >= MAX_CACHED) octetCache.delete(octetCache.keys().next().value!);
    octetCache.set(key, n);
  }
  return n;
}

// Sizes are computed in slices of this many messages, letting other sessions run in between.
const SIZE_SLICE = 256;
// Larger messages are not read ahead (readAhead): a session holds at most one such body extra.
const READ_AHEAD_MAX = 1024 * 1024;

export class Maildrop {
  readonly mailboxId: number;
  readonly uidValidity: number;
  private store: Store;
  private entries: Entry[];
  // The body read ahead of the next RETR or TOP (readAhead).
  private ahead: { n: number; body: Buffer } | null = null;
  private closed = false;
  private unsubscribe: () => void;

  private constructor(store: Store, accountId: number, mailboxId: number, uidValidity: number, records: MessageRecord[]) {
    this.store = store;
    this.mailboxId = mailboxId;
    this.uidValidity = uidValidity;
    this.entries = records.map((m) => ({ uid: m.uid, hash: m.hash, size: m.size, octets: -1, deleted: false, retrieved: false, gone: false }));
    const byUid = new Map(this.entries.map((e) => [e.uid, e]));
    // Subscribed in the same turn as the list was read: no expunge falls between the two.
    this.unsubscribe = store.onChange(accountId, (c) => {
      if (c.kind === 'expunged' && c.mailboxId === mailboxId) for (const uid of c.uids) this.markGone(byUid.get(uid));
      else if (c.kind === 'account-deleted') for (const e of this.entries) this.markGone(e);
    });
  }

  static open(store: Store, accountId: number): Maildrop {
    const inbox = store.mailboxes.get(accountId, INBOX);
    if (!inbox) throw new Pop3Error('SYS/PERM', 'the account has no INBOX');
    return new Maildrop(store, accountId, inbox.id, inbox.uidValidity, store.messages.list(inbox.id));
  }

  // Message numbers (1-based) of the messages not marked deleted.
  get numbers(): number[] {
    const out: number[] = [];
    this.entries.forEach((e, i) => {
      if (!e.deleted) out.push(i + 1);
    });
    return out;
  }

  // RFC 1939 5 STAT: messages not marked deleted, and their octets.
  async stat(): Promise<{ count: number; octets: number }> {
    let count = 0;
    let octets = 0;
    for (const n of await this.measured()) {
      count++;
      octets += this.entries[n - 1].octets;
    }
    return { count, octets };
  }

  // Every message number not marked deleted, with its octet count known.
  async measured(): Promise<number[]> {
    const numbers = this.numbers;
    for (let i = 0; i < numbers.length; i++) {
      if (i > 0 && i % SIZE_SLICE === 0) await new Promise((r) => setImmediate(r));
      this.octets(numbers[i]);
    }
    return numbers;
  }

  // The message number in a command argument, if it names a message not marked deleted.
  number(arg: string): number {
    if (!/^[1-9][0-9]{0,9}$/.test(arg)) throw new Pop3Error(null, `not a message number: ${arg}`);
    const n = Number(arg);
    const e = this.entries[n - 1];
    if (!e) throw noSuchMessage(arg);
    if (e.deleted) throw new Pop3Error(null, `message ${n} already deleted`);
    return n;
  }

  // The octet count of message n (RFC 1939 11); `body` spares a read when the caller has it. A
  // message another session expunged before its count was known, and whose body is gone, keeps
  // its stored size: its number stays in the listing, though it can no longer be retrieved.
  octets(n: number, body?: Buffer): number {
    const e = this.entries[n - 1];
    if (e.octets < 0) e.octets = cachedOctets(e.hash, () => body ?? this.store.messages.body(e.hash)) ?? e.size;
    return e.octets;
  }

  // RFC 1939 7 UIDL, in Dovecot's default form (pop3_uidl_format %08Xu%08Xv, lower-case hex):
  // the IMAP UID and the INBOX UIDVALIDITY, so that both protocols name a message alike and a
  // maildrop moved from Dovecot keeps its UIDLs when it keeps its UIDs.
  uidl(n: number): string {
    return hex8(this.entries[n - 1].uid) + hex8(this.uidValidity);
  }

  // The stored bytes of message n; a Pop3Error when another session (IMAP) expunged it.
  body(n: number): Buffer {
    const e = this.entries[n - 1];
    const ahead = this.ahead?.n === n ? this.ahead.body : undefined;
    this.ahead = null;
    const body = e.gone ? undefined : (ahead ?? this.store.messages.body(e.hash));
    if (!body) throw new Pop3Error(null, `message ${n} was removed by another session`);
    return body;
  }

  // Clients fetch messages in order: once message n is sent, message n + 1 is read from the store
  // while the client is still taking in message n, if the event loop has nothing else to do first.
  readAhead(n: number): void {
    const next = this.entries[n];
    if (!next || next.deleted || next.gone || next.size > READ_AHEAD_MAX) return;
    setImmediate(() => {
      if (this.ahead !== null || this.closed) return;
      try {
        const body = this.store.messages.body(next.hash);
        if (body) this.ahead = { n: n + 1, body };
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

  private markGone(e: Entry | undefined): void {
    if (!e) return;
    e.gone = true;
    if (this.ahead && this.entries[this.ahead.n - 1] === e) this.ahead = null;
  }

  markRetrieved(n: number): void {
    this.entries[n - 1].retrieved = true;
  }

  // RFC 1939 5 DELE: only a mark until QUIT.
  markDeleted(n: number): void {
    this.entries[n - 1].deleted = true;
  }

  // RFC 1939 5 RSET.
  unmarkAll(): void {
    for (const e of this.entries) e.deleted = false;
  }

  get deletedCount(): number {
    return this.entries.filter((e) => e.deleted).length;
  }

  // RFC 1939 6 UPDATE: one commit that expunges the marked messages and flags the retrieved ones
  // \Seen. Writes nothing when there is nothing to change. Resolves to the number of messages
  // expunged (messages another session expunged first are not counted).
  async commit(origin: unknown): Promise<{ expunged: number; seen: number }> {
    const deleted = this.entries.filter((e) => e.deleted).map((e) => e.uid);
    const seen = this.entries
      .filter((e) => e.retrieved && !e.deleted)
      .map((e) => e.uid)
      .filter((uid) => {
        const m = this.store.messages.get(this.mailboxId, uid);
        return m !== null && !m.flags.includes('\\Seen');
      });
    // Issued in the same event turn, the two writes share one commit (src/store/context.ts).
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
