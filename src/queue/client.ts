// One SMTP session with a peer, through nodemailer's SMTP client (smtp-connection): connect (TCP
// or implicit TLS, RFC 8314), EHLO, STARTTLS (opportunistic for MX hosts: tried when offered, and
// the connection made again in plaintext when the handshake fails, as Postfix's "may" level;
// required for a relay that says starttls, RFC 3207), AUTH for a relay (only once encrypted,
// RFC 4954 4), then transactions with per-recipient replies (RFC 5321 3.3), PIPELINING when
// offered (RFC 2920), and RSET between transactions of a reused connection.
//
// Two things the client does not do by itself are added by overriding its internal hooks
// (nodemailer 10.6; the subclass names each one; library-internals.ts checks they are still there):
// - per-recipient RFC 3461 NOTIFY/ORCPT (the library sends one set for all recipients);
// - SMTPUTF8 on MAIL FROM for a message whose header is UTF-8 while its addresses are ASCII (the
//   library looks at the addresses only; RFC 6531 3.4 asks for it whenever the message needs it).
import { Readable } from 'node:stream';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { assertLibraryInternals } from '../smtp/library-internals.ts';

assertLibraryInternals('nodemailer');

export type PeerSecurity = 'opportunistic' | 'starttls' | 'tls' | 'none';

export interface PeerTarget {
  name: string; // MX or relay host name: SNI, logs, RFC 3464 Remote-MTA
  address: string; // what to connect to: an IP address (MX), or the relay's name
  port: number;
  security: PeerSecurity;
  auth: { user: string; pass: string } | null;
  verifyCertificate: boolean;
}

export interface ClientOptions {
  helo: string;
  connectTimeoutMs: number;
  timeoutMs: number;
  // Aborts a connection being set up (shutdown).
  signal?: AbortSignal;
}

export interface OutgoingMessage {
  from: string;
  recipients: { address: string; params: string }[]; // params: RCPT TO parameters ("" for none)
  message: Buffer;
  eightBit: boolean; // BODY=8BITMIME (RFC 6152)
  smtpUtf8: boolean; // SMTPUTF8 (RFC 6531)
  ret: 'FULL' | 'HDRS' | null; // RFC 3461 4.3
  envid: string | null; // RFC 3461 4.4
}

// replies: the peer answered each recipient (a reply per address); `clean` when the session is
// ready for the next transaction without RSET. failed: the transaction ended before that
// (connection lost, 421, MAIL FROM refused); `reply` is the peer's reply when there was one.
export type SendResult =
  | { kind: 'replies'; replies: Map<string, string>; clean: boolean }
  | { kind: 'failed'; reply: string | null; error: string; permanent: boolean; aborted?: boolean };

type NodemailerError = Error & {
  code?: string;
  response?: string;
  responseCode?: number;
  command?: string;
  recipient?: string;
  rejectedErrors?: NodemailerError[];
};

// The parts of smtp-connection this file relies on beyond its typed API.
interface Internals {
  _supportedExtensions: string[];
  _maxAllowedSize: number;
  _recipientQueue: string[];
  _envelope: false | { accepted?: string[]; rejectedErrors?: NodemailerError[] };
  _sendCommand(str: string, logStr?: string): void;
}

const base = SMTPConnection.prototype as unknown as Internals;

class OutboundConnection extends SMTPConnection {
  rcptParams = new Map<string, string>();
  forceSmtpUtf8 = false;

  get internals(): Internals {
    return this as unknown as Internals;
  }

  // Hook: the parameters of the RCPT TO being sent; the recipient was just queued.
  _getDsnRcptToArgs(): string {
    const params = this.rcptParams.get(this.internals._recipientQueue.at(-1) ?? '');
    return params ? ` ${params}` : '';
  }

  // Hook: every command goes through here; MAIL FROM gets SMTPUTF8 when it must carry it.
  _sendCommand(str: string, logStr?: string): void {
    const mail = /^MAIL FROM:/i.test(str);
    const line = mail && this.forceSmtpUtf8 && !/ SMTPUTF8(?: |$)/.test(str) ? `${str} SMTPUTF8` : str;
    base._sendCommand.call(this, line, logStr);
  }
}

const firstLine = (s: string | undefined) => (s ?? '').split(/\r?\n/).join(' ').trim();

export class Peer {
  readonly target: PeerTarget;
  private conn: OutboundConnection;
  private ended = false;
  private pending: ((r: SendResult) => void) | null = null;
  // 'data' from the moment the message starts to flow until the reply to it: abandoning the
  // session then could leave the peer with a complete message and us without its answer.
  phase: 'idle' | 'envelope' | 'data' = 'idle';

  private constructor(target: PeerTarget, conn: OutboundConnection) {
    this.target = target;
    this.conn = conn;
    conn.on('end', () => (this.ended = true));
  }

  // An open, greeted (and, as configured, encrypted and authenticated) session; rejects with the
  // reason when the peer cannot be reached or refuses.
  static async open(target: PeerTarget, o: ClientOptions): Promise<Peer> {
    try {
      return await Peer.connect(target, o, target.security);
    } catch (e) {
      // Opportunistic TLS (RFC 3207 4.1 leaves the choice to the client): a failed handshake is
      // followed by one plaintext attempt.
      if (target.security === 'opportunistic' && (e as NodemailerError).code === 'ETLS') return Peer.connect(target, o, 'none');
      throw e;
    }
  }

  private static async connect(target: PeerTarget, o: ClientOptions, security: PeerSecurity): Promise<Peer> {
    const conn = new OutboundConnection({
      host: target.address,
      port: target.port,
      name: o.helo,
      secure: security === 'tls',
      requireTLS: security === 'starttls',
      opportunisticTLS: security === 'opportunistic',
      ignoreTLS: security === 'none',
      servername: /^[\d.]+$|:/.test(target.name) || target.name.startsWith('[') ? undefined : target.name,
      tls: { rejectUnauthorized: target.verifyCertificate, minVersion: security === 'opportunistic' ? 'TLSv1' : 'TLSv1.2' },
      connectionTimeout: o.connectTimeoutMs,
      greetingTimeout: o.timeoutMs,
      socketTimeout: o.timeoutMs,
      socketCloseTimeout: 1000,
      logger: false,
    });
    await new Promise<void>((resolve, reject) => {
      const fail = (e: Error) => reject(e);
      const onAbort = () => {
        conn.close();
        reject(Object.assign(new Error('abandoned: homepost is stopping'), { code: 'EABORT' }));
      };
      if (o.signal?.aborted) return onAbort();
      o.signal?.addEventListener('abort', onAbort, { once: true });
      conn.once('error', fail);
      conn.once('end', () => reject(Object.assign(new Error('connection closed'), { code: 'ECONNECTION' })));
      conn.connect((err) => {
        conn.off('error', fail);
        o.signal?.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve();
      });
    });
    // Errors after this come through the callbacks of the command that was running.
    conn.on('error', () => {});
    const peer = new Peer(target, conn);
    if (target.auth) {
      if (!conn.secure) {
        peer.abort();
        throw Object.assign(new Error('refusing to send credentials over an unencrypted connection'), { code: 'ETLS' });
      }
      try {
        await new Promise<void>((resolve, reject) =>
          conn.login({ user: target.auth!.user, pass: target.auth!.pass }, (err) => (err ? reject(err) : resolve())),
        );
      } catch (e) {
        peer.abort();
        throw e;
      }
    }
    return peer;
  }

  get usable(): boolean {
    return !this.ended && !this.conn.destroyed && this.phase === 'idle';
  }

  get secure(): boolean {
    return this.conn.secure;
  }

  has(extension: string): boolean {
    return this.conn.internals._supportedExtensions.includes(extension);
  }

  // RFC 1870 SIZE of the peer, 0 when it names none.
  get maxSize(): number {
    return this.conn.internals._maxAllowedSize || 0;
  }

  send(m: OutgoingMessage): Promise<SendResult> {
    this.conn.rcptParams = new Map(m.recipients.map((r) => [r.address, r.params]));
    this.conn.forceSmtpUtf8 = m.smtpUtf8 && this.has('SMTPUTF8');
    this.phase = 'envelope';
    const source = new Readable({
      read: () => {
        this.phase = 'data';
        source.push(m.message);
        source.push(null);
      },
    });
    const dsn = m.ret || m.envid ? { ret: m.ret, envid: m.envid } : undefined;
    return new Promise<SendResult>((resolve) => {
      const done = (r: SendResult) => {
        if (this.pending !== done) return;
        this.pending = null;
        this.phase = 'idle';
        resolve(r);
      };
      this.pending = done;
      this.conn.send({ from: m.from, to: m.recipients.map((r) => r.address), size: m.message.length, use8BitMime: m.eightBit, dsn }, source, (err, info) =>
        done(err ? this.failure(err as NodemailerError, m) : this.success(info!, m)),
      );
    });
  }

  private success(info: { accepted: string[]; rejectedErrors?: NodemailerError[]; response: string }, m: OutgoingMessage): SendResult {
    const replies = new Map<string, string>();
    for (const a of info.accepted) replies.set(a, firstLine(info.response) || '250 2.0.0 Accepted');
    for (const e of info.rejectedErrors ?? []) if (e.recipient) replies.set(e.recipient, firstLine(e.response));
    return { kind: 'replies', replies: this.complete(replies, m), clean: true };
  }

  private failure(err: NodemailerError, m: OutgoingMessage): SendResult {
    const code = err.code ?? '';
    const command = err.command ?? '';
    const envelope = this.conn.internals._envelope || {};
    const rcptReplies = () => {
      const replies = new Map<string, string>();
      for (const e of envelope.rejectedErrors ?? err.rejectedErrors ?? []) if (e.recipient) replies.set(e.recipient, firstLine(e.response));
      return replies;
    };
    if ((code === 'EENVELOPE' || code === 'EMESSAGE') && command === 'MAIL FROM') {
      if (!err.responseCode)
        return { kind: 'failed', reply: `552 5.3.4 Message size exceeds the peer's limit of ${this.maxSize} bytes`, error: err.message, permanent: true };
      return { kind: 'failed', reply: firstLine(err.response), error: err.message, permanent: err.responseCode >= 500 };
    }
    if (code === 'EENVELOPE' && command === 'RCPT TO') return { kind: 'replies', replies: this.complete(rcptReplies(), m), clean: false };
    if ((code === 'EENVELOPE' || code === 'EMESSAGE') && command === 'DATA' && err.responseCode && err.responseCode !== 421) {
      // The reply to DATA or to the message applies to every recipient the peer had accepted.
      const replies = rcptReplies();
      for (const a of envelope.accepted ?? []) replies.set(a, firstLine(err.response));
      return { kind: 'replies', replies: this.complete(replies, m), clean: code === 'EMESSAGE' };
    }
    const reply = err.responseCode && err.responseCode >= 400 ? firstLine(err.response) : null;
    return { kind: 'failed', reply, error: `${err.message}${err.code ? ` (${err.code})` : ''}`.replace(/\s+/g, ' ').slice(0, 300), permanent: false };
  }

  // Every recipient gets an answer; one the peer never answered is tried again later.
  private complete(replies: Map<string, string>, m: OutgoingMessage): Map<string, string> {
    for (const r of m.recipients) if (!replies.has(r.address)) replies.set(r.address, '451 4.4.2 No reply from the peer for this recipient');
    return replies;
  }

  // RFC 5321 4.1.1.5: a clean slate before the next transaction on this connection.
  reset(): Promise<boolean> {
    if (!this.usable) return Promise.resolve(false);
    return new Promise((resolve) => this.conn.reset((err) => resolve(!err)));
  }

  // RFC 5321 4.1.1.10
  quit(): void {
    if (this.ended || this.conn.destroyed) return;
    this.ended = true;
    this.conn.quit();
  }

  // Drops the connection at once; a transaction in flight ends as aborted (the library's close
  // forgets it without calling back).
  abort(): void {
    this.ended = true;
    this.pending?.({ kind: 'failed', reply: null, error: 'abandoned: homepost is stopping', permanent: false, aborted: true });
    this.conn.close();
  }
}
