// Hostile input for homepost and the tools to aim it, shared by test/hostile/ and bench/hostile.ts:
// - payloads: the messages of the reported attacks, produced in 64 KiB chunks while they are
//   written to the socket (a 49 MB message is never held whole);
// - Wire (wire.ts) aims them: a raw client for what real clients will not send;
// - the attacks themselves, each returning what the server answered;
// - the observer: while an attack runs, a worker thread (its own event loop, so a busy test or
//   an in-process server cannot hide a stall) probes the server every ~50 ms through other
//   sessions (a fresh SMTP connection's banner, a NOOP on a logged-in IMAP session, optionally
//   the setup page) and reports the longest wait;
// - a DNS server on 127.0.0.1 answering from a table (or never), for servers in a child process;
// - startHostileServer: `homepost serve` without --dev in a child process (the checkout's or any
//   build's executable) over a data folder prepared with that build's own store code.
// Nothing here imports src/: the benchmark runs it against older builds too.
import { execFile } from 'node:child_process';
import dgram from 'node:dgram';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ROOT, startServeChild, type ServeChild } from './serve-child.ts';
import { plainAuth, Wire, type ConnectOptions, type SmtpReply } from './wire.ts';

export const KiB = 1024;
export const MiB = 1024 * 1024;
const CHUNK = 64 * KiB;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

// p, or undefined once ms passed (the timer does not outlive it).
export async function within<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([p, new Promise<undefined>((r) => (timer = setTimeout(() => r(undefined), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Payloads

export interface Payload {
  name: string;
  size: number; // bytes, as sent in DATA: CRLF lines, none starting with "." (no dot-stuffing needed)
  chunks(): Iterable<Buffer>;
}

// Lines joined into chunks of about CHUNK bytes.
function* chunked(parts: Iterable<string>): Iterable<Buffer> {
  let pending: string[] = [];
  let length = 0;
  for (const p of parts) {
    pending.push(p);
    length += p.length;
    if (length >= CHUNK) {
      yield Buffer.from(pending.join(''), 'latin1');
      pending = [];
      length = 0;
    }
  }
  if (length) yield Buffer.from(pending.join(''), 'latin1');
}

function* repeat(s: string, n: number): Iterable<string> {
  for (let i = 0; i < n; i++) yield s;
}

function header(o: { from: string; to: string; subject: string; extra?: string }): string {
  return (
    `From: <${o.from}>\r\nTo: <${o.to}>\r\nSubject: ${o.subject}\r\nDate: Thu, 26 Nov 2026 07:00:00 +0000\r\n` +
    `Message-ID: <${o.subject.replace(/\W+/g, '-')}.${Date.now()}.${Math.random().toString(36).slice(2)}@example.org>\r\n${o.extra ?? ''}`
  );
}

function fromParts(name: string, parts: () => Iterable<string>): Payload {
  let size = 0;
  for (const p of parts()) size += p.length;
  return { name, size, chunks: () => chunked(parts()) };
}

export interface Addressing {
  from?: string;
  to?: string;
}

const FROM = 'mallory@example.org';
const TO = 'alice@example.test';

// Attack 1: a header of `fields` short fields "X-A: 1" (500,000: 4 MB).
export function headerFieldFlood(fields = 500_000, a: Addressing = {}): Payload {
  const head = header({ from: a.from ?? FROM, to: a.to ?? TO, subject: 'header field flood' });
  return fromParts(`${fields} header fields`, function* () {
    yield head;
    yield* repeat('X-A: 1\r\n', fields);
    yield '\r\nbody\r\n';
  });
}

// Attack 2: a header with `lines` lines that have no colon (40,000: 120 KB).
export function colonlessHeaderLines(lines = 40_000, a: Addressing = {}): Payload {
  const head = header({ from: a.from ?? FROM, to: a.to ?? TO, subject: 'colonless header lines' });
  return fromParts(`${lines} header lines without a colon`, function* () {
    yield head;
    yield* repeat('x\r\n', lines);
    yield '\r\nbody\r\n';
  });
}

// Attack 3: `depth` nested multiparts (boundaries "b0" ... "b99") whose innermost one is followed
// by `lines` lines "--b99": each a delimiter line that opens yet another part (100 and 700,000:
// 4.9 MB, as reported).
export function nestedMultipart(depth = 100, lines = 700_000, a: Addressing = {}): Payload {
  const b = (i: number) => `b${i}`;
  const head = header({
    from: a.from ?? FROM,
    to: a.to ?? TO,
    subject: 'nested multipart',
    extra: `MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="${b(0)}"\r\n`,
  });
  return fromParts(`${depth} nested multiparts, ${lines} delimiter lines`, function* () {
    yield `${head}\r\n`;
    for (let i = 0; i < depth; i++) {
      const inner = i + 1 < depth ? `multipart/mixed; boundary="${b(i + 1)}"` : 'text/plain; charset=us-ascii';
      yield `--${b(i)}\r\nContent-Type: ${inner}\r\n\r\n`;
    }
    yield* repeat(`--${b(depth - 1)}\r\n`, lines);
    for (let i = depth - 1; i >= 0; i--) yield `--${b(i)}--\r\n`;
  });
}

// Numbered lines of plain text; one block of about 64 KiB, reused for every chunk of a large message.
function textBlock(): Buffer {
  const line = 'All work and no play makes a large message; homepost must refuse it in time';
  let s = '';
  for (let i = 0; s.length + 82 <= CHUNK; i++) s += `${line} ${String(i).padStart(4, '0')}\r\n`;
  return Buffer.from(s, 'latin1');
}
let block: Buffer | null = null;

// Attack 5: one message of `size` bytes of text, produced chunk by chunk.
export function largeMessage(size: number, a: Addressing & { subject?: string } = {}): Payload {
  const head = Buffer.from(`${header({ from: a.from ?? FROM, to: a.to ?? TO, subject: a.subject ?? `large message ${size}` })}\r\n`, 'latin1');
  block ??= textBlock();
  const b = block;
  // The tail is a line of its own with its CRLF: at least 2 bytes.
  if ((size - head.length) % b.length === 1) size++;
  return {
    name: `${(size / MiB).toFixed(1)} MiB message`,
    size,
    *chunks() {
      yield head;
      let left = size - head.length;
      while (left >= b.length) {
        yield b;
        left -= b.length;
      }
      // The tail: one line, ending in CRLF.
      if (left > 0) yield Buffer.from(`${'y'.repeat(left - 2)}\r\n`);
    },
  };
}

// Attack 7's mailbox: a message whose text part is `size` bytes of base64 (every BODY search
// decodes it), built at once (messages of a few MB, for APPEND or the store).
export function bulkyTextMessage(i: number, size: number, to = TO): Buffer {
  const text = Buffer.alloc(Math.floor((size * 3) / 4), `Line ${i} of a bulky message, searched word for word: \u00e9t\u00e9, caf\u00e9, na\u00efve.\r\n`);
  const b64 = text.toString('base64').replace(/.{76}/g, '$&\r\n');
  return Buffer.from(
    `${header({ from: FROM, to, subject: `bulky ${i}`, extra: 'MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n' })}\r\n${b64}\r\n`,
    'latin1',
  );
}

// A small ordinary message, the kind a legitimate sender sends before and after an attack.
export function ordinaryMessage(tag: string, a: Addressing = {}): Buffer {
  return Buffer.from(`${header({ from: a.from ?? 'friend@example.org', to: a.to ?? TO, subject: `ordinary ${tag}` })}\r\nHello, this is ${tag}.\r\n`, 'latin1');
}

// A quoted string for IMAP (RFC 9051 4.3), UTF-8 inside (a server without UTF8=ACCEPT may take it in LOGIN).
export const imapQuote = (s: string) => `"${s.replace(/[\\"]/g, '\\$&')}"`;

// An IMAP session logged in with LOGIN (implicit TLS, or plaintext where the server allows it).
export async function imapLogin(o: ConnectOptions & { user: string; password: string }): Promise<Wire> {
  const w = await Wire.open(o);
  const greeting = await w.line(o.timeoutMs ?? 10_000);
  if (!greeting.startsWith('* OK')) throw new Error(`IMAP greeting: ${greeting}`);
  const r = await w.imap(`LOGIN ${imapQuote(o.user)} ${imapQuote(o.password)}`, o.timeoutMs ?? 10_000);
  if (!/^\S+ OK/.test(r.tagged)) {
    w.close();
    throw new Error(`IMAP LOGIN ${o.user}: ${r.tagged}`);
  }
  return w;
}

// APPEND (RFC 9051 6.3.12) of a message on a logged-in session with a synchronizing literal: the
// tagged response, whether it came after the continuation request and the literal or instead of them.
export async function imapAppend(w: Wire, message: Payload | Buffer, mailbox = 'INBOX', timeoutMs = 60_000): Promise<string> {
  const payload: Payload = Buffer.isBuffer(message) ? { name: 'message', size: message.length, chunks: () => [message] } : message;
  const tag = w.nextTag();
  await w.write(`${tag} APPEND ${mailbox} {${payload.size}}\r\n`);
  for (;;) {
    const l = await w.imapLine(timeoutMs);
    if (l.startsWith(`${tag} `)) return l;
    if (l.startsWith('+')) break;
  }
  for (const chunk of payload.chunks()) if (!(await w.write(chunk))) break;
  await w.write('\r\n');
  return (await w.imapUntil(tag, timeoutMs)).tagged;
}

// ---------------------------------------------------------------------------------------------
// SMTP transactions

export interface SmtpOutcome {
  // Where the transaction ended: the banner, MAIL, RCPT, DATA (354 refused) or the message's end.
  stage: 'banner' | 'mail' | 'rcpt' | 'data' | 'end';
  reply: SmtpReply | null; // null: the connection closed without a reply
}

export interface SendOptions extends ConnectOptions {
  from?: string;
  to?: string[];
  declareSize?: boolean; // MAIL FROM ... SIZE=n (RFC 1870)
  // Submission: STARTTLS and AUTH PLAIN first (RFC 3207, RFC 4954).
  auth?: { user: string; password: string };
  // Called once the message's bytes are all written, before the final dot.
  beforeDot?: (w: Wire) => Promise<void>;
  replyTimeoutMs?: number;
}

// One transaction on a fresh connection; the message is written chunk by chunk with back-pressure.
// A server that answers in the middle of DATA (and perhaps closes) is heard: writing stops there.
export async function sendMail(message: Payload | Buffer, o: SendOptions): Promise<SmtpOutcome> {
  const payload: Payload = Buffer.isBuffer(message) ? { name: 'message', size: message.length, chunks: () => [message] } : message;
  const w = await Wire.open(o);
  const timeout = o.replyTimeoutMs ?? 60_000;
  try {
    const banner = await w.smtpReply(timeout).catch(() => null);
    if (banner?.code !== 220) return { stage: 'banner', reply: banner };
    await w.smtp('EHLO client.example.org', timeout);
    if (o.auth) {
      if ((await w.smtp('STARTTLS', timeout)).code !== 220) throw new Error('STARTTLS refused');
      await w.startTls();
      await w.smtp('EHLO client.example.org', timeout);
      const a = await w.smtp(`AUTH PLAIN ${plainAuth(o.auth.user, o.auth.password)}`, timeout);
      if (a.code !== 235) return { stage: 'mail', reply: a };
    }
    const mail = await w.smtp(`MAIL FROM:<${o.from ?? FROM}>${o.declareSize ? ` SIZE=${payload.size}` : ''}`, timeout).catch(() => null);
    if (mail?.code !== 250) return { stage: 'mail', reply: mail };
    for (const to of o.to ?? [TO]) {
      const rcpt = await w.smtp(`RCPT TO:<${to}>`, timeout).catch(() => null);
      if (rcpt?.code !== 250) return { stage: 'rcpt', reply: rcpt };
    }
    const data = await w.smtp('DATA', timeout).catch(() => null);
    if (data?.code !== 354) return { stage: 'data', reply: data };
    for (const chunk of payload.chunks()) {
      if (w.smtpReplyReady() || !(await w.write(chunk))) break;
    }
    if (!w.smtpReplyReady() && !w.closed) {
      await o.beforeDot?.(w);
      await w.write('.\r\n'); // every payload ends in CRLF (RFC 5321 4.1.1.4)
    }
    const end = await w.smtpReply(timeout).catch(() => null);
    if (end && !w.closed) await w.smtp('QUIT', 2000).catch(() => null);
    return { stage: 'end', reply: end };
  } finally {
    w.close();
  }
}

export const describeOutcome = (o: SmtpOutcome) => `${o.stage}: ${o.reply ? `${o.reply.code} ${o.reply.text.split('\n')[0]}` : 'closed without a reply'}`;

// ---------------------------------------------------------------------------------------------
// The attacks that are more than one message

// Attack 4: `connections` IMAP connections that, without logging in, announce an APPEND literal of
// `size` octets. sendData: after a continuation request, send the literal too (the benchmark).
export async function preauthAppend(o: ConnectOptions & { connections: number; size: number; sync?: boolean; sendData?: boolean }): Promise<string[]> {
  return Promise.all(
    Array.from({ length: o.connections }, async () => {
      const w = await Wire.open(o);
      try {
        await w.line();
        await w.write(`a APPEND INBOX {${o.size}${o.sync === false ? '+' : ''}}\r\n`);
        if (o.sync === false && o.sendData) return await sendLiteral(w, o.size);
        const first = await w.line(5000).catch((e: Error) => (w.closed ? 'closed' : `no answer (${e.message.slice(0, 60)})`));
        if (first.startsWith('+') && o.sendData) return `continuation; ${await sendLiteral(w, o.size)}`;
        return first;
      } finally {
        w.close();
      }
    }),
  );
}

async function sendLiteral(w: Wire, size: number): Promise<string> {
  block ??= textBlock();
  for (let left = size; left > 0; left -= block.length) {
    if (!(await w.write(left >= block.length ? block : block.subarray(0, left)))) return 'closed while sending';
  }
  await w.write('\r\n');
  return w.line(30_000).catch(() => 'closed');
}

// Attack 8: `count` TCP connections that never start TLS; close() ends them.
export async function silentConnections(o: { port: number; count: number; localAddress?: string }): Promise<{ open(): number; close(): void }> {
  const sockets = await Promise.all(
    Array.from(
      { length: o.count },
      () =>
        new Promise<net.Socket>((resolve) => {
          const s = net.connect({ port: o.port, host: '127.0.0.1', localAddress: o.localAddress });
          s.on('error', () => {});
          s.once('connect', () => resolve(s));
          s.once('close', () => resolve(s));
        }),
    ),
  );
  return {
    open: () => sockets.filter((s) => !s.destroyed && !s.closed).length,
    close: () => {
      for (const s of sockets) s.destroy();
    },
  };
}

// The account name written twenty different ways that all log into one account as login
// normalizes it (soft hyphens U+00AD, fullwidth letters, the ideographic full stop U+3002, a
// trailing dot); each differs from the others after toLowerCase().
export function accountSpellings(address: string, count = 20): string[] {
  const [local, domain] = [address.slice(0, address.lastIndexOf('@')), address.slice(address.lastIndexOf('@') + 1)];
  const labels = domain.split('.');
  const first = labels[0]!;
  const out = new Set<string>([address]);
  const fullwidth = (c: string) => String.fromCharCode(c.charCodeAt(0) + 0xfee0);
  for (let i = 1; out.size < count && i < first.length; i++) {
    const shy = `${first.slice(0, i)}\u00ad${first.slice(i)}`;
    const wide = first.slice(0, i - 1) + fullwidth(first[i - 1]!) + first.slice(i);
    for (const l of [shy, wide]) {
      out.add(`${local}@${[l, ...labels.slice(1)].join('.')}`);
      out.add(`${local}@${[l, ...labels.slice(1)].join('\u3002')}`);
      out.add(`${local}@${[l, ...labels.slice(1)].join('.')}.`);
    }
  }
  const list = [...out].slice(0, count);
  if (list.length < count) throw new Error(`only ${list.length} spellings of ${address}`);
  return list;
}

// Attack 6: IMAP LOGIN attempts all started at once over implicit TLS: connection c comes from
// addresses[c % n] and makes perConnection attempts one after the other (default 1); attempt i
// names users[i % m]. Returns each tagged response without its tag (or what went wrong).
export async function parallelImapLogins(o: {
  port: number;
  host?: string;
  users: string[];
  password: string;
  addresses: string[];
  attempts: number;
  perConnection?: number;
}): Promise<string[]> {
  const per = o.perConnection ?? 1;
  const connections = Math.ceil(o.attempts / per);
  const results = await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      const out: string[] = [];
      const mine = Math.min(per, o.attempts - c * per);
      let w: Wire | null = null;
      try {
        w = await Wire.open({ port: o.port, host: o.host, tls: true, localAddress: o.addresses[c % o.addresses.length] });
        const greeting = await w.line(30_000);
        if (!greeting.startsWith('* OK')) return Array.from({ length: mine }, () => greeting);
        for (let k = 0; k < mine; k++) {
          const user = o.users[(c * per + k) % o.users.length]!;
          out.push((await w.imap(`LOGIN ${imapQuote(user)} ${imapQuote(o.password)}`, 60_000)).tagged.replace(/^\S+ /, ''));
        }
      } catch (e) {
        while (out.length < mine) out.push(`error: ${(e as Error).message.slice(0, 120)}`);
      } finally {
        w?.close();
      }
      return out;
    }),
  );
  return results.flat();
}

// 127.0.0.first ... 127.0.0.(first+n-1): client addresses on loopback (Linux routes all of 127/8 there).
export const loopbackRange = (first: number, n: number) => Array.from({ length: n }, (_, i) => `127.0.${Math.floor((first + i) / 256)}.${(first + i) % 256}`);

// ---------------------------------------------------------------------------------------------
// The observer

export interface ObserverOptions {
  host?: string;
  localAddress?: string; // where the probes come from (default 127.0.0.250)
  intervalMs?: number;
  smtpPort?: number; // probe: a fresh connection's 220 banner
  // probe: NOOP on a logged-in session (host and localAddress: when they differ from the others')
  imap?: { port: number; tls: boolean; user: string; password: string; host?: string; localAddress?: string };
  httpsPort?: number; // probe: GET / of the setup page on a fresh TLS connection
}

export interface ProbeReport {
  maxWaitMs: number;
  answered: number;
  failures: number; // probes that failed (refused, closed, an error reply) and were tried again
}

export interface ObserverReport {
  // The longest time any probe waited for an answer, counting retries after failures and a
  // probe still waiting when the observer stopped.
  maxWaitMs: number;
  worst: string; // which probe
  probes: Record<string, ProbeReport>;
  durationMs: number;
}

export interface Observer {
  stop(): Promise<ObserverReport>;
}

// Starts probing; resolves once every probe has been answered once (so logging in is not measured).
export async function startObserver(o: ObserverOptions): Promise<Observer> {
  const worker = new Worker(new URL(import.meta.url), { workerData: { homepostObserver: { localAddress: '127.0.0.250', intervalMs: 50, ...o } } });
  worker.unref();
  const messages: ((m: { kind: string; report?: ObserverReport; error?: string }) => void)[] = [];
  worker.on('message', (m) => messages.shift()?.(m));
  const next = (timeoutMs: number) =>
    new Promise<{ kind: string; report?: ObserverReport; error?: string }>((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('the observer did not answer')), timeoutMs);
      messages.push((m) => {
        clearTimeout(t);
        resolve(m);
      });
      worker.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  const ready = await next(30_000).catch(async (e) => {
    await worker.terminate();
    throw e;
  });
  if (ready.kind !== 'ready') {
    await worker.terminate();
    throw new Error(`observer could not start: ${ready.error}`);
  }
  return {
    async stop() {
      const done = next(30_000);
      worker.postMessage('stop');
      const m = await done;
      await worker.terminate();
      return m.report!;
    },
  };
}

export const describeObserver = (r: ObserverReport) =>
  `longest wait ${Math.round(r.maxWaitMs)} ms (${r.worst}); ` +
  Object.entries(r.probes)
    .map(([k, p]) => `${k}: ${p.answered} answered, ${p.failures} failed, max ${Math.round(p.maxWaitMs)} ms`)
    .join('; ');

// The worker side.
async function runObserver(o: Required<Pick<ObserverOptions, 'localAddress' | 'intervalMs'>> & ObserverOptions): Promise<void> {
  const host = o.host ?? '127.0.0.1';
  let stopping = false;
  const started = performance.now();
  const stopped = new Promise<void>((resolve) =>
    parentPort!.once('message', () => {
      stopping = true;
      resolve();
    }),
  );
  const probes: Record<string, { report: ProbeReport; since: number | null; abort: (() => void) | null }> = {};

  // One probe kind: each round waits for an answer; a failure is retried and the wait goes on.
  const loop = async (name: string, once: (setAbort: (f: () => void) => void) => Promise<void>, firstAnswer: () => void) => {
    const p = { report: { maxWaitMs: 0, answered: 0, failures: 0 }, since: null as number | null, abort: null as (() => void) | null };
    probes[name] = p;
    while (!stopping) {
      p.since ??= performance.now();
      try {
        await once((f) => (p.abort = f));
        if (stopping) break;
        p.report.maxWaitMs = Math.max(p.report.maxWaitMs, performance.now() - p.since);
        p.since = null;
        if (p.report.answered++ === 0) firstAnswer();
      } catch {
        if (stopping) break;
        p.report.failures++;
      }
      p.abort = null;
      await Promise.race([sleep(o.intervalMs), stopped]);
    }
  };

  const withAbort = <T>(w: Wire, setAbort: (f: () => void) => void, f: () => Promise<T>) => {
    setAbort(() => w.close());
    return f();
  };

  const smtpProbe = async (setAbort: (f: () => void) => void) => {
    const w = await Wire.open({ port: o.smtpPort!, host, localAddress: o.localAddress, timeoutMs: 600_000 });
    try {
      const r = await withAbort(w, setAbort, () => w.smtpReply(600_000));
      if (r.code !== 220) throw new Error(`banner ${r.code}`);
      await w.write('QUIT\r\n');
    } finally {
      w.close();
    }
  };

  let session: Wire | null = null;
  const imapProbe = async (setAbort: (f: () => void) => void) => {
    const i = o.imap!;
    if (!session || session.closed) {
      session?.close();
      session = null;
      const s = await imapLogin({
        port: i.port,
        host: i.host ?? host,
        tls: i.tls,
        localAddress: i.localAddress ?? o.localAddress,
        user: i.user,
        password: i.password,
        timeoutMs: 600_000,
      });
      session = s;
    }
    const s = session;
    const r = await withAbort(s, setAbort, () => s.imap('NOOP', 600_000));
    if (!/^\S+ OK/.test(r.tagged)) {
      s.close();
      throw new Error(r.tagged);
    }
  };

  const httpsProbe = async (setAbort: (f: () => void) => void) => {
    const w = await Wire.open({ port: o.httpsPort!, host, tls: true, localAddress: o.localAddress, timeoutMs: 600_000 });
    try {
      await w.write(`GET / HTTP/1.1\r\nHost: mail.example.test\r\nConnection: close\r\n\r\n`);
      const status = await withAbort(w, setAbort, () => w.line(600_000));
      if (!/^HTTP\/1\.1 [23]\d\d /.test(status)) throw new Error(status);
    } finally {
      w.close();
    }
  };

  const kinds: [string, (setAbort: (f: () => void) => void) => Promise<void>][] = [];
  if (o.smtpPort) kinds.push(['smtp banner', smtpProbe]);
  if (o.imap) kinds.push(['imap noop', imapProbe]);
  if (o.httpsPort) kinds.push(['setup page', httpsProbe]);
  let waiting = kinds.length;
  const firstAnswer = () => {
    if (--waiting === 0) {
      // The measurement starts now: what came before was connecting and logging in.
      for (const p of Object.values(probes)) p.report.maxWaitMs = 0;
      parentPort!.postMessage({ kind: 'ready' });
    }
  };
  const setupTimer = setTimeout(() => {
    if (waiting > 0)
      parentPort!.postMessage({
        kind: 'error',
        error: `probes not answered: ${Object.entries(probes)
          .filter(([, p]) => p.report.answered === 0)
          .map(([k]) => k)
          .join(', ')}`,
      });
  }, 25_000);
  const loops = kinds.map(([name, f]) => loop(name, f, firstAnswer));
  await stopped;
  clearTimeout(setupTimer);
  const now = performance.now();
  let worst = '';
  let max = 0;
  for (const [name, p] of Object.entries(probes)) {
    // A probe still waiting: its wait so far counts.
    if (p.since !== null) p.report.maxWaitMs = Math.max(p.report.maxWaitMs, now - p.since);
    p.abort?.();
    if (p.report.maxWaitMs >= max) {
      max = p.report.maxWaitMs;
      worst = name;
    }
  }
  (session as Wire | null)?.close();
  const report: ObserverReport = {
    maxWaitMs: max,
    worst,
    probes: Object.fromEntries(Object.entries(probes).map(([k, p]) => [k, p.report])),
    durationMs: now - started,
  };
  parentPort!.postMessage({ kind: 'report', report });
  await Promise.race([Promise.allSettled(loops), sleep(1000)]);
}

if (!isMainThread && workerData?.homepostObserver) {
  void runObserver(workerData.homepostObserver).catch((e: unknown) => parentPort!.postMessage({ kind: 'error', error: String(e) }));
}

// ---------------------------------------------------------------------------------------------
// DNS on 127.0.0.1 (RFC 1035 4.1) from a table: { 'example.org': { TXT: ['v=spf1 -all'] } }.
// Names not in the table are NXDOMAIN; 'silent' answers nothing at all (a dead resolver).

export type DnsTable = Record<string, { TXT?: string[]; A?: string[] }>;

export interface DnsServer {
  address: string; // "127.0.0.1:PORT", for the dns.servers setting
  queries(): number;
  close(): void;
}

export async function startDns(table: DnsTable | 'silent'): Promise<DnsServer> {
  const socket = dgram.createSocket('udp4');
  let queries = 0;
  socket.on('message', (q, peer) => {
    queries++;
    if (table === 'silent' || q.length < 17) return;
    let pos = 12;
    const labels: string[] = [];
    while (pos < q.length && q[pos] !== 0) {
      labels.push(q.toString('latin1', pos + 1, pos + 1 + q[pos]!));
      pos += 1 + q[pos]!;
    }
    const qtype = q.readUInt16BE(pos + 1);
    const question = q.subarray(12, pos + 5);
    const entry = table[labels.join('.').toLowerCase()];
    const answers: Buffer[] = [];
    const rr = (type: number, rdata: Buffer) => {
      const h = Buffer.alloc(12);
      h.writeUInt16BE(0xc00c, 0);
      h.writeUInt16BE(type, 2);
      h.writeUInt16BE(1, 4);
      h.writeUInt32BE(60, 6);
      h.writeUInt16BE(rdata.length, 10);
      answers.push(h, rdata);
    };
    if (entry && qtype === 16) {
      for (const t of entry.TXT ?? []) {
        const b = Buffer.from(t);
        const parts: Buffer[] = [];
        for (let i = 0; i < b.length || i === 0; i += 255) parts.push(Buffer.from([Math.min(255, b.length - i)]), b.subarray(i, i + 255));
        rr(16, Buffer.concat(parts));
      }
    }
    if (entry && qtype === 1) for (const a of entry.A ?? []) rr(1, Buffer.from(a.split('.').map(Number)));
    const h = Buffer.alloc(12);
    h.writeUInt16BE(q.readUInt16BE(0), 0);
    h.writeUInt16BE(0x8180 | (entry ? 0 : 3), 2); // QR, RD, RA; NXDOMAIN for unknown names
    h.writeUInt16BE(1, 4);
    h.writeUInt16BE(answers.length / 2, 6);
    socket.send(Buffer.concat([h, question, ...answers]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  socket.unref();
  return { address: `127.0.0.1:${socket.address().port}`, queries: () => queries, close: () => socket.close() };
}

// ---------------------------------------------------------------------------------------------
// The server under attack: `homepost serve` without --dev in a child process

export interface HostileServerOptions {
  // The checkout whose store code prepares the data folder (default: this one) and whose
  // bin/homepost runs unless executable is given.
  root?: string;
  executable?: string;
  domains?: string[];
  accounts?: { address: string; password: string }[];
  aliases?: { address: string; targets: string[] }[];
  settings?: Record<string, unknown>;
  dns?: DnsTable | 'silent'; // a DNS server for the inbound checks (dns.servers); default: an empty table
  args?: string[];
}

export interface HostileServer extends ServeChild {
  root: string;
  dataDir: string;
  dns: DnsServer;
  pid: number;
  stderr(): string;
  // Every JSON log line so far.
  records(): { event: string; [k: string]: unknown }[];
  alive(): boolean;
  // SIGTERM and the exit it led to within timeoutMs (null: still running; it is then killed).
  stop(timeoutMs?: number): Promise<{ code: number | null; signal: string | null } | null>;
  // The store's consistency check, with the root's own code (after stop).
  checkStore(): Promise<string[]>;
  remove(): void;
}

// Runs an ES module script in `root` (its own src/ and node_modules), with `input` as JSON on stdin.
export function runInCheckout(root: string, script: string, input: unknown): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['--input-type=module', '-e', script],
      { cwd: root, maxBuffer: 16 * MiB, timeout: 120_000 },
      (e, stdout, stderr) => (e ? reject(new Error(`${e.message}\n${stderr}`)) : resolve(stdout)),
    );
    child.stdin!.end(JSON.stringify(input));
  });
}

const PREPARE = `
import { readFileSync } from 'node:fs';
const { Store } = await import('./src/store/index.ts');
const { hashNewPassword } = await import('./src/auth/password.ts');
const spec = JSON.parse(readFileSync(0, 'utf8'));
const store = await Store.open(spec.dataDir);
for (const d of spec.domains) await store.domains.add(d);
for (const a of spec.accounts) await store.accounts.create({ address: a.address, passwordHash: await hashNewPassword(a.password) });
for (const a of spec.aliases) await store.aliases.set(a.address, a.targets);
for (const [k, v] of Object.entries(spec.settings)) await store.settings.set(k, v);
await store.close();
`;

const CHECK = `
import { readFileSync } from 'node:fs';
const { Store } = await import('./src/store/index.ts');
const spec = JSON.parse(readFileSync(0, 'utf8'));
const store = await Store.open(spec.dataDir);
const problems = store.checkConsistency();
await store.close();
process.stdout.write(JSON.stringify(problems));
`;

export async function startHostileServer(o: HostileServerOptions = {}): Promise<HostileServer> {
  const root = o.root ?? ROOT;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'homepost-hostile-'));
  const dns = await startDns(o.dns ?? {});
  try {
    const settings = { 'dns.servers': [dns.address], ...o.settings };
    await runInCheckout(root, PREPARE, { dataDir, domains: o.domains ?? ['example.test'], accounts: o.accounts ?? [], aliases: o.aliases ?? [], settings });
    const child = await startServeChild({ dataDir, executable: o.executable ?? path.join(root, 'bin/homepost'), args: o.args ?? [], stderr: 'pipe' });
    let stderr = '';
    child.child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-64 * KiB)));
    let exit: { code: number | null; signal: string | null } | null = null;
    void child.exited.then((e) => (exit = e));
    return {
      ...child,
      root,
      dataDir,
      dns,
      pid: child.child.pid!,
      stderr: () => stderr,
      records: () =>
        child.lines.flatMap((l) => {
          if (!l.startsWith('{')) return [];
          try {
            return [JSON.parse(l)];
          } catch {
            return [];
          }
        }),
      alive: () => exit === null,
      async stop(timeoutMs = 10_000) {
        if (exit === null) child.child.kill('SIGTERM');
        const result = (await within(child.exited, timeoutMs)) ?? null;
        if (result === null) {
          child.child.kill('SIGKILL');
          await child.exited;
        }
        dns.close();
        return result;
      },
      async checkStore() {
        return JSON.parse(await runInCheckout(root, CHECK, { dataDir })) as string[];
      },
      remove() {
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    dns.close();
    rmSync(dataDir, { recursive: true, force: true });
    throw e;
  }
}
