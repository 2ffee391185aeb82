// What the POP3 integration tests share: a server with only POP3 and a mailbox to fill, a way to
// run outside clients (python3, curl, fetchmail, openssl) without blocking the server's event
// loop, and a small line client for exact replies.
import { execFile } from 'node:child_process';
import net from 'node:net';
import tls from 'node:tls';
import { createPop3Service, type Pop3Options } from '../../src/pop3/index.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { hashNewPassword } from '../../src/auth/password.ts';

export interface Pop3Fixture {
  server: TestServer;
  port: number; // STLS
  tlsPort: number; // implicit TLS
  user: string;
  password: string;
  accountId: number;
  inbox: number;
  deliver(raw: Buffer | string): Promise<number>;
  uids(): number[];
  close(): Promise<void>;
}

export const USER = 'user@example.test';
export const PASSWORD = 'correct horse 1';

// dev (default true): loopback may log in without TLS, as `homepost serve --dev` allows.
export async function pop3Fixture(o: { dev?: boolean; options?: Partial<Pop3Options> } = {}): Promise<Pop3Fixture> {
  const server = await startTestServer({ starters: [createPop3Service(o.options)], dev: o.dev });
  const { store } = server.context;
  if (!store.domains.isLocal('example.test')) await store.domains.add('example.test');
  const account = await store.accounts.create({ address: USER, passwordHash: await hashNewPassword(PASSWORD) });
  const inbox = store.mailboxes.get(account.id, 'INBOX')!.id;
  return {
    server,
    port: server.ports.pop3,
    tlsPort: server.ports.pop3s,
    user: USER,
    password: PASSWORD,
    accountId: account.id,
    inbox,
    async deliver(raw) {
      const [outcome] = await store.messages.deliver({ raw: Buffer.from(raw), targets: [{ accountId: account.id }] });
      if (!outcome.ok) throw new Error(outcome.message);
      return outcome.uid;
    },
    uids: () => store.messages.list(inbox).map((m) => m.uid),
    close: () => server.close(),
  };
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

// An outside program, asynchronously (the server runs in this process), with optional stdin.
export function run(cmd: string, args: string[], o: { input?: string | Buffer; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      cmd,
      args,
      { env: o.env ?? process.env, timeout: o.timeoutMs ?? 30_000, maxBuffer: 64 * 1024 * 1024, encoding: 'latin1' },
      (e, stdout, stderr) => {
        if (e && typeof (e as NodeJS.ErrnoException).code === 'string') return reject(e);
        resolve({ code: e ? ((e as { code?: number }).code ?? null) : 0, stdout, stderr });
      },
    );
    if (o.input !== undefined) child.stdin!.end(o.input);
    else child.stdin!.end();
  });
}

// A python3 script (poplib) whose stdout is one JSON value.
export async function python<T = unknown>(script: string, args: (string | number)[] = []): Promise<T> {
  const r = await run('python3', ['-c', script, ...args.map(String)]);
  if (r.code !== 0) throw new Error(`python3 exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

// Logs in over a line client, retrying while the maildrop is still locked by a session the server
// has not yet seen end.
export async function loginWhenFree(f: Pop3Fixture): Promise<LineClient> {
  for (let attempt = 0; ; attempt++) {
    const c = await LineClient.connect(f.port);
    await c.line();
    await c.command(`USER ${f.user}`);
    const reply = await c.command(`PASS ${f.password}`);
    if (reply?.startsWith('+OK')) return c;
    c.close();
    if (!reply?.includes('[IN-USE]') || attempt > 50) throw new Error(`login failed: ${reply}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

// A minimal POP3 line client, for replies checked to the byte and for input no real client sends.
export class LineClient {
  private socket: net.Socket;
  private buffer = Buffer.alloc(0);
  private waiting: (() => void) | null = null;
  private ended = false;

  private constructor(socket: net.Socket) {
    this.socket = socket;
    this.listen();
  }

  static async connect(port: number, o: { tls?: boolean } = {}): Promise<LineClient> {
    const socket = o.tls ? tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }) : net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      socket.once(o.tls ? 'secureConnect' : 'connect', () => resolve());
      socket.once('error', reject);
    });
    return new LineClient(socket);
  }

  get secure(): boolean {
    return this.socket instanceof tls.TLSSocket;
  }

  write(data: string | Buffer): void {
    this.socket.write(data);
  }

  send(line: string): void {
    this.socket.write(`${line}\r\n`);
  }

  // The next line without CRLF; null once the server closed the connection.
  async line(): Promise<string | null> {
    for (;;) {
      const lf = this.buffer.indexOf('\r\n');
      if (lf >= 0) {
        const l = this.buffer.subarray(0, lf).toString('latin1');
        this.buffer = this.buffer.subarray(lf + 2);
        return l;
      }
      if (this.ended) return null;
      await new Promise<void>((r) => (this.waiting = r));
    }
  }

  async command(line: string): Promise<string | null> {
    this.send(line);
    return this.line();
  }

  // The lines of a multi-line response after its status line, unstuffed, up to the "." line.
  async multiline(): Promise<string[]> {
    const out: string[] = [];
    for (;;) {
      const l = await this.line();
      if (l === null) throw new Error('connection closed inside a multi-line response');
      if (l === '.') return out;
      out.push(l.startsWith('.') ? l.slice(1) : l);
    }
  }

  // The raw bytes of a multi-line response up to and including CRLF.CRLF.
  async rawMultiline(): Promise<Buffer> {
    for (;;) {
      const end = this.buffer.indexOf('\r\n.\r\n');
      if (end >= 0) {
        const out = this.buffer.subarray(0, end + 5);
        this.buffer = this.buffer.subarray(end + 5);
        return out;
      }
      if (this.ended) throw new Error('connection closed inside a multi-line response');
      await new Promise<void>((r) => (this.waiting = r));
    }
  }

  // RFC 2595 4: after "+OK" to STLS, TLS over the same connection.
  async startTls(): Promise<void> {
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('end');
    this.socket.removeAllListeners('close');
    const secure = tls.connect({ socket: this.socket, rejectUnauthorized: false });
    await new Promise<void>((resolve, reject) => {
      secure.once('secureConnect', () => resolve());
      secure.once('error', reject);
    });
    this.socket = secure;
    this.buffer = Buffer.alloc(0);
    this.listen();
  }

  async closed(): Promise<void> {
    while (!this.ended) await new Promise<void>((r) => (this.waiting = r));
  }

  close(): void {
    this.socket.destroy();
  }

  private listen(): void {
    this.socket.on('data', (b: Buffer) => {
      this.buffer = Buffer.concat([this.buffer, b]);
      this.wake();
    });
    const end = () => {
      this.ended = true;
      this.wake();
    };
    this.socket.on('end', end);
    this.socket.on('close', end);
    this.socket.on('error', end);
  }

  private wake(): void {
    const w = this.waiting;
    this.waiting = null;
    w?.();
  }
}
