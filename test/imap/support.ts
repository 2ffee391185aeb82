// Shared by the IMAP integration tests: a server with only the IMAP service, messages delivered
// through the store, and a small raw client that keeps the server's bytes as they are (so tests
// can check the exact responses that lenient client libraries would hide).
import net from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import zlib from 'node:zlib';
import { imapStarter } from '../../src/imap/server.ts';
import type { ImapConfig } from '../../src/imap/session.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

export interface ImapTestServer extends TestServer {
  port: number;
  tlsPort: number;
  user: string;
  password: string;
  accountId: number;
  deliver(raw: Buffer | string, opts?: { mailbox?: string; flags?: string[]; internalDate?: number }): Promise<number>;
}

export async function startImapServer(overrides: Partial<ImapConfig> = {}): Promise<ImapTestServer> {
  const server = await startTestServer({ starters: [imapStarter(overrides)] });
  const { address, password } = server.devAccount!;
  const store = server.context.store;
  const account = store.accounts.get(address)!;
  return {
    ...server,
    port: server.ports.imap!,
    tlsPort: server.ports.imaps!,
    user: address,
    password,
    accountId: account.id,
    async deliver(raw, opts = {}) {
      const [outcome] = await store.messages.deliver({
        raw: Buffer.isBuffer(raw) ? raw : Buffer.from(raw),
        targets: [{ accountId: account.id, mailbox: opts.mailbox, flags: opts.flags }],
        internalDate: opts.internalDate,
      });
      if (!outcome!.ok) throw new Error(outcome!.message);
      return outcome!.uid;
    },
  };
}

export interface Reply {
  untagged: string[];
  tagged: string;
  // Everything the server sent for the command, literals included, as text.
  text: string;
}

// A raw IMAP client: writes what it is told and reads responses, literals included.
export class RawClient {
  socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private waiters: (() => void)[] = [];
  private ended = false;
  private tagNo = 0;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.attach(socket);
  }

  private attach(socket: net.Socket | Duplex): void {
    socket.on('data', (b: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, b]);
      this.wake();
    });
    socket.on('close', () => {
      this.ended = true;
      this.wake();
    });
    socket.on('error', () => {});
  }

  // After a tagged OK to STARTTLS: the handshake over the same socket.
  async startTls(): Promise<void> {
    const plain = this.socket;
    plain.removeAllListeners('data');
    const secure = tls.connect({ socket: plain, rejectUnauthorized: false });
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
    this.attach(inflate);
    deflate.on('data', (b: Buffer) => this.socket.write(b));
    this.writer = (data) => {
      deflate.write(data);
      deflate.flush(zlib.constants.Z_SYNC_FLUSH);
    };
  }

  private writer: ((data: string | Buffer) => void) | null = null;

  static async connect(port: number, opts: { tls?: boolean } = {}): Promise<RawClient> {
    const socket = opts.tls
      ? tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false })
      : net.connect({ port, host: '127.0.0.1' });
    await new Promise<void>((resolve, reject) => {
      socket.once(opts.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new RawClient(socket);
  }

  get closed(): boolean {
    return this.ended;
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  private async more(timeoutMs: number): Promise<void> {
    if (this.ended) throw new Error('connection closed');
    await new Promise<void>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`timed out; have ${JSON.stringify(this.buffer.toString('latin1').slice(0, 500))}`)), timeoutMs);
      this.waiters.push(() => (clearTimeout(t), resolve()));
    });
  }

  // One response line with any literals it carries inlined (CRLF kept inside), without the final CRLF.
  async line(timeoutMs = 5000): Promise<string> {
    let out = '';
    for (;;) {
      const lf = this.buffer.indexOf('\r\n');
      if (lf < 0) {
        if (this.ended) throw new Error(`connection closed; have ${JSON.stringify(out + this.buffer.toString('latin1'))}`);
        await this.more(timeoutMs);
        continue;
      }
      const text = this.buffer.toString('utf8', 0, lf);
      const lit = /~?\{(\d+)\}$/.exec(text);
      if (!lit) {
        this.buffer = this.buffer.subarray(lf + 2);
        return out + text;
      }
      const n = Number(lit[1]);
      while (this.buffer.length < lf + 2 + n) await this.more(timeoutMs);
      out += text + '\r\n' + this.buffer.toString('utf8', lf + 2, lf + 2 + n);
      this.buffer = this.buffer.subarray(lf + 2 + n);
    }
  }

  write(data: string | Buffer): void {
    if (this.writer) this.writer(data);
    else this.socket.write(data);
  }

  nextTag(): string {
    return `A${++this.tagNo}`;
  }

  // Sends "TAG command" and collects the responses up to the tagged one.
  async command(command: string, timeoutMs = 5000): Promise<Reply> {
    const tag = this.nextTag();
    this.write(`${tag} ${command}\r\n`);
    return this.until(tag, timeoutMs);
  }

  async until(tag: string, timeoutMs = 5000): Promise<Reply> {
    const untagged: string[] = [];
    for (;;) {
      const l = await this.line(timeoutMs);
      if (l.startsWith(tag + ' ')) return { untagged, tagged: l, text: [...untagged, l].join('\r\n') };
      untagged.push(l);
    }
  }

  async login(user: string, password: string): Promise<Reply> {
    return this.command(`LOGIN "${user}" "${password}"`);
  }

  close(): void {
    this.socket.destroy();
  }
}

// Logged-in raw client (the greeting consumed).
export async function loggedIn(server: ImapTestServer): Promise<RawClient> {
  const c = await RawClient.connect(server.port);
  await c.line();
  const r = await c.login(server.user, server.password);
  if (!r.tagged.includes('OK')) throw new Error(`login failed: ${r.tagged}`);
  return c;
}

export function message(n: number | string, extra = '', body = `Body of message ${n}.\r\n`): string {
  return (
    `From: Alice <alice@example.org>\r\nTo: dev@example.test\r\nSubject: test ${n}\r\n` +
    `Date: Thu, 26 Nov 2026 07:00:00 +0000\r\nMessage-ID: <${n}@example.org>\r\n${extra}\r\n${body}`
  );
}

// Sends a command, returns its reply, and fails the test unless it is tagged OK.
export async function ok(c: RawClient, command: string): Promise<Reply> {
  const r = await c.command(command);
  if (!/^\S+ OK/.test(r.tagged)) throw new Error(`${command} -> ${r.text}`);
  return r;
}
