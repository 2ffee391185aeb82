// Helpers for the SMTP integration tests: a server with only the SMTP service and a DNS resolver
// that never leaves the process, a minimal raw SMTP client (for what real clients refuse to do:
// pipelining plaintext behind STARTTLS, relay tricks from a chosen source address), and a way
// to run outside clients as subprocesses.
import { execFile } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { createSmtpStarter } from '../../src/smtp/service.ts';
import type { DnsResolve } from '../../src/smtp/dns.ts';
import { startTestServer, type TestServer } from '../support/server.ts';

// DNS answers from a table: { 'example.org': { TXT: [['v=spf1 -all']] } }. Anything else is
// NXDOMAIN, as mailauth expects from dns.promises.
export type DnsTable = Record<string, Partial<Record<string, unknown[]>>>;

export function tableResolver(table: DnsTable): DnsResolve {
  return async (name, type) => {
    const entry = table[name.toLowerCase().replace(/\.$/, '')];
    const answer = entry?.[type];
    if (answer) return answer;
    const e = new Error(`${type} ${name}: ${entry ? 'no data' : 'not found'}`) as NodeJS.ErrnoException;
    e.code = entry ? 'ENODATA' : 'ENOTFOUND';
    throw e;
  };
}

export interface SmtpTestServer extends TestServer {
  smtp: number;
  submission: number;
  submissions: number;
  password: string;
}

// systemDns: use the real resolver with the dns.servers setting (point it at a local socket).
export async function startSmtpServer(o: { dns?: DnsTable; systemDns?: boolean; settings?: Record<string, unknown> } = {}): Promise<SmtpTestServer> {
  const resolve = o.systemDns ? undefined : tableResolver(o.dns ?? {});
  const server = await startTestServer({ starters: [createSmtpStarter({ resolve })] });
  for (const [k, v] of Object.entries(o.settings ?? {})) await server.context.store.settings.set(k, v);
  return {
    ...server,
    smtp: server.ports.smtp,
    submission: server.ports.submission,
    submissions: server.ports.submissions,
    password: server.devAccount!.password,
  };
}

export interface Reply {
  code: number;
  lines: string[];
  text: string; // all lines joined with \n, without codes
}

// A line-level SMTP client on a raw socket.
export class RawSmtp {
  socket: net.Socket | tls.TLSSocket;
  private buffer = '';
  private waiters: (() => void)[] = [];
  private closed = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.attach(socket);
  }

  static async connect(port: number, o: { localAddress?: string; host?: string } = {}): Promise<RawSmtp> {
    const socket = net.connect({ port, host: o.host ?? '127.0.0.1', localAddress: o.localAddress });
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', reject);
    });
    return new RawSmtp(socket);
  }

  static async connectTls(port: number): Promise<RawSmtp> {
    const socket = tls.connect({ port, host: '127.0.0.1', rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      socket.once('secureConnect', resolve);
      socket.once('error', reject);
    });
    return new RawSmtp(socket);
  }

  private attach(s: net.Socket): void {
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      this.buffer += d;
      this.wake();
    });
    s.on('close', () => {
      this.closed = true;
      this.wake();
    });
    s.on('error', () => {});
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    w.forEach((f) => f());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  // The next complete reply (RFC 5321 4.2.1: "code-" lines then "code ").
  async reply(timeoutMs = 10_000): Promise<Reply> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = /^(?:\d{3}-[^\n]*\n)*\d{3}(?: [^\n]*)?\r?\n/.exec(this.buffer);
      if (m) {
        this.buffer = this.buffer.slice(m[0].length);
        const lines = m[0].split(/\r?\n/).filter(Boolean);
        return { code: Number(lines[0].slice(0, 3)), lines, text: lines.map((l) => l.slice(4)).join('\n') };
      }
      if (this.closed) throw new Error(`connection closed; buffered: ${JSON.stringify(this.buffer)}`);
      if (Date.now() > deadline) throw new Error(`no reply in ${timeoutMs} ms; buffered: ${JSON.stringify(this.buffer)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 50);
        this.waiters.push(() => (clearTimeout(t), r()));
      });
    }
  }

  async command(line: string): Promise<Reply> {
    this.write(line + '\r\n');
    return this.reply();
  }

  // STARTTLS on this connection: the socket is wrapped, nothing buffered is kept.
  async startTls(): Promise<void> {
    const raw = this.socket as net.Socket;
    raw.removeAllListeners('data');
    raw.removeAllListeners('close');
    this.buffer = '';
    const secure = tls.connect({ socket: raw, rejectUnauthorized: false, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', resolve);
      secure.once('error', reject);
    });
    this.socket = secure;
    this.attach(secure);
  }

  // Everything the server sends until it closes, or what came within waitMs.
  async drain(waitMs = 300): Promise<string> {
    await new Promise((r) => setTimeout(r, waitMs));
    const out = this.buffer;
    this.buffer = '';
    return out;
  }

  close(): void {
    this.socket.destroy();
  }
}

export function plainAuth(user: string, password: string): string {
  return Buffer.from(`\0${user}\0${password}`).toString('base64');
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], o: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(cmd, args, { timeout: o.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...o.env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
    });
    if (o.input !== undefined) child.stdin!.end(o.input);
  });
}

// The raw messages in an account's INBOX, oldest first.
export function inbox(server: TestServer, address: string): Buffer[] {
  const store = server.context.store;
  const account = store.accounts.get(address);
  if (!account) throw new Error(`no account ${address}`);
  const mb = store.mailboxes.get(account.id, 'INBOX')!;
  return store.messages.list(mb.id).map((m) => store.messages.body(m.hash)!);
}

// Splits the trace fields homepost adds on top (Return-Path, Received-SPF,
// Authentication-Results, Received) from the client's message, which follows byte for byte.
export function splitTrace(stored: Buffer): { trace: string[]; rest: Buffer } {
  const trace: string[] = [];
  let pos = 0;
  for (;;) {
    const text = stored.toString('latin1', pos, pos + 4096);
    const m = /^(Return-Path|Received-SPF|Authentication-Results|Received):[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/.exec(text);
    if (!m) break;
    trace.push(Buffer.from(m[0], 'latin1').toString('utf8'));
    pos += Buffer.byteLength(m[0], 'latin1');
    if (m[1] === 'Received') break;
  }
  return { trace, rest: stored.subarray(pos) };
}
