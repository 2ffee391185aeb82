// Helpers for the SMTP integration tests: a server with only the SMTP service and a DNS resolver
// that never leaves the process, a minimal raw SMTP client (for what real clients refuse to do:
// pipelining plaintext behind STARTTLS, relay tricks from a chosen source address), and a way
// to run outside clients as subprocesses.
import { execFile } from 'node:child_process';
import { createSmtpService } from '../../src/smtpserver/service.ts';
import type { DnsResolve } from '../../src/smtp/dns.ts';
import type { Logger } from '../../src/log/log.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { openSocket, plainAuth, Wire, type SmtpReply } from '../support/wire.ts';

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
// log: where the server's lines go (a test reading which rule decided).
export async function startSmtpServer(
  o: { dns?: DnsTable; systemDns?: boolean; settings?: Record<string, unknown>; log?: Logger } = {},
): Promise<SmtpTestServer> {
  const resolve = o.systemDns ? undefined : tableResolver(o.dns ?? {});
  const server = await startTestServer({ starters: [createSmtpService({ resolve })], log: o.log });
  for (const [k, v] of Object.entries(o.settings ?? {})) await server.context.store.settings.set(k, v);
  return {
    ...server,
    smtp: server.ports.smtp,
    submission: server.ports.submission,
    submissions: server.ports.submissions,
    password: server.devAccount!.password,
  };
}

export type Reply = SmtpReply;

// A line-level SMTP client on a raw socket (test/support/wire.ts).
export class RawSmtp extends Wire {
  protected override encoding: BufferEncoding = 'utf8';

  static async connect(port: number, o: { localAddress?: string; host?: string } = {}): Promise<RawSmtp> {
    return new RawSmtp(await openSocket({ port, ...o }), o.localAddress);
  }

  static async connectTls(port: number): Promise<RawSmtp> {
    return new RawSmtp(await openSocket({ port, tls: true }));
  }

  // The next complete reply (RFC 5321 4.2.1: "code-" lines then "code ").
  reply(timeoutMs = 10_000): Promise<Reply> {
    return this.smtpReply(timeoutMs);
  }

  command(line: string): Promise<Reply> {
    return this.smtp(line);
  }

  // What the server sent within waitMs (everything, when it closes the connection sooner).
  async drain(waitMs = 300): Promise<string> {
    await this.waitClosed(waitMs);
    return this.takePending();
  }
}

export { plainAuth };

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], o: { input?: string | Buffer; timeoutMs?: number; env?: NodeJS.ProcessEnv } = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = execFile(
      cmd,
      args,
      { timeout: o.timeoutMs ?? 30_000, maxBuffer: 16 * 1024 * 1024, env: { ...process.env, ...o.env } },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout: String(stdout), stderr: String(stderr) });
      },
    );
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

// Splits the trace fields homepost adds on top (Return-Path, the junk verdict, Received-SPF,
// Authentication-Results, Received) from the client's message, which follows byte for byte.
export function splitTrace(stored: Buffer): { trace: string[]; rest: Buffer } {
  const trace: string[] = [];
  let pos = 0;
  for (;;) {
    const text = stored.toString('latin1', pos, pos + 4096);
    const m = /^(Return-Path|X-Homepost-Junk|Received-SPF|Authentication-Results|Received):[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/.exec(text);
    if (!m) break;
    trace.push(Buffer.from(m[0], 'latin1').toString('utf8'));
    pos += Buffer.byteLength(m[0], 'latin1');
    if (m[1] === 'Received') break;
  }
  return { trace, rest: stored.subarray(pos) };
}
