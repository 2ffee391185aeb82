// Helpers for the outbound delivery tests: homepost with the SMTP listeners and the delivery
// worker on a data folder whose settings are in place before the worker starts, DNS from a table
// (never outside DNS), and peer SMTP servers (smtp-server, which nobody here wrote) on 127.0.0.x
// loopback addresses with the behaviour a test needs. Each test file uses its own block of
// 127.0.0.x addresses, so files running at once never compete for an address and port.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { parseServeOptions } from '../../../src/config/options.ts';
import { createLogger, silentLogger } from '../../../src/log/log.ts';
import type { ServiceStarter } from '../../../src/service/context.ts';
import { startServer, type RunningServer } from '../../../src/serve/server.ts';
import type { DnsResolve } from '../../../src/smtp/dns.ts';
import { createQueueService } from '../../../src/queue/service.ts';
import type { DeliveryWorker } from '../../../src/queue/worker.ts';
import { createSmtpService } from '../../../src/smtpserver/service.ts';
import { Store, type QueueEntry } from '../../../src/store/index.ts';
import { run, tableResolver, type DnsTable } from '../harness.ts';
import { tempDir } from '../../support/temp-store.ts';

export { tableResolver, type DnsTable };

// A self-signed certificate for the peers (openssl, once per process).
let pem: { key: string; cert: string } | null = null;
export function peerCertificate(): { key: string; cert: string } {
  if (pem) return pem;
  const dir = mkdtempSync(path.join(tmpdir(), 'homepost-peer-cert-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        `${dir}/key.pem`,
        '-out',
        `${dir}/cert.pem`,
        '-days',
        '2',
        '-subj',
        '/CN=peer.example',
      ],
      { stdio: 'ignore' },
    );
    pem = { key: readFileSync(`${dir}/key.pem`, 'utf8'), cert: readFileSync(`${dir}/cert.pem`, 'utf8') };
    return pem;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Received {
  from: string;
  to: string[];
  raw: Buffer;
  secure: boolean;
  user: string | null;
  mailParams: Record<string, unknown>;
  rcptParams: Record<string, unknown>[];
  helo: string;
}

// What a peer answers; a string is "code enhanced text".
export type Verdict = string | null | 'drop';

export interface PeerOptions {
  host: string; // 127.0.0.x
  port: number; // 0: any free one
  tls?: 'starttls' | 'implicit' | 'none';
  auth?: { user: string; pass: string };
  hide?: ('8BITMIME' | 'SMTPUTF8' | 'DSN' | 'PIPELINING')[];
  size?: number;
  // Decisions; null accepts. 'drop' at DATA closes the connection in the middle of the message.
  onRcpt?: (address: string, peer: Peer) => Verdict;
  onData?: (m: Received, peer: Peer) => Verdict | Promise<Verdict>;
}

export interface Peer {
  host: string;
  port: number;
  messages: Received[];
  commands: string[]; // every command line the peer got (AUTH credentials redacted by smtp-server)
  connections: number;
  open: number; // connections open now, and the most at once
  maxOpen: number;
  transactions: number;
  authFailures: number;
  close(): Promise<void>;
}

function replyError(verdict: string): Error {
  const m = /^(\d{3}) (.*)$/.exec(verdict)!;
  return Object.assign(new Error(m[2]), { responseCode: Number(m[1]) });
}

// A logger for smtp-server that keeps the command lines it reports.
function commandLogger(peer: Peer) {
  const nothing = () => {};
  return {
    level: 'debug',
    trace: nothing,
    info: nothing,
    warn: nothing,
    error: nothing,
    fatal: nothing,
    debug: (fields: { tnx?: string }, ...args: unknown[]) => {
      if (fields?.tnx === 'command' && typeof args[1] === 'string') peer.commands.push(args[1]);
    },
  };
}

export async function startPeer(o: PeerOptions): Promise<Peer> {
  const peer: Peer = {
    host: o.host,
    port: 0,
    messages: [],
    commands: [],
    connections: 0,
    open: 0,
    maxOpen: 0,
    transactions: 0,
    authFailures: 0,
    close: async () => {},
  };
  const hide = new Set(o.hide ?? []);
  const rcptParams = new Map<string, Record<string, unknown>[]>();
  const options: SMTPServerOptions = {
    secure: o.tls === 'implicit',
    ...(o.tls === 'none' ? { hideSTARTTLS: true } : peerCertificate()),
    name: `peer-${o.host}`,
    logger: commandLogger(peer),
    disableReverseLookup: true,
    authOptional: !o.auth,
    authMethods: ['PLAIN', 'LOGIN'],
    hide8BITMIME: hide.has('8BITMIME'),
    hideSMTPUTF8: hide.has('SMTPUTF8'),
    hideDSN: hide.has('DSN'),
    hidePIPELINING: hide.has('PIPELINING'),
    size: o.size,
    onConnect(_s, cb) {
      peer.connections++;
      peer.maxOpen = Math.max(peer.maxOpen, ++peer.open);
      cb();
    },
    onClose() {
      peer.open--;
    },
    onAuth(auth, _s, cb) {
      if (o.auth && auth.username === o.auth.user && auth.password === o.auth.pass) return cb(null, { user: auth.username });
      peer.authFailures++;
      cb(Object.assign(new Error('5.7.8 Authentication failed'), { responseCode: 535 }));
    },
    onMailFrom(_a, session, cb) {
      if (o.auth && !session.user) return cb(Object.assign(new Error('5.7.0 Authentication required'), { responseCode: 530 }));
      rcptParams.set(session.id, []);
      cb();
    },
    onRcptTo(address, session, cb) {
      const v = o.onRcpt?.(address.address, peer) ?? null;
      if (v && v !== 'drop') return cb(replyError(v));
      rcptParams.get(session.id)?.push({ ...(address.args || {}) });
      cb();
    },
    onData(stream, session: SMTPServerSession, cb) {
      const chunks: Buffer[] = [];
      const m: Received = {
        from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
        to: session.envelope.rcptTo.map((r) => r.address),
        raw: Buffer.alloc(0),
        secure: session.secure,
        user: typeof session.user === 'string' ? session.user : null,
        mailParams: session.envelope.mailFrom ? { ...(session.envelope.mailFrom.args || {}) } : {},
        rcptParams: rcptParams.get(session.id) ?? [],
        helo: session.hostNameAppearsAs,
      };
      let dropped = false;
      stream.on('data', (c: Buffer) => {
        chunks.push(c);
        // 'drop' is decided before the message is complete: the connection goes away mid-DATA.
        if (!dropped && chunks.length === 1 && o.onData) {
          m.raw = Buffer.concat(chunks);
          const early = o.onData({ ...m }, peer);
          if (early === 'drop') {
            dropped = true;
            destroySession(session.id);
          }
        }
      });
      stream.on('end', async () => {
        if (dropped) return;
        m.raw = Buffer.concat(chunks);
        peer.transactions++;
        const v = o.onData ? await o.onData(m, peer) : null;
        if (v && v !== 'drop') return cb(replyError(v));
        peer.messages.push(m);
        cb(null, '2.0.0 Ok: queued');
      });
    },
  };
  const server = new SMTPServer(options);
  server.on('error', () => {});
  const destroySession = (id: string) => {
    for (const c of (server as unknown as { connections: Set<{ id: string; _socket: net.Socket }> }).connections) if (c.id === id) c._socket.destroy();
  };
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  peer.port = (server.server.address() as net.AddressInfo).port;
  peer.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return peer;
}

// Outbound settings for tests: the peers' port, a compressed retry schedule, short timeouts.
export function testSettings(port: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    'outbound.port': port,
    'outbound.retrySchedule': [300, 300, 300],
    'outbound.connectTimeoutMs': 2000,
    'outbound.timeoutMs': 5000,
    'outbound.idleMs': 500,
    'outbound.shutdownGraceMs': 2000,
    'smtp.trustedNetworks': ['127.0.0.1/32'],
    ...extra,
  };
}

export interface OutboundServer {
  server: RunningServer;
  dataDir: string;
  store: Store;
  worker: DeliveryWorker;
  smtp: number;
  submission: number;
  password: string;
  // Stops the server, keeping the data folder (a restart starts on it again).
  stop(): Promise<void>;
  // Stops, checks the store's invariants, removes the data folder.
  close(): Promise<void>;
}

// homepost (--dev: the account dev@example.test, loopback trusted) with SMTP and outbound delivery.
// extraStarters: more services (the control socket for CLI tests).
export async function startOutbound(o: {
  dns: DnsTable | DnsResolve;
  settings?: Record<string, unknown>;
  dataDir?: string;
  extraStarters?: ServiceStarter[];
}): Promise<OutboundServer> {
  const dataDir = o.dataDir ?? tempDir('homepost-outbound-');
  if (o.settings) {
    const store = await Store.open(dataDir);
    try {
      for (const [k, v] of Object.entries(o.settings)) await store.settings.set(k, v);
    } finally {
      await store.close();
    }
  }
  const resolve = typeof o.dns === 'function' ? o.dns : tableResolver(o.dns);
  let worker: DeliveryWorker | null = null;
  const options = parseServeOptions(['--dev', '--ephemeral', '--data', dataDir, '--hostname', 'mail.example.test'], {});
  const log = process.env.HOMEPOST_TEST_LOG ? createLogger({ level: 'debug' }) : silentLogger;
  const server = await startServer(options, log, [
    ...(o.extraStarters ?? []),
    createSmtpService({ resolve }),
    createQueueService({ resolve, onStart: (w) => (worker = w) }),
  ]);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await server.stop();
  };
  return {
    server,
    dataDir,
    store: server.context.store,
    worker: worker!,
    smtp: server.ports.smtp,
    submission: server.ports.submission,
    password: server.devAccount!.password,
    stop,
    async close() {
      const problems = stopped ? [] : server.context.store.checkConsistency();
      await stop();
      rmSync(dataDir, { recursive: true, force: true });
      assert.deepEqual(problems, []);
    },
  };
}

// Waits until `check` holds, polling; fails with `what` after timeoutMs.
export async function until(check: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export function queueEntry(store: Store, id: number): QueueEntry | null {
  return store.queue.get(id);
}

// A free TCP port on every one of these loopback addresses.
export async function freePortOn(hosts: string[]): Promise<number> {
  for (;;) {
    const first = net.createServer();
    await new Promise<void>((r) => first.listen(0, hosts[0], () => r()));
    const port = (first.address() as net.AddressInfo).port;
    const others: net.Server[] = [];
    let ok = true;
    for (const h of hosts.slice(1)) {
      const s = net.createServer();
      const bound = await new Promise<boolean>((r) => {
        s.once('error', () => r(false));
        s.listen(port, h, () => r(true));
      });
      if (!bound) {
        ok = false;
        break;
      }
      others.push(s);
    }
    await Promise.all([first, ...others].map((s) => new Promise<void>((r) => s.close(() => r()))));
    if (ok) return port;
  }
}

// The raw messages in an account's INBOX, oldest first.
export function inboxOf(store: Store, address: string): Buffer[] {
  const account = store.accounts.get(address);
  if (!account) throw new Error(`no account ${address}`);
  const mb = store.mailboxes.get(account.id, 'INBOX')!;
  return store.messages.list(mb.id).map((m) => store.messages.body(m.hash)!);
}

export interface PythonDsn {
  type: string;
  reportType: string | null;
  parts: string[];
  defects: string[];
  perMessage: Record<string, string>;
  recipients: Record<string, string>[];
  returnedType: string;
  returned: string;
  subject: string;
  to: string;
  from: string;
  autoSubmitted: string | null;
}

// A DSN as Python's email package (which nobody here wrote) reads it.
export async function parseDsnWithPython(raw: Buffer): Promise<PythonDsn> {
  const script = `
import email, sys, json, re
from email import policy
msg = email.message_from_bytes(sys.stdin.buffer.read(), policy=policy.compat32)
defects = [type(d).__name__ for part in msg.walk() for d in part.defects]
parts = msg.get_payload()
ds = [p for p in parts if p.get_content_type() in ('message/delivery-status', 'message/global-delivery-status')][0]
if ds.get_content_type() == 'message/delivery-status':
    blocks = ds.get_payload()
else:
    # RFC 6533 message/global-delivery-status: the package reads it as one message; split the blocks.
    text = ds.get_payload()[0].as_bytes().decode('utf-8')
    blocks = [email.message_from_string(b) for b in re.split(r'\\r?\\n\\r?\\n', text.strip()) if b.strip()]
returned = parts[2]
body = returned.get_payload()
print(json.dumps({
  'type': msg.get_content_type(), 'reportType': msg.get_param('report-type'),
  'parts': [p.get_content_type() for p in parts], 'defects': defects,
  'perMessage': dict(blocks[0].items()), 'recipients': [dict(b.items()) for b in blocks[1:]],
  'returnedType': returned.get_content_type(),
  'returned': body if isinstance(body, str) else body[0].as_string(),
  'subject': msg['Subject'], 'to': msg['To'], 'from': msg['From'], 'autoSubmitted': msg['Auto-Submitted'],
}))
`;
  const r = await run('python3', ['-c', script], { input: raw });
  if (r.code !== 0) throw new Error(`python3 could not read the DSN: ${r.stderr}\n${raw.toString()}`);
  return JSON.parse(r.stdout) as PythonDsn;
}

export interface SubmitOptions {
  port: number;
  from: string;
  to: string[];
  auth?: [string, string];
  mail?: string[]; // MAIL FROM parameters
  rcpt?: string[]; // RCPT TO parameters, for every recipient
}

// Sends with Python's smtplib; resolves with the recipients it refused.
export async function submit(o: SubmitOptions, message: Buffer | string): Promise<Record<string, [number, string]>> {
  const script = `
import smtplib, sys, json
a = json.loads(sys.argv[1])
data = sys.stdin.buffer.read()
with smtplib.SMTP('127.0.0.1', a['port']) as s:
    s.ehlo('client.example')
    if a.get('auth'):
        s.login(*a['auth'])
    refused = s.sendmail(a['from'], a['to'], data, mail_options=a.get('mail') or [], rcpt_options=a.get('rcpt') or [])
print(json.dumps({k: [v[0], v[1].decode()] for k, v in refused.items()}))
`;
  const r = await run('python3', ['-c', script, JSON.stringify(o)], { input: typeof message === 'string' ? Buffer.from(message) : message });
  if (r.code !== 0) throw new Error(`smtplib failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, [number, string]>;
}

// The leading fields homepost adds on the way out (DKIM-Signature) and in (Received), removed:
// what is left is the message as the client sent it.
export function withoutAdded(raw: Buffer): { added: string[]; rest: Buffer } {
  const added: string[] = [];
  let pos = 0;
  for (;;) {
    const text = raw.toString('latin1', pos, pos + 8192);
    const m = /^(DKIM-Signature|Received):[^\r\n]*\r\n(?:[ \t][^\r\n]*\r\n)*/.exec(text);
    if (!m) break;
    added.push(m[1]);
    pos += m[0].length;
  }
  return { added, rest: raw.subarray(pos) };
}
