// What the hostile-input tests share: the server under attack (`homepost serve` from this
// checkout, without --dev, in a child process with the shipped V8 heap cap, so an out-of-memory
// crash is a crash), its accounts, an observer around each attack, and the check that mail
// acknowledged before and after an attack is intact, read back with Python's imaplib.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before } from 'node:test';
import {
  describeObserver,
  describeOutcome,
  ordinaryMessage,
  sendMail,
  startHostileServer,
  startObserver,
  type DnsTable,
  type HostileServer,
  type HostileServerOptions,
  type ObserverReport,
} from '../support/attacks.ts';
import { plainAuth, Wire, type SmtpReply } from '../support/wire.ts';

export const ALICE = { address: 'alice@example.test', password: 'alice password 1' }; // the first account: postmaster
export const OBSERVER = { address: 'observer@example.test', password: 'observer password 1' };
export const VICTIMS = [1, 2, 3, 4].map((i) => ({ address: `victim${i}@example.test`, password: `victim password ${i}` }));
export const CAROL = { address: 'carol@example.net', password: 'carol password 1' };

// The responsiveness every attack must leave: no probe waits a second.
export const MAX_WAIT_MS = 1000;

// example.org (the outside world) has no records; example.test's SPF allows 127.0.0.77 only.
export const DNS: DnsTable = { 'example.test': { TXT: ['v=spf1 ip4:127.0.0.77 -all'] } };

export async function startServer(o: HostileServerOptions = {}): Promise<HostileServer> {
  return startHostileServer({
    domains: ['example.test', 'example.net'],
    accounts: [ALICE, OBSERVER, ...VICTIMS, CAROL],
    dns: DNS,
    ...o,
  });
}

// What a test found wrong. A test goes on after a failed check where it can, so one run shows
// everything an attack broke (the reply, the stall, the crash); it fails at the end with the list.
export class Findings {
  readonly problems: string[] = [];

  // Runs an assertion; a failure is recorded.
  check(f: () => void): void {
    try {
      f();
    } catch (e) {
      this.record(e);
    }
  }

  async checkAsync(f: () => Promise<void>): Promise<void> {
    try {
      await f();
    } catch (e) {
      this.record(e);
    }
  }

  // The assertion's own words, and what it got when the words do not say.
  private record(e: unknown): void {
    const a = e as assert.AssertionError;
    let text = a.message.split('\n')[0]!.trim();
    if (a.code === 'ERR_ASSERTION' && !a.generatedMessage && typeof a.actual !== 'boolean') text += `; got ${JSON.stringify(a.actual)?.slice(0, 300)}`;
    this.problems.push(text);
  }

  done(): void {
    if (this.problems.length) assert.fail(`${this.problems.length} problem(s):\n  - ${this.problems.join('\n  - ')}`);
  }

  // The observer saw every probe answered within MAX_WAIT_MS.
  responsive(report: ObserverReport, what = 'the attack'): void {
    this.check(() => assert.ok(report.maxWaitMs < MAX_WAIT_MS, `the server stayed responsive during ${what}: ${describeObserver(report)}`));
  }

  // The server process lives; if not, the test cannot go on.
  survived(server: HostileServer): void {
    if (server.alive()) return;
    this.problems.push(
      `the server died: ${
        server
          .stderr()
          .split('\n')
          .find((l) => /FATAL|Error|error/.test(l)) ?? server.stderr().slice(-300)
      }`,
    );
    throw new Stop();
  }
}

class Stop extends Error {}

// One test's findings, checked at its end (an unexpected error carries those found before it).
export async function findingsOf(fn: (findings: Findings) => Promise<void>): Promise<void> {
  const findings = new Findings();
  try {
    await fn(findings);
  } catch (e) {
    if (!(e instanceof Stop)) {
      if (findings.problems.length) (e as Error).message += `\nand before that:\n  - ${findings.problems.join('\n  - ')}`;
      throw e;
    }
  }
  findings.done();
}

// One server for all tests of a file (node:test before/after); after: SIGTERM, exit 0, store consistent.
// setup runs before the server starts, teardown after it stopped.
export function serverForFile(o: HostileServerOptions = {}, hooks: { setup?: () => void; teardown?: () => void } = {}): () => HostileServer {
  let server: HostileServer | null = null;
  before(async () => {
    hooks.setup?.();
    server = await startServer(o);
  });
  after(async () => {
    if (!server) return hooks.teardown?.();
    const s = server;
    try {
      const wasAlive = s.alive();
      const exit = await s.stop(20_000);
      assert.ok(wasAlive, `the server was alive at the end\n${s.stderr().slice(-1500)}`);
      const stopping = () => JSON.stringify(s.records().filter((r) => /stop|shutdown|close/.test(r.event)));
      assert.deepEqual(exit, { code: 0, signal: null }, `the server exits 0 on SIGTERM: ${stopping()}`);
      assert.deepEqual(await s.checkStore(), [], 'the store passes its consistency check');
    } finally {
      s.remove();
      hooks.teardown?.();
    }
  });
  return () => server!;
}

// A fresh server for one test: fn attacks it and records findings; then SIGTERM, exit 0, the store
// consistent, the data folder removed; the test fails with every finding.
export async function withServer(o: HostileServerOptions, fn: (server: HostileServer, findings: Findings) => Promise<void>): Promise<void> {
  const server = await startServer(o);
  const findings = new Findings();
  let error: unknown = null;
  try {
    await fn(server, findings);
  } catch (e) {
    if (!(e instanceof Stop)) error = e;
  } finally {
    try {
      const wasAlive = server.alive();
      const exit = await server.stop(20_000);
      if (wasAlive && exit === null) findings.problems.push('the server did not exit within 20 s of SIGTERM');
      else if (wasAlive && (exit!.code !== 0 || exit!.signal)) findings.problems.push(`the server exited with ${exit!.code ?? exit!.signal} on SIGTERM, not 0`);
      const inconsistent = await server.checkStore().catch((e: Error) => [e.message]);
      if (inconsistent.length) findings.problems.push(`the store fails its consistency check: ${inconsistent.join('; ')}`);
    } finally {
      server.remove();
    }
  }
  if (error) {
    if (findings.problems.length) (error as Error).message += `\nand before that:\n  - ${findings.problems.join('\n  - ')}`;
    throw error;
  }
  findings.done();
}

// Runs `attack` while the observer probes (SMTP banner, IMAP NOOP as observer@, optionally the
// setup page); returns what the attack returned and what the observer saw.
export async function observe<T>(
  server: HostileServer,
  attack: () => Promise<T>,
  o: { https?: boolean; imapHost?: string; imapFrom?: string } = {},
): Promise<{ result: T; report: ObserverReport }> {
  const observer = await startObserver({
    smtpPort: server.ports.smtp,
    imap: { port: server.ports.imaps, tls: true, user: OBSERVER.address, password: OBSERVER.password, host: o.imapHost, localAddress: o.imapFrom },
    httpsPort: o.https ? server.ports.https : undefined,
  });
  let result: T;
  let report: ObserverReport;
  try {
    result = await attack();
  } finally {
    report = await observer.stop();
  }
  return { result, report };
}

// Sends an ordinary message to alice over port 25 and expects 250 (RFC 5321 4.2.5: the message is
// now the server's responsibility). Returns it, for intact() afterwards.
export async function acknowledged(server: HostileServer, tag: string, localAddress = '127.0.0.5'): Promise<Buffer> {
  const m = ordinaryMessage(tag);
  const out = await sendMail(m, { port: server.ports.smtp, localAddress, to: [ALICE.address] });
  assert.equal(out.reply?.code, 250, `an ordinary message is accepted: ${describeOutcome(out)}`);
  return m;
}

const READ_BACK = `
import base64, imaplib, json, ssl, sys
port, user, password, limit = int(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL('127.0.0.1', port, ssl_context=ctx)
m.login(user, password)
m.select('INBOX', readonly=True)
out = []
typ, data = m.uid('FETCH', '1:*', '(RFC822.SIZE)')
for line in data:
    if not line:
        continue
    text = line.decode() if isinstance(line, bytes) else line[0].decode()
    uid = text.split('UID ')[1].split()[0].rstrip(')')
    size = int(text.split('RFC822.SIZE ')[1].split()[0].rstrip(')'))
    if size <= limit:
        typ, d = m.uid('FETCH', uid, '(BODY.PEEK[])')
        out.append(base64.b64encode(d[0][1]).decode())
print(json.dumps(out))
m.logout()
`;

// The messages (up to maxSize bytes each) in an account's INBOX, read with Python's imaplib.
export function readInbox(server: HostileServer, account: { address: string; password: string }, maxSize = 1 << 20): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    execFile(
      'python3',
      ['-c', READ_BACK, String(server.ports.imaps), account.address, account.password, String(maxSize)],
      { maxBuffer: 256 << 20, timeout: 60_000 },
      (e, stdout, stderr) =>
        e ? reject(new Error(`imaplib: ${e.message}\n${stderr}`)) : resolve((JSON.parse(stdout) as string[]).map((b) => Buffer.from(b, 'base64'))),
    );
  });
}

// Every message is in the INBOX byte for byte after the trace fields the server put on top.
export async function intact(server: HostileServer, sent: Buffer[], account = ALICE): Promise<void> {
  const stored = await readInbox(server, account);
  for (const m of sent) {
    const subject = /^Subject: (.*)$/m.exec(m.toString('latin1'))?.[1];
    assert.ok(
      stored.some((s) => s.length >= m.length && s.subarray(s.length - m.length).equals(m)),
      `"${subject}" is in ${account.address}'s INBOX unchanged (${stored.length} messages there)`,
    );
  }
}

// The common course of a test: an ordinary message acknowledged, the attack under the observer
// (its result checked by `expect`), the server alive and responsive, another ordinary message
// acknowledged, both intact in alice's INBOX.
export async function aroundAttack<T>(
  server: HostileServer,
  findings: Findings,
  what: string,
  attack: () => Promise<T>,
  expect: (result: T) => void,
  o: { https?: boolean } = {},
): Promise<T> {
  const before = await acknowledged(server, `before ${what}`);
  const { result, report } = await observe(server, attack, o);
  findings.check(() => expect(result));
  findings.responsive(report, what);
  findings.survived(server);
  await findings.checkAsync(async () => {
    const afterwards = await acknowledged(server, `after ${what}`);
    await intact(server, [before, afterwards]);
  });
  return result;
}

// swaks (a real SMTP client) with `data` as the message; the reply to the message (after the final
// dot) or, when the transaction ended earlier, the last error reply. -tls: STARTTLS first.
export function swaks(args: string[], data: string | Buffer): Promise<{ code: number; text: string; transcript: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      'swaks',
      ['--server', '127.0.0.1', '--helo', 'client.example.org', '--data', '-', '--timeout', '60', ...args],
      { timeout: 90_000, maxBuffer: 16 << 20 },
      (_e, stdout) => {
        const lines = String(stdout).split('\n');
        const dot = lines.findIndex((l) => /^ [-~*]> \.$/.test(l));
        const replies = (dot >= 0 ? lines.slice(dot + 1) : lines).filter((l) => /^<[-~*]\*? +\d{3}[ -]/.test(l));
        const reply = dot >= 0 ? replies[0] : (replies.filter((l) => /^<[-~*]?\* /.test(l)).at(-1) ?? replies.at(-1));
        const m = /^<[-~*]\*? +(\d{3})[ -](.*)$/.exec(reply ?? '');
        resolve({ code: m ? Number(m[1]) : 0, text: m?.[2] ?? '', transcript: String(stdout) });
      },
    );
    child.stdin!.end(data);
  });
}

// A password login over POP3 with implicit TLS (RFC 1939 USER/PASS, RFC 8314): the reply to PASS.
export async function pop3Login(server: HostileServer, user: string, password: string, localAddress?: string): Promise<string> {
  const w = await Wire.open({ port: server.ports.pop3s, tls: true, localAddress });
  try {
    await w.line();
    await w.write(`USER ${user}\r\n`);
    const u = await w.line();
    if (!u.startsWith('+OK')) return u;
    await w.write(`PASS ${password}\r\n`);
    return await w.line(30_000);
  } finally {
    w.close();
  }
}

// SMTP AUTH PLAIN on the submissions port (RFC 4954, RFC 8314): the reply to AUTH.
export async function smtpAuth(server: HostileServer, user: string, password: string, localAddress?: string): Promise<SmtpReply> {
  const w = await Wire.open({ port: server.ports.submissions, tls: true, localAddress });
  try {
    await w.smtpReply();
    await w.smtp('EHLO client.example.org');
    return await w.smtp(`AUTH PLAIN ${plainAuth(user, password)}`, 30_000);
  } finally {
    w.close();
  }
}

// A setup code tried on the setup page with curl (first boot: no admin password yet); the HTTP status.
export function setupPageAttempt(server: HostileServer, localAddress: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      'curl',
      [
        '-sk',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--max-time',
        '20',
        '--interface',
        localAddress,
        '-H',
        'Content-Type: application/json',
        '-d',
        JSON.stringify({ code: 'WRONG-CODE', password: 'admin password 1' }),
        `https://127.0.0.1:${server.ports.https}/api/setup`,
      ],
      (e, stdout) => (e && !stdout ? reject(e) : resolve(Number(stdout))),
    );
  });
}
