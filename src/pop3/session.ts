// One POP3 connection (RFC 1939): the state machine AUTHORIZATION -> TRANSACTION -> UPDATE, the
// command loop, and the replies. Commands live in commands/; only this file changes the state.
import { randomBytes } from 'node:crypto';
import { passwordsAllowed } from '../auth/login.ts';
import { type Connection, LineTooLongError } from '../net/connection.ts';
import { ByteLines } from '../net/byte-lines.ts';
import { Turns } from '../net/turns.ts';
import type { Logger } from '../log/log.ts';
import type { Slot } from '../net/listener.ts';
import type { ServiceContext } from '../service/context.ts';
import type { AccountInfo } from '../store/index.ts';
import { isStoreError } from '../store/index.ts';
import { messages } from './commands/command.ts';
import { COMMANDS } from './commands/index.ts';
import { Pop3Error } from './errors.ts';
import { Maildrop, type MaildropLocks } from './maildrop.ts';

export type Pop3State = 'authorization' | 'transaction' | 'update';

export interface Pop3Settings {
  locks: MaildropLocks;
  // This listener offers STLS (port 110); the implicit-TLS one (995) does not.
  stls: boolean;
  // RFC 1939 3: an inactivity autologout timer of at least 10 minutes.
  idleTimeoutMs: number;
}

// RFC 2449 4: a command line is at most 255 octets. Longer lines are accepted up to this bound
// (a 1024-character password fits), beyond it they get -ERR.
export const MAX_LINE = 2048;
// RFC 5034 4: an AUTH continuation line is not bound by the command line limit.
export const MAX_SASL_LINE = 8192;
const LINES_BATCH = 16_384;

let sessionCounter = 0;

export class Pop3Session {
  readonly conn: Connection;
  readonly ctx: ServiceContext;
  readonly log: Logger;
  // RFC 1939 7 APOP: the greeting's timestamp, <pid.random@hostname>.
  readonly timestamp: string;
  // The name a USER command gave, waiting for PASS.
  pendingUser: string | null = null;
  private settings: Pop3Settings;
  private current: Pop3State = 'authorization';
  private account: AccountInfo | null = null;
  private drop: Maildrop | null = null;
  // RFC 6856 2: the client issued UTF8.
  private utf8 = false;
  private busy = false;
  private ending = false;

  private slot: Slot | null;

  constructor(ctx: ServiceContext, conn: Connection, settings: Pop3Settings, slot: Slot | null = null) {
    this.ctx = ctx;
    this.conn = conn;
    this.settings = settings;
    this.slot = slot;
    const id = `${(++sessionCounter).toString(36)}${randomBytes(3).toString('hex')}`;
    this.log = ctx.log.child({ session: id, remote: conn.remoteAddress });
    this.timestamp = `<${process.pid}.${randomBytes(8).toString('hex')}@${ctx.options.hostname}>`;
  }

  // USER, PASS, APOP and AUTH need TLS, except from loopback in development (src/auth/login.ts).
  get authAllowed(): boolean {
    return passwordsAllowed({ secure: this.conn.secure, remoteAddress: this.conn.remoteAddress, dev: this.ctx.options.dev });
  }

  get stlsAvailable(): boolean {
    return this.settings.stls && !this.conn.secure;
  }

  get maildrop(): Maildrop {
    if (!this.drop) throw new Error('no maildrop outside the TRANSACTION state');
    return this.drop;
  }

  get user(): string | null {
    return this.account?.address ?? null;
  }

  async run(): Promise<void> {
    this.conn.setIdleTimeout(this.settings.idleTimeoutMs, () => this.idle());
    this.log.debug('pop3.connect', { secure: this.conn.secure });
    try {
      // RFC 1939 4 greeting, with the APOP timestamp (RFC 1939 7).
      await this.send(`+OK homepost POP3 ready ${this.timestamp}`);
      while (!this.ending) {
        let line: Buffer | null;
        try {
          line = await this.conn.readLine(MAX_LINE);
        } catch (e) {
          if (!(e instanceof LineTooLongError)) throw e;
          await this.send('-ERR line too long');
          continue;
        }
        if (line === null) break;
        this.busy = true;
        await this.execute(line.toString('utf8'));
        this.busy = false;
      }
    } catch (e) {
      this.log.error('pop3.session_failed', { error: e });
    } finally {
      this.end();
    }
  }

  // Listener shutdown: goodbye without the UPDATE state (RFC 1939 6: nothing is removed). A
  // command under way finishes first (a QUIT commits; the loop then ends the session).
  shutdown(): void {
    if (this.ending) return;
    this.ending = true;
    if (!this.busy) this.goodbye('-ERR [SYS/TEMP] server shutting down');
  }

  // RFC 1939 3 autologout, without the UPDATE state. Nothing was read or written for the whole
  // timeout; in the middle of a response (a client that stopped reading) there is nothing to say.
  private idle(): void {
    if (this.ending) return;
    this.ending = true;
    this.log.info('pop3.idle_timeout', { user: this.user, busy: this.busy });
    if (this.busy) this.conn.destroy();
    else this.goodbye('-ERR autologout: idle for too long');
  }

  // A last line, then close (close() gives a peer that does not read a few seconds, then cuts).
  private goodbye(line: string): void {
    void this.send(line);
    this.conn.close();
  }

  private async execute(line: string): Promise<void> {
    const space = line.indexOf(' ');
    const keyword = (space < 0 ? line : line.slice(0, space)).toUpperCase();
    const args = space < 0 ? '' : line.slice(space + 1);
    const command = COMMANDS.get(keyword);
    try {
      if (!command) throw new Pop3Error(null, keyword ? `unknown command: ${printable(keyword)}` : 'empty command');
      if (!command.states.includes(this.current)) throw new Pop3Error(null, `${keyword} is not valid in the ${this.current.toUpperCase()} state`);
      await command.run(this, args);
    } catch (e) {
      await this.send(this.failure(e, keyword).reply);
    }
  }

  private failure(e: unknown, keyword: string): Pop3Error {
    if (e instanceof Pop3Error) return e;
    if (isStoreError(e, 'full')) return new Pop3Error('SYS/TEMP', 'the mail store is full');
    if (isStoreError(e, 'closed')) {
      this.ending = true;
      return new Pop3Error('SYS/TEMP', 'server shutting down');
    }
    this.log.error('pop3.command_failed', { command: keyword, error: e });
    return new Pop3Error('SYS/TEMP', 'internal error');
  }

  // --- replies ---

  // A status line. Text from the client or the store (an EAI address) may hold UTF-8, which
  // only a client that issued UTF8 gets as such (RFC 6856 2).
  send(line: string): Promise<boolean> {
    this.conn.write(`${this.utf8 ? line : line.replace(/[^\x00-\x7f]/g, '?')}\r\n`);
    return this.conn.flush();
  }

  // A multi-line response of `count` short lines (CAPA, LIST, UIDL; none starts with "."), line k
  // written by write(out, source, k) as bytes (net/byte-lines.ts): in writes of about LINES_BATCH
  // bytes, the loop given back every SLICE_MS (a maildrop of 50,000 messages is a 1.3 MB UIDL
  // listing), waiting whenever the client is not reading. write is a module's function, not a
  // closure made per command, and the loop that calls it one of its own (docs/architecture.md,
  // "Code conventions": loops over a mailbox).
  async sendLines<T>(first: string, count: number, write: LineWriter<T>, source: T): Promise<boolean> {
    const turns = new Turns();
    const out = new ByteLines().text(first).text('\r\n');
    for (let k = 0; k < count; ) {
      k = writeLines(out, count, write, source, k);
      if (k === count) break;
      if (!this.conn.write(out.take()) && !(await this.conn.drain())) return false;
      await turns.pass();
    }
    this.conn.write(out.take());
    this.conn.write(TERMINATOR);
    return this.conn.flush();
  }

  // A multi-line response carrying a message (RETR, TOP), from byte-stuffed pieces, through the
  // connection's batches (a small message leaves in one write with its status line and the
  // terminator), waiting whenever the client is not reading.
  async sendMessage(first: string, pieces: Iterable<Buffer>): Promise<boolean> {
    this.conn.write(`${first}\r\n`);
    for (const piece of pieces) {
      if (!this.conn.write(piece) && !(await this.conn.drain())) return false;
    }
    this.conn.write(TERMINATOR);
    return this.conn.flush();
  }

  // RFC 5034 4: the client's answer to a "+ " continuation, or null when it is gone.
  async readContinuation(): Promise<string | null> {
    try {
      const line = await this.conn.readLine(MAX_SASL_LINE);
      return line === null ? null : line.toString('utf8');
    } catch (e) {
      if (e instanceof LineTooLongError) throw new Pop3Error(null, 'line too long');
      throw e;
    }
  }

  // --- state changes ---

  enableUtf8(): void {
    this.utf8 = true;
  }

  // RFC 2595 4 STLS: TLS starts, the session stays in AUTHORIZATION and forgets a USER name.
  async startTls(): Promise<void> {
    await this.send('+OK begin TLS negotiation');
    this.pendingUser = null;
    try {
      const dropped = await this.conn.startTls(this.ctx.tls);
      if (dropped) this.log.info('pop3.stls_discarded', { bytes: dropped });
    } catch (e) {
      this.log.info('pop3.stls_failed', { error: e });
      this.ending = true;
      this.conn.destroy();
    }
  }

  // RFC 1939 4: authenticated; lock and open the maildrop, or say why not (the lock is released
  // before a negative reply, and the session stays in AUTHORIZATION).
  async login(account: AccountInfo, mechanism: string): Promise<void> {
    this.pendingUser = null;
    if (!this.settings.locks.acquire(account.id)) {
      this.log.info('pop3.in_use', { user: account.address });
      throw new Pop3Error('IN-USE', 'maildrop already in use by another POP3 session');
    }
    let drop: Maildrop;
    try {
      drop = await Maildrop.open(this.ctx.store, account.id);
    } catch (e) {
      this.settings.locks.release(account.id);
      throw e;
    }
    this.account = account;
    this.drop = drop;
    this.current = 'transaction';
    this.slot?.loggedIn();
    const { count } = drop.stat();
    this.log.info('pop3.login', { user: account.address, mechanism, messages: count });
    await this.send(`+OK ${account.address} has ${messages(count)}`);
  }

  // RFC 1939 4 and 6 QUIT: in TRANSACTION, enter UPDATE and commit; then close.
  async quit(): Promise<void> {
    this.ending = true;
    if (this.current === 'authorization') {
      await this.send('+OK bye');
      this.conn.close();
      return;
    }
    this.current = 'update';
    let reply: string;
    try {
      const result = await this.maildrop.commit(this);
      this.log.info('pop3.update', { user: this.user, expunged: result.expunged, seen: result.seen });
      reply = `+OK bye, ${result.expunged} deleted`;
    } catch (e) {
      this.log.error('pop3.update_failed', { user: this.user, error: e });
      reply = '-ERR [SYS/TEMP] some deleted messages not removed';
    }
    // The maildrop is free before the client hears the reply, so it can log in again at once.
    this.release();
    await this.send(reply);
    this.conn.close();
  }

  // The connection is gone (QUIT, drop, timeout, shutdown): release the maildrop. Without QUIT,
  // nothing is expunged (RFC 1939 6).
  private end(): void {
    this.ending = true;
    if (this.account && this.current === 'transaction') {
      this.log.info('pop3.dropped', { user: this.user, deleteMarks: this.drop?.deletedCount ?? 0 });
    }
    this.release();
    if (!this.conn.isClosed) this.conn.close();
    this.log.debug('pop3.disconnect', {});
  }

  private release(): void {
    this.drop?.close();
    if (this.account) this.settings.locks.release(this.account.id);
    this.account = null;
    this.drop = null;
  }
}

const TERMINATOR = Buffer.from('.\r\n');

// Writes line k of a multi-line response (sendLines), without its CRLF.
export type LineWriter<T> = (out: ByteLines, source: T, k: number) => void;

// Lines k.. into `out` until it holds LINES_BATCH bytes or none is left; the next k.
function writeLines<T>(out: ByteLines, count: number, write: LineWriter<T>, source: T, k: number): number {
  for (; k < count && out.length < LINES_BATCH; k++) {
    write(out, source, k);
    out.text('\r\n');
  }
  return k;
}

// A command name as it may appear in a reply: printable ASCII, bounded.
function printable(s: string): string {
  return s.replace(/[^\x21-\x7e]/g, '?').slice(0, 40);
}
