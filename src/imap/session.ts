// One IMAP connection (RFC 9051 3): its state, the selected mailbox's view, the extensions the
// client enabled, and its output (batched by the Connection). Only this file changes the state.
import { passwordsAllowed, type LoginGate } from '../auth/login.ts';
import type { Logger } from '../log/log.ts';
import type { MemoryBudget } from '../memory/budget.ts';
import { MessageBuffer } from '../memory/message-buffer.ts';
import type { WorkerPool } from '../offload/pool.ts';
import { LineTooLongError, type Connection } from '../net/connection.ts';
import type { Slot } from '../net/listener.ts';
import { MAX_MAILBOX_KEYWORDS } from '../store/flags.ts';
import type { AccountInfo, Store, StoreChange } from '../store/index.ts';
import type { TlsManager } from '../tls/manager.ts';
import { capabilityList } from './capabilities.ts';
import { dispatch } from './dispatch.ts';
import { encodeSequenceSet, isAstringAtom, quote, ResponseBuilder, type Chunk } from './encoder.ts';
import { ImapBadSyntax, ImapUserError } from './errors.ts';
import { Framer, type FramerLimits } from './framer.ts';
import type { MailboxView } from './mailbox-view.ts';
import { decodeMutf7, encodeMutf7 } from './mutf7.ts';
import type { RecentTracker } from './recent.ts';

// Pending flag changes read and reported per turn of the event loop.
const FLAGS_SLICE = 256;

export type SessionState = 'not-authenticated' | 'authenticated' | 'selected' | 'logout';

export interface ImapConfig {
  hostname: string;
  dev: boolean;
  maxLine: number;
  maxCommand: number;
  maxMessage: number;
  // A line, and a whole command with its literals, before login.
  preAuthMaxLine: number;
  // SEARCH ends with NO [LIMIT] after this long (it yields to other sessions meanwhile).
  searchBudgetMs: number;
  // RFC 9051 5.4: at least 30 minutes once authenticated.
  idleTimeoutMs: number;
  preAuthTimeoutMs: number;
  // Consecutive BAD answers before the session is ended with BYE.
  maxBadCommands: number;
}

export interface ImapServices {
  store: Store;
  tls: TlsManager;
  budget: MemoryBudget;
  offload: WorkerPool;
  logins: LoginGate;
  log: Logger;
  recent: RecentTracker;
  config: ImapConfig;
}

export class ImapSession {
  state: SessionState = 'not-authenticated';
  readonly conn: Connection;
  readonly svc: ImapServices;
  log: Logger;
  account: AccountInfo | null = null;
  // ENABLEd extensions (RFC 5161), upper case; QRESYNC implies CONDSTORE (RFC 7162 3.2.3).
  readonly enabled = new Set<string>();
  view: MailboxView | null = null;
  badCommands = 0;
  // Set when expunges were reported during the current command: a CONDSTORE client then gets the
  // new HIGHESTMODSEQ in the tagged OK (RFC 7162: expunges carry no MODSEQ of their own).
  expungesReported = false;
  // Set while IDLE waits: called when a store change reaches the view.
  idleWaker: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;

  private slot: Slot | null;

  constructor(conn: Connection, svc: ImapServices, log: Logger, slot: Slot | null = null) {
    this.conn = conn;
    this.svc = svc;
    this.log = log;
    this.slot = slot;
  }

  get store(): Store {
    return this.svc.store;
  }

  get utf8(): boolean {
    return this.enabled.has('UTF8=ACCEPT');
  }

  get rev2(): boolean {
    return this.enabled.has('IMAP4REV2');
  }

  get condstore(): boolean {
    return this.enabled.has('CONDSTORE') || this.enabled.has('QRESYNC');
  }

  get qresync(): boolean {
    return this.enabled.has('QRESYNC');
  }

  // Passwords only over TLS, or on loopback in development (src/auth/login.ts).
  get authAllowed(): boolean {
    return passwordsAllowed({ secure: this.conn.secure, remoteAddress: this.conn.remoteAddress, dev: this.svc.config.dev });
  }

  capabilities(): string {
    return capabilityList({
      authenticated: this.state === 'authenticated' || this.state === 'selected',
      secure: this.conn.secure,
      authAllowed: this.authAllowed,
      compressed: this.conn.compressed,
      maxMessage: this.svc.config.maxMessage,
    }).join(' ');
  }

  // --- output ---

  builder(start = '* '): ResponseBuilder {
    return new ResponseBuilder(this.utf8, start);
  }

  // Queues output on the connection (net/connection.ts batches it); waits while the client
  // is not reading, so a large FETCH streams at the client's pace.
  async send(chunks: Chunk[] | string): Promise<void> {
    let room = true;
    if (typeof chunks === 'string') room = this.conn.write(chunks);
    else for (const c of chunks) room = this.conn.write(c) && room;
    if (!room) await this.conn.drain();
  }

  untagged(text: string): Promise<void> {
    return this.send(`* ${text}\r\n`);
  }

  // Sends what is queued (at the end of each command, and before reading more from the client).
  async flush(): Promise<void> {
    await this.conn.flush();
  }

  // --- the connection's life ---

  async run(): Promise<void> {
    const { config } = this.svc;
    this.conn.setIdleTimeout(config.preAuthTimeoutMs, () => this.autologout());
    const framer = new Framer({
      conn: this.conn,
      limits: () => this.limits(),
      newMessage: (binary, size) => new MessageBuffer(this.svc.budget, config.maxMessage, { normalize: !binary, expected: size }),
    });
    this.log.info('imap.connect', { secure: this.conn.secure });
    try {
      await this.untagged(`OK [CAPABILITY ${this.capabilities()}] ${config.hostname} homepost ready`);
      await this.flush();
      while (this.state !== 'logout' && !this.conn.isClosed) {
        const frame = await framer.next();
        if (frame === null) break;
        if (frame.kind === 'fatal') {
          await this.bye(frame.text);
          break;
        }
        if (frame.kind === 'refused') {
          // RFC 9051 7.1 TOOBIG, RFC 5530 LIMIT; APPEND's refusal is a NO (RFC 7889 APPENDLIMIT).
          const kind = frame.command === 'APPEND' && this.state !== 'not-authenticated' ? 'NO' : 'BAD';
          await this.send(`${frame.tag} ${kind} [${frame.code}] ${frame.reason}\r\n`);
          if (kind === 'BAD' && (await this.countBad())) break;
        } else {
          try {
            await dispatch(this, frame.parts, frame.message);
          } finally {
            frame.message?.release();
          }
        }
        await this.flush();
      }
    } catch (e) {
      // IDLE and AUTHENTICATE read lines of their own.
      if (e instanceof LineTooLongError) await this.bye('Line too long');
      else if (!this.conn.isClosed) this.log.error('imap.session_failed', { error: e });
    } finally {
      this.end();
    }
  }

  // What one command may be. Before login only what LOGIN and AUTHENTICATE need: a hostile
  // client that has not logged in holds a few KB per connection, whatever it announces.
  limits(): FramerLimits {
    const c = this.svc.config;
    if (this.state === 'not-authenticated') return { maxLine: c.preAuthMaxLine, maxCommand: c.preAuthMaxLine, maxMessage: 0, oversizedLiteral: 'close' };
    return { maxLine: c.maxLine, maxCommand: c.maxCommand, maxMessage: c.maxMessage, oversizedLiteral: 'discard' };
  }

  // Counts a BAD answer; true when the limit is reached and the session was ended.
  async countBad(): Promise<boolean> {
    if (++this.badCommands < this.svc.config.maxBadCommands) return false;
    this.log.warn('imap.too_many_bad_commands', {});
    await this.bye('Too many invalid commands');
    return true;
  }

  async bye(text: string): Promise<void> {
    await this.untagged(`BYE ${text}`);
    await this.flush();
    this.state = 'logout';
    this.conn.close();
  }

  private autologout(): void {
    this.log.info('imap.autologout', {});
    void this.bye('Autologout; idle for too long');
  }

  // Listener shutdown: say goodbye (RFC 9051 7.1.5).
  shutdown(): void {
    void this.bye('Server shutting down');
  }

  private end(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    this.state = 'logout';
    this.conn.close();
    this.log.info('imap.disconnect', {});
  }

  async startTls(): Promise<void> {
    await this.flush();
    await this.conn.startTls(this.svc.tls);
    this.conn.setIdleTimeout(this.svc.config.preAuthTimeoutMs, () => this.autologout());
  }

  async startDeflate(): Promise<void> {
    await this.flush();
    this.conn.startDeflate();
  }

  logout(): void {
    this.state = 'logout';
  }

  login(account: AccountInfo): void {
    this.account = account;
    this.slot?.loggedIn();
    this.state = 'authenticated';
    this.log = this.log.child({ account: account.address });
    this.conn.setIdleTimeout(this.svc.config.idleTimeoutMs, () => this.autologout());
    this.unsubscribe = this.store.onChange(account.id, (c) => this.onStoreChange(c));
  }

  select(view: MailboxView): void {
    this.view = view;
    this.state = 'selected';
  }

  unselect(): void {
    this.view = null;
    if (this.state === 'selected') this.state = 'authenticated';
  }

  private onStoreChange(change: StoreChange): void {
    if (change.kind === 'account-deleted') {
      void this.bye('Account removed');
      return;
    }
    if (change.kind === 'mailbox-deleted') this.svc.recent.forget(change.mailboxId);
    if (this.view?.apply(change, change.origin === this)) this.idleWaker?.();
  }

  // Reports what other writers changed in the selected mailbox (RFC 9051 7.4.1, 7.5.1; RFC 7162
  // 3.2.10 VANISHED once QRESYNC is enabled). allowExpunge is false after FETCH, STORE and SEARCH.
  async sync(allowExpunge: boolean): Promise<void> {
    const v = this.view;
    if (!v?.hasPending) return;
    if (v.deleted) {
      await this.bye('Selected mailbox was deleted');
      return;
    }
    const t = v.take(allowExpunge);
    if (t.expunged.length) {
      this.expungesReported = true;
      if (this.qresync) await this.untagged(`VANISHED ${encodeSequenceSet(t.expunged.map((e) => e.uid).sort((a, b) => a - b))}`);
      else for (const e of t.expunged) await this.untagged(`${e.seq} EXPUNGE`);
    }
    if (t.added.length) {
      const { recent } = this.svc;
      for (const u of v.readOnly ? recent.peek(v.mailboxId, t.added) : recent.claim(v.mailboxId, t.added)) v.recent.add(u);
      await this.untagged(`${v.exists} EXISTS`);
      if (!this.rev2) await this.untagged(`${v.recent.size} RECENT`);
    }
    await this.reportFlags(v, t.flags);
  }

  // Other writers' flag changes, each with the message's current state from the store's index
  // (its MODSEQ is at least any this session was sent: RFC 7162 3.1); a message gone meanwhile
  // waits for its expunge. In slices, yielding between them: another session's STORE on a whole
  // mailbox reaches every view.
  private async reportFlags(v: MailboxView, changed: { seq: number; uid: number }[]): Promise<void> {
    for (let at = 0; at < changed.length; at += FLAGS_SLICE) {
      if (at > 0) await new Promise(setImmediate);
      await this.store.messages.indexReady(v.mailboxId);
      const index = this.store.messages.index(v.mailboxId);
      const slice = changed.slice(at, at + FLAGS_SLICE).flatMap((c) => {
        const i = index ? index.indexOf(c.uid) : -1;
        return i < 0 ? [] : [{ ...c, flags: index!.flags(i), modseq: index!.modseq(i) }];
      });
      await this.announceKeywords(slice.flatMap((c) => c.flags));
      for (const c of slice) await this.sendFlags(c.seq, c.uid, c.flags, c.modseq);
    }
  }

  // RFC 9051 7.3.5, RFC 3501 7.2.6: a keyword reaches the client in FLAGS and PERMANENTFLAGS
  // before any FETCH carries it.
  hasNewKeywords(flags: readonly string[]): boolean {
    const v = this.view;
    return v !== null && flags.some((f) => !f.startsWith('\\') && !v.keywords.has(f));
  }

  async announceKeywords(flags: readonly string[]): Promise<void> {
    const v = this.view;
    if (!v) return;
    let added = false;
    for (const f of flags) {
      if (f.startsWith('\\') || v.keywords.has(f)) continue;
      v.keywords.add(f);
      added = true;
    }
    if (added) await this.sendFlagsLists(v);
  }

  // A FETCH response with a message's flags as of modseq: keywords announced first, and the
  // pending changes of other writers it covers dropped.
  async sendFlags(seq: number, uid: number, flags: readonly string[], modseq: number, withUid = false): Promise<void> {
    await this.announceKeywords(flags);
    await this.send(this.fetchFlagsLine(seq, uid, flags, modseq, withUid));
    this.view?.reported(uid, modseq);
  }

  // * FLAGS and * OK [PERMANENTFLAGS] for the view (RFC 9051 7.3.5, 7.1).
  async sendFlagsLists(v: MailboxView): Promise<void> {
    const flags = ['\\Answered', '\\Flagged', '\\Deleted', '\\Seen', '\\Draft', ...v.keywords].join(' ');
    await this.untagged(`FLAGS (${flags})`);
    // \* only while the mailbox may take new keywords (src/store/flags.ts).
    const create = v.keywords.size < MAX_MAILBOX_KEYWORDS ? ' \\*' : '';
    await this.untagged(`OK [PERMANENTFLAGS (${v.readOnly ? '' : `${flags}${create}`})] ${v.readOnly ? 'Read-only mailbox' : 'Flags permitted'}`);
  }

  // The flags as this client sees them: \Recent added for rev1 clients (RFC 3501 2.3.2).
  flagList(uid: number, flags: readonly string[]): string {
    const all = !this.rev2 && this.view?.recent.has(uid) ? [...flags, '\\Recent'] : flags;
    return `(${all.join(' ')})`;
  }

  // An unsolicited or STORE FETCH response with FLAGS; UID once QRESYNC is on, MODSEQ once
  // CONDSTORE is (RFC 7162 3.1.4, 3.2.4).
  fetchFlagsLine(seq: number, uid: number, flags: readonly string[], modseq: number, withUid = false): string {
    const parts: string[] = [];
    if (withUid || this.qresync) parts.push(`UID ${uid}`);
    parts.push(`FLAGS ${this.flagList(uid, flags)}`);
    if (this.condstore) parts.push(`MODSEQ (${modseq})`);
    return `* ${seq} FETCH (${parts.join(' ')})\r\n`;
  }

  // --- mailbox names (RFC 9051 5.1, RFC 3501 5.1.3, RFC 6855 3) ---

  // The stored (UTF-8) name of a mailbox name as the client sent it.
  mailboxName(wire: Buffer): string {
    const text = wire.toString('utf8');
    if (this.utf8) {
      if (!Buffer.from(text, 'utf8').equals(wire)) throw new ImapBadSyntax('Mailbox name is not valid UTF-8');
      return text;
    }
    if (wire.some((b) => b >= 0x80)) {
      // RFC 9051 allows UTF-8 here; accept it when it is valid (as Dovecot does).
      if (!Buffer.from(text, 'utf8').equals(wire)) throw new ImapBadSyntax('Mailbox name is not valid UTF-8');
      return text;
    }
    const name = decodeMutf7(text);
    if (name === null) throw new ImapUserError('Mailbox name is not valid modified UTF-7', 'CANNOT');
    return name;
  }

  // The name as this client must see it.
  wireName(name: string): string {
    return this.utf8 ? name : encodeMutf7(name);
  }

  // A mailbox name as an astring. Names hold no control characters (the store refuses them) and
  // their wire form is ASCII unless UTF8=ACCEPT is on, so an atom or a quoted string always fits.
  encodeMailbox(name: string): string {
    const wire = this.wireName(name);
    return isAstringAtom(wire) ? wire : quote(wire);
  }
}
