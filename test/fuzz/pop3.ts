// The POP3 session fuzz target: what a client sends in one session (a login or not, then command
// lines), mutated, through a real Pop3Session and Connection over an in-memory socket, so that the
// line handling (net/connection.ts readLine, session.ts's command loop) and every command's
// argument parsing run as on a server, without TCP and many sessions a second. The oracle: the
// session ends when its input does, logs no error (an error that is not a Pop3Error, answered
// "-ERR [SYS/TEMP] internal error"), and says nothing of an internal error. The socket-level test
// (test/pop3/fuzz.test.ts) mutates the same command lines against a server.
import assert from 'node:assert/strict';
import type net from 'node:net';
import { Duplex } from 'node:stream';
import { AuthThrottle } from '../../src/auth/throttle.ts';
import { createLogger } from '../../src/log/log.ts';
import { Connection } from '../../src/net/connection.ts';
import { MaildropLocks } from '../../src/pop3/maildrop.ts';
import { MAX_LINE, MAX_SASL_LINE, Pop3Session } from '../../src/pop3/session.ts';
import type { ServiceContext } from '../../src/service/context.ts';
import type { AccountInfo, Store } from '../../src/store/index.ts';
import { fill, mutate, pick, type FuzzTarget, type Rand } from '../support/fuzz.ts';
import type { Family } from '../support/linearity.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { hashNewPassword } from '../../src/auth/password.ts';

// Command lines, without CRLF.
export const COMMAND_SEEDS = [
  'CAPA',
  'STAT',
  'LIST',
  'LIST 1',
  'UIDL 2',
  'RETR 1',
  'TOP 1 3',
  'DELE 2',
  'RSET',
  'NOOP',
  'UTF8',
  'USER x',
  'PASS x',
  'APOP x 0123456789abcdef0123456789abcdef',
  'AUTH PLAIN AGEAYg==',
  'STLS',
].map((s) => Buffer.from(s));

const TOKENS = [' ', '.', '*', '\0', '\r', '\t', '9999999999', '4294967296', '-1', '0', '+', '=', '\xff', '\xc4\xb1', 'PLAIN', 'AGEAYg==', '*\r\n'];

// A mutated command line (no LF: that would start a line we did not choose).
export function mutateLine(line: Buffer, rnd: Rand): Buffer {
  const out = mutate(line, rnd, { seeds: COMMAND_SEEDS, tokens: TOKENS, maxChunk: 8 });
  return Buffer.from(out.filter((c) => c !== 0x0a));
}

const USER = 'user@example.test';
const PASSWORD = 'fuzz password 1';
const LOGIN = `USER ${USER}\r\nPASS ${PASSWORD}\r\n`;

// A session's input: the login (most of the time), then one to six command lines. QUIT is left
// out: its UPDATE state would expunge what DELE marked, and the next sessions would find fewer
// messages; without it the input's end drops the session and nothing is removed (RFC 1939 6).
function session(rnd: Rand): Buffer {
  const lines = Array.from({ length: 1 + Math.floor(rnd() * 6) }, () => mutateLine(pick(rnd, COMMAND_SEEDS), rnd));
  return withoutQuit(Buffer.concat([Buffer.from(rnd() < 0.7 ? LOGIN : ''), ...lines.flatMap((l) => [l, Buffer.from(rnd() < 0.9 ? '\r\n' : '\n')])]));
}

// The input without the lines the session would read as QUIT (keyword upper-cased, as it does).
function withoutQuit(input: Buffer): Buffer {
  const lines: Buffer[] = [];
  for (let pos = 0; pos < input.length; ) {
    const lf = input.indexOf(0x0a, pos);
    const end = lf === -1 ? input.length : lf + 1;
    const line = input.subarray(pos, end);
    const text = line.toString('utf8').replace(/\r?\n$/, '');
    if (text.split(' ')[0]!.toUpperCase() !== 'QUIT') lines.push(line);
    pos = end;
  }
  return Buffer.concat(lines);
}

// A socket in memory: reads what the test pushes, keeps what the session writes.
class MemorySocket extends Duplex {
  readonly remoteAddress = '127.0.0.1';
  readonly remotePort = 40000;
  readonly localPort = 110;
  readonly written: Buffer[] = [];

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.written.push(chunk);
    callback();
  }

  setTimeout(): this {
    return this;
  }
}

let server: TestServer | null = null;
let context: ServiceContext;
const locks = new MaildropLocks();

// A server's context (no listeners) with one account holding three messages. Passwords are
// checked by comparison instead of argon2id and the throttle only counts: mutated logins fail by
// the thousand, and both would (rightly) make each failure slow.
async function setup(): Promise<void> {
  server = await startTestServer({ starters: [] });
  const store = server.context.store;
  if (!store.domains.isLocal('example.test')) await store.domains.add('example.test');
  const account = await store.accounts.create({ address: USER, passwordHash: await hashNewPassword(PASSWORD) });
  for (let i = 1; i <= 3; i++) {
    const [outcome] = await store.messages.deliver({ raw: Buffer.from(`Subject: ${i}\r\n\r\n.body ${i}\r\n..\r\n`), targets: [{ accountId: account.id }] });
    assert.ok(outcome?.ok);
  }
  const accounts = Object.create(store.accounts, {
    authenticate: { value: async (user: string, password: string): Promise<AccountInfo | null> => (user === USER && password === PASSWORD ? account : null) },
  });
  context = { ...server.context, store: Object.create(store, { accounts: { value: accounts } }) as Store };
  context.logins.throttle = new AuthThrottle({ softLimit: 1e9, lockLimitAddress: 1e9, lockLimitAccount: 1e9 });
}

async function teardown(): Promise<void> {
  await server?.close();
  server = null;
}

// Runs one session over input; returns what the server wrote.
export async function runSession(input: Buffer): Promise<string> {
  const socket = new MemorySocket();
  const errors: string[] = [];
  const log = createLogger({ level: 'error', write: (line) => errors.push(line) });
  const s = new Pop3Session({ ...context, log }, new Connection(socket as unknown as net.Socket), { locks, stls: false, idleTimeoutMs: 0 });
  let timer: NodeJS.Timeout | undefined;
  const done = Promise.race([
    s.run(),
    new Promise((_, reject) => (timer = setTimeout(() => reject(new Error('the session did not end with its input')), 10_000))),
  ]);
  socket.push(input);
  socket.push(null);
  try {
    await done;
  } finally {
    clearTimeout(timer);
  }
  const out = Buffer.concat(socket.written).toString('latin1');
  if (errors.length > 0) throw new Error(`the session logged errors: ${errors.join('')}`);
  if (out.includes('internal error')) throw new Error(`the session answered an internal error: ${out.slice(-500)}`);
  return out;
}

const sessionFamily = (name: string, make: (n: number) => string): Family<Buffer> => ({ name, build: (n) => Buffer.from(make(n), 'latin1'), run: runSession });
const overLimit = 'x'.repeat(MAX_LINE + 1);

export const POP3_FAMILIES: Family[] = [
  sessionFamily('many commands', (n) => LOGIN + fill(n, 'NOOP\r\n')),
  sessionFamily('one line without an end', (n) => fill(n, 'x')),
  sessionFamily('many lines over the limit', (n) => fill(n, `${overLimit}\r\n`)),
  sessionFamily('many empty lines', (n) => fill(n, '\r\n')),
  sessionFamily('bare CRs', (n) => fill(n, '\r')),
  sessionFamily('long runs of spaces between arguments', (n) => LOGIN + fill(n, `TOP${' '.repeat(MAX_LINE - 10)}1 1\r\n`)),
  sessionFamily('many arguments', (n) => LOGIN + fill(n, `LIST${' 1'.repeat(MAX_LINE / 2 - 4)}\r\n`)),
  sessionFamily('long unknown commands', (n) => fill(n, `${'X'.repeat(MAX_LINE)}\r\n`)),
  sessionFamily('long AUTH continuations', (n) => fill(n, `AUTH PLAIN\r\n${'A'.repeat(MAX_SASL_LINE)}\r\n`)),
  sessionFamily('long passwords', (n) => fill(n, `USER a\r\nPASS ${'p'.repeat(MAX_LINE - 5)}\r\n`)),
];

export const pop3Target: FuzzTarget = {
  name: 'pop3-session',
  seeds: [
    Buffer.from(`${LOGIN}STAT\r\nLIST\r\nLIST 2\r\nUIDL\r\nUIDL 1\r\nTOP 1 0\r\nRETR 2\r\nDELE 1\r\nRSET\r\nNOOP\r\nCAPA\r\n`),
    Buffer.from('CAPA\r\nUTF8\r\nUSER x\r\nPASS y\r\nAPOP x 0123456789abcdef0123456789abcdef\r\nAUTH PLAIN\r\n=\r\nAUTH PLAIN AGEAYg==\r\nSTLS\r\nSTAT\r\n'),
    Buffer.from(`AUTH PLAIN ${Buffer.from(`\0${USER}\0${PASSWORD}`).toString('base64')}\r\nLIST\r\nTOP 3 1\r\n`),
  ],
  // A new session from the seed lines, or the seed session mutated as bytes (line ends included).
  mutate: (input, rnd) =>
    rnd() < 0.5 ? session(rnd) : withoutQuit(mutate(input, rnd, { seeds: COMMAND_SEEDS, tokens: [...TOKENS, '\r\n', '\n'], maxChunk: 16 })),
  check: async (input) => void (await runSession(input)),
  families: POP3_FAMILIES,
  // A session handles its input a line at a time and keeps little of it: 16 KB (thousands of
  // commands, past the JIT's warm-up) will do, and larger sessions would only cost time.
  growth: { floorBytes: 16 * 1024 },
  setup,
  teardown,
};
