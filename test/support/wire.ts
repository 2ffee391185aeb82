// Wire: the raw client under every test that must send what real clients will not, or check a
// reply to the byte: a socket (TLS, STARTTLS, COMPRESS, a chosen source address), what arrived
// and was not read yet, and readers for CRLF lines, SMTP replies (RFC 5321 4.2.1) and IMAP
// responses with their literals (RFC 9051 4.3). test/smtp/harness.ts (RawSmtp), test/imap/
// support.ts (RawClient) and test/support/attacks.ts build on it. Imports nothing from src/:
// bench/hostile.ts aims it at older builds too.
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import zlib from 'node:zlib';

export interface ConnectOptions {
  port: number;
  host?: string;
  localAddress?: string;
  tls?: boolean; // implicit TLS (RFC 8314)
  servername?: string; // TLS SNI
  timeoutMs?: number;
}

export interface SmtpReply {
  code: number;
  enhanced: string; // RFC 3463 code at the start of the text, or ''
  lines: string[]; // as sent, codes included
  text: string; // the lines' texts joined by \n, without codes
}

export interface ImapReply {
  tag: string;
  tagged: string;
  untagged: string[];
}

const SERVERNAME = 'mail.example.test';

// RFC 4616 PLAIN's initial response.
export const plainAuth = (user: string, password: string) => Buffer.from(`\0${user}\0${password}`).toString('base64');

// A connected socket (after the TLS handshake with tls), or an error when the server refuses,
// closes or does not answer within timeoutMs.
export async function openSocket(o: ConnectOptions): Promise<net.Socket> {
  const host = o.host ?? '127.0.0.1';
  const raw = net.connect({ port: o.port, host, localAddress: o.localAddress });
  const socket = o.tls ? tls.connect({ socket: raw, rejectUnauthorized: false, servername: o.servername ?? SERVERNAME }) : raw;
  if (o.tls) raw.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => {
      socket.destroy();
      reject(new Error(`connect to ${host}:${o.port} timed out`));
    }, o.timeoutMs ?? 10_000);
    socket.once(o.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(t);
      resolve();
    });
    for (const s of new Set([raw, socket])) {
      s.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
      s.once('close', () => {
        clearTimeout(t);
        reject(new Error('closed while connecting'));
      });
    }
  });
  return socket;
}

export class Wire {
  socket: net.Socket;
  readonly localAddress: string | undefined;
  protected buffer: Buffer = Buffer.alloc(0);
  // How lines are read into strings: latin1 keeps every byte; subclasses checking UTF-8 text use utf8.
  protected encoding: BufferEncoding = 'latin1';
  protected tagPrefix = 'h';
  private waiters: (() => void)[] = [];
  private ended = false;
  private tagNo = 0;
  private writer: ((data: string | Buffer) => void) | null = null;

  constructor(socket: net.Socket, localAddress?: string) {
    this.socket = socket;
    this.localAddress = localAddress;
    this.attach(socket);
  }

  static async open(o: ConnectOptions): Promise<Wire> {
    return new Wire(await openSocket(o), o.localAddress);
  }

  private attach(s: Duplex): void {
    s.on('data', (b: Buffer) => {
      this.buffer = this.buffer.length ? Buffer.concat([this.buffer, b]) : b;
      this.wake();
    });
    s.on('close', () => {
      this.ended = true;
      this.wake();
    });
    s.on('error', () => {});
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  get closed(): boolean {
    return this.ended;
  }

  // Resolves when the server closed the connection, or false after timeoutMs.
  async waitClosed(timeoutMs: number): Promise<boolean> {
    const until = Date.now() + timeoutMs;
    while (!this.ended && Date.now() < until) await this.more(until - Date.now()).catch(() => {});
    return this.ended;
  }

  protected more(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const t = setTimeout(
        () => reject(new Error(`no answer in ${timeoutMs} ms; have ${JSON.stringify(this.buffer.toString('latin1', 0, 300))}`)),
        Math.max(1, timeoutMs),
      );
      this.waiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  // Whatever arrived so far and was not read.
  get pending(): string {
    return this.buffer.toString(this.encoding);
  }

  // What arrived and was not read, consumed.
  takePending(): string {
    const out = this.pending;
    this.buffer = Buffer.alloc(0);
    return out;
  }

  // Writes; resolves once the socket can take more (false when it closed meanwhile).
  async write(data: string | Buffer): Promise<boolean> {
    if (this.ended || this.socket.destroyed) return false;
    if (this.writer) {
      this.writer(data);
      return true;
    }
    if (this.socket.write(data)) return true;
    return new Promise<boolean>((resolve) => {
      const done = (ok: boolean) => {
        this.socket.off('drain', onDrain);
        this.socket.off('close', onClose);
        resolve(ok);
      };
      const onDrain = () => done(true);
      const onClose = () => done(false);
      this.socket.on('drain', onDrain);
      this.socket.on('close', onClose);
    });
  }

  // One line without CRLF; throws when the connection ends first or nothing comes in time.
  async line(timeoutMs = 10_000): Promise<string> {
    return this.crlfLine(timeoutMs);
  }

  private async crlfLine(timeoutMs: number): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const lf = this.buffer.indexOf('\r\n');
      if (lf >= 0) {
        const l = this.buffer.toString(this.encoding, 0, lf);
        this.buffer = this.buffer.subarray(lf + 2);
        return l;
      }
      if (this.ended) throw new Error(`connection closed; have ${JSON.stringify(this.buffer.toString('latin1', 0, 300))}`);
      await this.more(until - Date.now());
    }
  }

  // An IMAP response line with the literals it carries inlined (RFC 9051 4.3; literal8, RFC 3516).
  async imapLine(timeoutMs = 10_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    let out = '';
    for (;;) {
      const l = await this.crlfLine(until - Date.now());
      const lit = /~?\{(\d+)\}$/.exec(l);
      if (!lit) return out + l;
      const n = Number(lit[1]);
      while (this.buffer.length < n) {
        if (this.ended) throw new Error('connection closed inside a literal');
        await this.more(until - Date.now());
      }
      out += `${l}\r\n${this.buffer.toString(this.encoding, 0, n)}`;
      this.buffer = this.buffer.subarray(n);
    }
  }

  // RFC 5321 4.2.1: "code-text" lines, then "code text".
  async smtpReply(timeoutMs = 10_000): Promise<SmtpReply> {
    const until = Date.now() + timeoutMs;
    const lines: string[] = [];
    for (;;) {
      const l = await this.crlfLine(until - Date.now());
      lines.push(l);
      if (!/^\d{3}-/.test(l)) break;
    }
    const text = lines.map((l) => l.slice(4)).join('\n');
    return { code: Number(lines.at(-1)!.slice(0, 3)), enhanced: /^([245]\.\d{1,3}\.\d{1,3})\b/.exec(text)?.[1] ?? '', lines, text };
  }

  // A complete SMTP reply, if one arrived already.
  smtpReplyReady(): boolean {
    return /(^|\r\n)\d{3}( [^\r\n]*)?\r\n/.test(this.buffer.toString('latin1'));
  }

  async smtp(command: string, timeoutMs = 10_000): Promise<SmtpReply> {
    await this.write(`${command}\r\n`);
    return this.smtpReply(timeoutMs);
  }

  nextTag(): string {
    return `${this.tagPrefix}${++this.tagNo}`;
  }

  // Sends "TAG command" and reads up to the tagged response; `tagged` is that line.
  async imap(command: string, timeoutMs = 10_000): Promise<ImapReply> {
    const tag = this.nextTag();
    await this.write(`${tag} ${command}\r\n`);
    return this.imapUntil(tag, timeoutMs);
  }

  async imapUntil(tag: string, timeoutMs = 10_000): Promise<ImapReply> {
    const until = Date.now() + timeoutMs;
    const untagged: string[] = [];
    for (;;) {
      const l = await this.imapLine(until - Date.now());
      if (l.startsWith(`${tag} `)) return { tag, tagged: l, untagged };
      untagged.push(l);
    }
  }

  // STARTTLS (RFC 3207, RFC 9051 6.2.1, RFC 2595 4) after the server said go ahead; what was
  // buffered before is dropped (RFC 3207 4.2).
  async startTls(servername = SERVERNAME): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    plain.removeAllListeners('close');
    this.buffer = Buffer.alloc(0);
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false, servername });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  // After a tagged OK to COMPRESS DEFLATE: both directions through raw DEFLATE (RFC 4978).
  startDeflate(): void {
    const inflate = zlib.createInflateRaw();
    const deflate = zlib.createDeflateRaw();
    this.socket.removeAllListeners('data');
    this.socket.on('data', (b: Buffer) => inflate.write(b));
    // The connection has ended once the last inflated bytes are read, not when the socket closes.
    this.socket.removeAllListeners('close');
    this.socket.on('close', () => inflate.end());
    this.attach(inflate);
    deflate.on('data', (b: Buffer) => this.socket.write(b));
    this.writer = (data) => {
      deflate.write(data);
      deflate.flush(zlib.constants.Z_SYNC_FLUSH);
    };
  }

  close(): void {
    this.socket.destroy();
  }
}
