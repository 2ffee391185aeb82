// `make bench-hostile`: the attacks of the denial-of-service issue (test/support/attacks.ts, the
// same payloads and clients as test/hostile/) against the executable, each on a fresh server, and
// the same against a reference build of an earlier commit ("before"; --base REF, default 8ca0e11,
// the last commit before the fix), built once in a git worktree under .cache/bench-hostile/<commit>
// with its own npm ci and build-binary (x64 only) and reused after. Both run as shipped
// (dist/homepost-linux-x64 through test/support/serve-child.ts, without --dev, DNS from a server on
// 127.0.0.1 with no records).
// For each attack and side: the observer's longest wait (a fresh SMTP banner and a NOOP on a
// logged-in IMAP session every 50 ms; for attack 8 also the setup page), the server's RSS right
// after it started, idle before the attack (after a warm-up message and the observer's login), at
// its peak (VmRSS sampled every 20 ms and VmHWM reset before the attack), settled after it, and
// 35 s after it (once the worker threads retired); a server that crashed or did not finish the attack in time is reported so (each attack
// starts a server of its own). Target, for "after": no stall over 200 ms, peak RSS under 200 MB;
// the exit code is 1 when one is missed.
// usage: node bench/hostile.ts [--base REF] [--only NAME,...] [--skip-before]
//   BENCH_TIMEOUT=s caps each attack's time (a server still busy then counts as hung).
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  accountSpellings,
  colonlessHeaderLines,
  describeOutcome,
  headerFieldFlood,
  imapAppend,
  imapLogin,
  largeMessage,
  loopbackRange,
  nestedMultipart,
  ordinaryMessage,
  parallelImapLogins,
  preauthAppend,
  sendMail,
  silentConnections,
  startHostileServer,
  startObserver,
  within,
  bulkyTextMessage,
  MiB,
  type HostileServer,
  type ObserverReport,
} from '../test/support/attacks.ts';
import { ROOT } from '../test/support/serve-child.ts';
import { Wire } from '../test/support/wire.ts';
import { dropPageCache } from './lib/memory.ts';
import { measurePeak, rssKb, settledRssKb } from './lib/rss.ts';
import { printTable } from './lib/table.ts';

const TARGET_STALL_MS = 200;
// The worker threads (src/offload) end after 30 s idle.
const LATE_MS = 35_000;
const TARGET_PEAK_MB = 200;

const ALICE = { address: 'alice@example.test', password: 'alice password 1' };
const OBSERVER = { address: 'observer@example.test', password: 'observer password 1' };
const VICTIM = { address: 'victim@example.test', password: 'victim password 1' };
const ATTACKER = '127.0.0.66';

// --- the attacks -------------------------------------------------------------------------------

interface Attack {
  name: string;
  what: string;
  timeoutMs: number;
  https?: boolean; // the observer also loads the setup page
  setup?(server: HostileServer): Promise<void>;
  // What the server answered, in a few words.
  run(server: HostileServer): Promise<string>;
}

const count = (answers: string[]) => {
  const m = new Map<string, number>();
  for (const a of answers) m.set(a, (m.get(a) ?? 0) + 1);
  return [...m].map(([a, n]) => `${n}x ${a}`).join('; ');
};
const smtp = (server: HostileServer, payload: Parameters<typeof sendMail>[0]) =>
  sendMail(payload, { port: server.ports.smtp, localAddress: ATTACKER, to: [ALICE.address], replyTimeoutMs: 600_000 }).then(describeOutcome);
const short = (s: string) => s.replace(/^(end|mail|rcpt|data|banner): /, '').slice(0, 48);

const ATTACKS: Attack[] = [
  { name: '1 header fields', what: '500,000 header fields "X-A: 1" (4 MB) to port 25', timeoutMs: 120_000, run: (s) => smtp(s, headerFieldFlood(500_000)) },
  {
    name: '2 colonless lines',
    what: '40,000 header lines without a colon (120 KB) to port 25',
    timeoutMs: 180_000,
    run: (s) => smtp(s, colonlessHeaderLines(40_000)),
  },
  {
    name: '3 nested multipart',
    what: '100 nested multiparts, 700,000 delimiter lines (4.9 MB) to port 25',
    timeoutMs: 180_000,
    run: (s) => smtp(s, nestedMultipart(100, 700_000)),
  },
  {
    name: '3b SEARCH TEXT',
    what: 'SEARCH TEXT over a stored message of attack 3 (350,000 lines, 2.5 MB)',
    timeoutMs: 180_000,
    async setup(s) {
      const r = await smtp(s, nestedMultipart(100, 350_000));
      if (!r.includes('250')) console.log(`  (the message of 3b was not stored: ${r})`);
    },
    async run(s) {
      const w = await imapLogin({ port: s.ports.imaps, tls: true, user: ALICE.address, password: ALICE.password });
      try {
        await w.imap('SELECT INBOX');
        return (await w.imap('SEARCH TEXT "needle in the haystack"', 600_000)).tagged.replace(/^\S+ /, '');
      } finally {
        w.close();
      }
    },
  },
  {
    name: '4 pre-login APPEND',
    what: 'six connections: APPEND {52428000} before login, the literal sent when invited',
    timeoutMs: 120_000,
    run: async (s) => count(await preauthAppend({ port: s.ports.imap, localAddress: ATTACKER, connections: 6, size: 52_428_000, sendData: true })),
  },
  {
    name: '5 eight 49 MB',
    what: 'eight 49 MB messages at once to port 25 from one address',
    timeoutMs: 300_000,
    run: async (s) => count((await Promise.all(Array.from({ length: 8 }, (_, i) => smtp(s, largeMessage(49_000_000, { subject: `large ${i}` }))))).map(short)),
  },
  {
    name: '6 login storm',
    what: '60 wrong IMAP passwords at once, 20 spellings of one account, from 60 addresses',
    timeoutMs: 120_000,
    async run(s) {
      const answers = await parallelImapLogins({
        port: s.ports.imaps,
        users: accountSpellings(VICTIM.address, 20),
        password: 'wrong password',
        addresses: loopbackRange(258, 60),
        attempts: 60,
      });
      const checked = answers.filter((a) => a.includes('[AUTHENTICATIONFAILED]')).length;
      const locked = answers.filter((a) => a.includes('[UNAVAILABLE]')).length;
      return `${checked} checked, ${locked} refused as locked${checked + locked < 60 ? `, ${60 - checked - locked} other` : ''}`;
    },
  },
  {
    name: '7 SEARCH NOT BODY',
    what: 'SEARCH NOT BODY "x" over 48 messages of 4 MiB of base64 text',
    timeoutMs: 300_000,
    async setup(s) {
      const w = await imapLogin({ port: s.ports.imaps, tls: true, user: ALICE.address, password: ALICE.password });
      try {
        for (let i = 0; i < 48; i++) {
          const r = await imapAppend(w, bulkyTextMessage(i, 4 * MiB, ALICE.address));
          if (!/^\S+ OK/.test(r)) throw new Error(`APPEND for attack 7: ${r}`);
        }
      } finally {
        w.close();
      }
    },
    async run(s) {
      const w = await imapLogin({ port: s.ports.imaps, tls: true, user: ALICE.address, password: ALICE.password });
      try {
        await w.imap('SELECT INBOX');
        return (await w.imap('SEARCH NOT BODY "x"', 600_000)).tagged.replace(/^\S+ /, '').slice(0, 40);
      } finally {
        w.close();
      }
    },
  },
  {
    name: '8 silent TLS',
    what: '64 connections to the setup page that never send a ClientHello (16 from each of 4 addresses), held 5 s',
    timeoutMs: 60_000,
    https: true,
    async run(s) {
      const held = await Promise.all(loopbackRange(3, 4).map((a) => silentConnections({ port: s.ports.https, count: 16, localAddress: a })));
      try {
        await new Promise((r) => setTimeout(r, 300));
        // A browser from 127.0.0.1 meanwhile.
        const page = await within(
          (async () => {
            const w = await Wire.open({ port: s.ports.https, tls: true, timeoutMs: 5000 });
            try {
              await w.write('GET / HTTP/1.1\r\nHost: mail.example.test\r\nConnection: close\r\n\r\n');
              return (await w.line(5000)).slice(9, 12);
            } finally {
              w.close();
            }
          })().catch((e: Error) => `failed (${e.message.slice(0, 30)})`),
          6000,
        );
        await new Promise((r) => setTimeout(r, 4700));
        return `page from another address: ${page ?? 'no answer in 6 s'}`;
      } finally {
        for (const h of held) h.close();
      }
    },
  },
];

// --- the servers -------------------------------------------------------------------------------

interface Side {
  name: 'before' | 'after';
  root: string; // whose store code prepares the data folder
  executable: string;
  label: string;
}

function git(args: string[], cwd = ROOT): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

// The reference executable for `ref`, built once in .cache/bench-hostile/<commit>.
function referenceBuild(ref: string): Side {
  const commit = git(['rev-parse', '--verify', `${ref}^{commit}`]);
  const dir = path.join(ROOT, '.cache', 'bench-hostile', commit);
  const executable = path.join(dir, 'dist', 'homepost-linux-x64');
  const label = `${commit.slice(0, 9)} (${git(['log', '-1', '--format=%s', commit]).slice(0, 60)})`;
  if (existsSync(executable)) return { name: 'before', root: dir, executable, label };
  console.log(`building the reference ${commit.slice(0, 9)} in ${path.relative(ROOT, dir)} (once) ...`);
  if (!existsSync(path.join(dir, '.git'))) git(['worktree', 'add', '--detach', dir, commit]);
  // The pinned Node and addon packages the build fetches: from this checkout's cache when there
  // (the build verifies them against its own pins and lockfile again).
  const cache = path.join(ROOT, '.cache', 'sea');
  mkdirSync(path.join(dir, '.cache', 'sea'), { recursive: true });
  if (existsSync(cache))
    for (const f of readdirSync(cache).filter((f) => f.endsWith('.tgz')))
      if (!existsSync(path.join(dir, '.cache', 'sea', f))) copyFileSync(path.join(cache, f), path.join(dir, '.cache', 'sea', f));
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: dir, stdio: 'inherit' });
  // What `make binary` runs, for this machine's architecture only.
  execFileSync(process.execPath, ['tools/build-binary.ts', '--arch', 'x64'], { cwd: dir, stdio: 'inherit' });
  return { name: 'before', root: dir, executable, label };
}

// --- measuring ---------------------------------------------------------------------------------

interface Result {
  state: 'ok' | 'crashed' | 'hung' | 'failed';
  detail: string; // the server's answer, or why it crashed / what failed
  stallMs: number | null;
  report: ObserverReport | null;
  idleKb: number | null;
  peakKb: number | null;
  settledKb: number | null;
  // RSS once the worker threads have retired (LATE_MS after the attack), and right after the
  // server started (before any mail): what "returns to idle" compares.
  lateKb?: number | null;
  startKb?: number | null;
  ms: number;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const timeoutMs = (a: Attack) => Math.min(a.timeoutMs, Number(process.env.BENCH_TIMEOUT ?? Infinity) * 1000);

function crashReason(server: HostileServer): string {
  const err = server.stderr();
  const fatal = /FATAL ERROR: ([^\n]*)/.exec(err)?.[1] ?? /^(\w*Error[^\n]*)$/m.exec(err)?.[1];
  return fatal ? fatal.slice(0, 70) : `exited: ${err.trim().split('\n').at(-1)?.slice(0, 70) ?? 'no message'}`;
}

async function measure(side: Side, attack: Attack): Promise<Result> {
  dropPageCache();
  const server = await startHostileServer({
    root: side.root,
    executable: side.executable,
    domains: ['example.test'],
    accounts: [ALICE, OBSERVER, VICTIM],
  });
  const pid = server.pid;
  try {
    await sleep(1000);
    const startKb = rssKb(pid);
    // Warm: one message through the inbound checks (mailauth loads on the first).
    const warm = await sendMail(ordinaryMessage('warm-up'), { port: server.ports.smtp, localAddress: '127.0.0.5', to: [ALICE.address] });
    if (warm.reply?.code !== 250) throw new Error(`the warm-up message: ${describeOutcome(warm)}`);
    await attack.setup?.(server);
    const observer = await startObserver({
      smtpPort: server.ports.smtp,
      imap: { port: server.ports.imaps, tls: true, user: OBSERVER.address, password: OBSERVER.password },
      httpsPort: attack.https ? server.ports.https : undefined,
    });
    await sleep(2000);
    const idleKb = rssKb(pid);
    const meter = measurePeak(pid);
    const started = performance.now();
    const outcome = await within(
      attack.run(server).then(
        (answer) => ({ answer }),
        (e: Error) => ({ answer: `error: ${e.message.slice(0, 80)}` }),
      ),
      timeoutMs(attack),
    );
    const ms = performance.now() - started;
    const report = await observer.stop();
    const { peakKb } = meter.stop();
    if (!server.alive()) return { state: 'crashed', detail: crashReason(server), stallMs: report.maxWaitMs, report, idleKb, peakKb, settledKb: null, ms };
    if (outcome === undefined)
      return { state: 'hung', detail: `no end in ${timeoutMs(attack) / 1000} s`, stallMs: report.maxWaitMs, report, idleKb, peakKb, settledKb: rssKb(pid), ms };
    const ended = performance.now();
    const settledKb = await settledRssKb(pid);
    await sleep(LATE_MS - (performance.now() - ended));
    const lateKb = rssKb(pid);
    return { state: 'ok', detail: outcome.answer, stallMs: report.maxWaitMs, report, idleKb, peakKb, settledKb, lateKb, startKb, ms };
  } catch (e) {
    if (!server.alive())
      return { state: 'crashed', detail: crashReason(server), stallMs: null, report: null, idleKb: null, peakKb: null, settledKb: null, ms: 0 };
    return { state: 'failed', detail: (e as Error).message.slice(0, 100), stallMs: null, report: null, idleKb: null, peakKb: null, settledKb: null, ms: 0 };
  } finally {
    // A hung server is killed after 10 s; the next attack starts a new one.
    await server.stop(10_000);
    server.remove();
  }
}

// --- the run -----------------------------------------------------------------------------------

function parseArgs(argv: string[]): { base: string; only: string[] | null; skipBefore: boolean } {
  let base = '8ca0e11';
  let only: string[] | null = null;
  let skipBefore = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--base') base = argv[++i]!;
    else if (argv[i] === '--only') only = argv[++i]!.split(',');
    else if (argv[i] === '--skip-before') skipBefore = true;
    else throw new Error('usage: node bench/hostile.ts [--base REF] [--only NAME,...] [--skip-before]');
  }
  return { base, only, skipBefore };
}

const { base, only, skipBefore } = parseArgs(process.argv.slice(2));
const after: Side = { name: 'after', root: ROOT, executable: path.join(ROOT, 'dist', 'homepost-linux-x64'), label: 'dist/homepost-linux-x64 of this checkout' };
if (!existsSync(after.executable)) throw new Error('dist/homepost-linux-x64 is missing: make binary');
const sides = skipBefore ? [after] : [referenceBuild(base), after];
const attacks = ATTACKS.filter((a) => !only || only.some((o) => a.name.startsWith(o) || a.name.split(' ')[0] === o));

console.log(
  `hostile input against homepost as shipped (${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB): a fresh server per attack and side`,
);
for (const s of sides) console.log(`  ${s.name.padEnd(6)} ${s.label}`);
console.log(dropPageCache() ? 'page cache emptied before each server start' : 'page cache NOT emptied (not root): a just-built executable shows more RSS');
console.log(
  'stall: the longest wait of the observer (a fresh SMTP banner and a NOOP on a logged-in IMAP session every 50 ms; attack 8: also the setup page)\n',
);

const results = new Map<string, Partial<Record<Side['name'], Result>>>();
for (const attack of attacks) {
  const row: Partial<Record<Side['name'], Result>> = {};
  results.set(attack.name, row);
  for (const side of sides) {
    process.stdout.write(`${attack.name} (${attack.what}), ${side.name} ... `);
    const r = await measure(side, attack);
    row[side.name] = r;
    console.log(`${r.state}, ${(r.ms / 1000).toFixed(1)} s: ${r.detail}${r.report ? `; ${Math.round(r.stallMs!)} ms longest wait (${r.report.worst})` : ''}`);
  }
}

const MB = (kb: number | null | undefined) => (kb === null || kb === undefined ? '-' : `${(kb / 1024).toFixed(0)} MB`);
const stall = (r: Result | undefined) => {
  if (!r) return '-';
  if (r.state === 'ok') return `${Math.round(r.stallMs!)} ms`;
  if (r.state === 'failed') return 'failed';
  return `${r.state}${r.stallMs !== null ? ` (${(r.stallMs / 1000).toFixed(1)} s)` : ''}`;
};
const met = (r: Result | undefined) =>
  r !== undefined && r.state === 'ok' && r.stallMs! <= TARGET_STALL_MS && r.peakKb !== null && r.peakKb / 1024 < TARGET_PEAK_MB;

console.log();
printTable(
  ['attack', 'stall before', 'stall after', 'peak RSS before', 'peak RSS after', 'after: start, idle -> settled -> 35 s', 'target'],
  attacks.map((a) => {
    const r = results.get(a.name)!;
    const after = r.after;
    return [
      a.name,
      stall(r.before),
      stall(r.after),
      MB(r.before?.peakKb),
      MB(after?.peakKb),
      `${MB(after?.startKb)}, ${MB(after?.idleKb)} -> ${MB(after?.settledKb)} -> ${MB(after?.lateKb)}`,
      met(after) ? 'met' : 'MISSED',
    ];
  }),
);
console.log('\nwhat the server answered');
printTable(
  ['attack', 'before', 'after'],
  attacks.map((a) => {
    const r = results.get(a.name)!;
    const cell = (x: Result | undefined) => (x ? `${x.state === 'ok' ? '' : `${x.state}: `}${x.detail}`.slice(0, 90) : '-');
    return [a.name, cell(r.before), cell(r.after)];
  }),
);
const missed = attacks.filter((a) => !met(results.get(a.name)!.after));
console.log(
  `\ntarget for "after" (the executable): no stall over ${TARGET_STALL_MS} ms, peak RSS under ${TARGET_PEAK_MB} MB, the server alive: ${missed.length ? `MISSED for ${missed.map((a) => a.name).join(', ')}` : 'met for every attack'}`,
);
process.exitCode = missed.length ? 1 : 0;
