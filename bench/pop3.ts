// `make bench-pop3`: a maildrop of 1000 messages of 4 KB downloaded with python's poplib (USER/PASS,
// LIST, RETR of every message, QUIT) from homepost and from Dovecot's pop3 (dovecot-pop3d,
// bench/dovecot-pop3.conf, maildir) in the same run, on 127.0.0.1. Dovecot serves the maildrop to
// two users: one whose password is an argon2id hash with homepost's parameters (the same work at
// login: the ratio is taken against it) and one with a {PLAIN} password (peers.md's setup).
// Each gets a warm-up download, then ROUNDS timed ones, alternating; the table shows medians and
// the ratio is the median of the per-round ratios (a round's downloads run back to back, so load
// from elsewhere on the machine hits both alike). The downloaded bytes are compared: every server
// must send the same messages.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hashPassword } from '../src/auth/password.ts';
import { silentLogger } from '../src/log/log.ts';
import { parseServeOptions } from '../src/config/options.ts';
import { createPop3Service } from '../src/pop3/index.ts';
import { startServer } from '../src/serve/server.ts';
import { startDovecot } from '../test/imap/dovecot-diff/dovecot.ts';
import { realisticMessage } from './lib/corpus.ts';
import { printTable } from './lib/table.ts';
import { hashNewPassword } from '../src/auth/password.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 1000);
const SIZE = 4096;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const here = path.dirname(new URL(import.meta.url).pathname);
const PASSWORD = 'bench password 1';

// poplib, timed from connect to the reply to QUIT; prints seconds and a digest of what it got.
const CLIENT = `
import poplib, sys, time, json, hashlib
port, user, password = int(sys.argv[1]), sys.argv[2], sys.argv[3]
t0 = time.perf_counter()
p = poplib.POP3('127.0.0.1', port)
p.user(user); p.pass_(password)
t1 = time.perf_counter()
count = len(p.list()[1])
h = hashlib.sha256(); octets = 0
for i in range(1, count + 1):
    resp, lines, n = p.retr(i)
    for l in lines:
        h.update(l); h.update(b'\\r\\n')
    octets += n
p.quit()
t2 = time.perf_counter()
print(json.dumps({'total': t2 - t0, 'login': t1 - t0, 'download': t2 - t1, 'count': count, 'octets': octets, 'digest': h.hexdigest()}))
`;

interface Download {
  total: number;
  login: number;
  download: number;
  count: number;
  octets: number;
  digest: string;
}

function download(port: number, user: string): Promise<Download> {
  return new Promise((resolve, reject) =>
    execFile('python3', ['-c', CLIENT, String(port), user, PASSWORD], { maxBuffer: 1 << 20 }, (e, out, err) =>
      e ? reject(new Error(`${e.message}\n${err}`)) : resolve(JSON.parse(out)),
    ),
  );
}

// CRLF throughout (the corpus can end a message in CR CR LF, which a maildir's LF form cannot keep).
const messages = Array.from({ length: COUNT }, (_, i) =>
  Buffer.from(realisticMessage(i, { size: SIZE, to: 'bench@example.test' }).toString('latin1').replace(/\r+\n/g, '\r\n'), 'latin1'),
);

// --- homepost, in this process, POP3 only, development mode (plaintext on loopback) ---
const hpDir = mkdtempSync(path.join(tmpdir(), 'homepost-bench-pop3-'));
const server = await startServer(parseServeOptions(['--dev', '--ephemeral', '--data', hpDir, '--hostname', 'mail.example.test'], {}), silentLogger, [
  createPop3Service(),
]);
const { store } = server.context;
const account = await store.accounts.create({ address: 'bench@example.test', passwordHash: await hashNewPassword(PASSWORD) });
for (let i = 0; i < COUNT; i += 100) {
  await Promise.all(
    messages
      .slice(i, i + 100)
      .map((raw, j) => store.messages.deliver({ raw, targets: [{ accountId: account.id }], internalDate: Date.UTC(2026, 10, 1) + (i + j) * 1000 })),
  );
}

// --- Dovecot: the same messages in a maildir, stored as Dovecot's own delivery stores them ---
// Dovecot verifies homepost's PHC argon2id strings itself (libsodium).
const dovecot = await startDovecot({
  users: [
    { name: 'bench', password: PASSWORD, hash: `{ARGON2ID}${await hashPassword(PASSWORD)}` },
    { name: 'benchplain', password: PASSWORD },
  ],
  messages: ['bench', 'benchplain'].flatMap((user) => messages.map((raw, i) => ({ user, raw, internalDate: Date.UTC(2026, 10, 1) + i * 1000 }))),
  conf: path.join(here, 'dovecot-pop3.conf'),
  layout: 'lda',
});

try {
  const targets = [
    { name: 'homepost', port: server.ports.pop3, user: 'bench@example.test' },
    { name: 'dovecot', port: dovecot.port, user: 'bench' },
    { name: 'dovecot {PLAIN}', port: dovecot.port, user: 'benchplain' },
  ];
  const warm: Record<string, Download> = {};
  for (const t of targets) warm[t.name] = await download(t.port, t.user);
  if (Object.values(warm).some((d) => d.digest !== warm.homepost.digest || d.count !== COUNT)) {
    throw new Error(`the servers sent different maildrops: ${JSON.stringify(warm)}`);
  }
  const runs: Record<string, Download[]> = Object.fromEntries(targets.map((t) => [t.name, []]));
  for (let r = 0; r < ROUNDS; r++) for (const t of targets) runs[t.name].push(await download(t.port, t.user));

  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const mb = (COUNT * SIZE) / 1e6;
  console.log(`POP3 download: ${COUNT} messages of ${SIZE} bytes (${mb.toFixed(1)} MB) with python poplib, ${ROUNDS} rounds, medians`);
  const rows = targets.map((t) => {
    const m = (k: 'total' | 'login' | 'download') => median(runs[t.name].map((d) => d[k]));
    return [t.name, warm[t.name].total.toFixed(3), m('login').toFixed(3), m('download').toFixed(3), m('total').toFixed(3), (mb / m('download')).toFixed(1)];
  });
  printTable(['server', 'first s', 'login s', 'download s', 'session s', 'MB/s'], rows);
  const ratio = (k: 'total' | 'download', other: string) => median(runs.homepost.map((d, i) => d[k] / runs[other][i][k])).toFixed(2);
  console.log(`\nratio homepost/dovecot, same password hash: session ${ratio('total', 'dovecot')}, download ${ratio('download', 'dovecot')} (target: <= 1.00)`);
  console.log(`ratio homepost/dovecot {PLAIN}:             session ${ratio('total', 'dovecot {PLAIN}')}, download ${ratio('download', 'dovecot {PLAIN}')}`);
} finally {
  await dovecot.stop();
  await server.stop();
  rmSync(hpDir, { recursive: true, force: true });
}
