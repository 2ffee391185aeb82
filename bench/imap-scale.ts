// `make bench-imap-scale`: IMAP and POP3 on large mailboxes (issue 16, "Benchmark and targets"),
// homepost against Dovecot's imap and pop3 (bench/dovecot-imap-scale.conf, maildir) in the same
// run, on 127.0.0.1. One INBOX of BENCH_SIZES messages (default 1000,10000,50000; 90% of ~4 KB
// text, 10% of ~100 KB with a base64 attachment, seeded, threaded: bench/lib/scale-corpus.ts), the
// same messages in both servers: homepost's data folder written offline through src/store, Dovecot's
// maildir as its LDA writes one, both built once and cached under .cache/bench-imap-scale/
// (bench/lib/scale-data.ts); Dovecot's index is built once by a client's first session and cached
// with it.
//
// A round starts a server on a fresh copy of the data with the page cache emptied, then times, with
// its own raw-socket clients (bench/lib/imap-client.ts, bench/lib/pop3-client.ts; from writing the
// command to the end of its reply): SELECT cold (the first after the start), SELECT warm (another
// session), UID FETCH 1:* (FLAGS), FETCH 1:* ENVELOPE, SEARCH SUBJECT, SEARCH TEXT, SORT (DATE),
// THREAD REFERENCES (the four of them without a SEARCH WARM_RUNS times more, "runs 2-6": their
// median shows the server once V8 has optimized the code they take),
// STORE +FLAGS on all, EXPUNGE of 10% (marked \Deleted beforehand), a QRESYNC
// re-select (RFC 7162 3.2.5, with the HIGHESTMODSEQ from before the STORE), POP3 login (connect to
// the reply to PASS) + STAT + UIDL, and the same POP3 steps first after a restart with the page
// cache emptied. After each step: RSS, private memory (Private_Clean + Private_Dirty: store.mdb's
// pages count there too) and anonymous memory (RssAnon), summed over Dovecot's processes. During
// each step an observer on a worker thread (test/support/attacks.ts) sends NOOP every 20 ms on a
// session of another account and reports its longest wait. A command a server does not support
// (a tagged NO or BAD) prints "n/a"; the servers' answers (hits, threads, responses) are compared.
//
// Rounds alternate the servers (BENCH_ROUNDS, 3); the table shows medians of the times and of
// memory, the longest NOOP wait of all rounds, and the ratio homepost/Dovecot. At the end the
// issue's targets at the largest size with pass/fail: they are reported, not asserted (exit 0
// unless a server fails). homepost runs as it ships (bench/lib/homepost.ts: the executable, or a
// bundle). Both servers check argon2id hashes with homepost's parameters at login; homepost
// remembers recent successful logins (src/auth/credential-cache.ts) and this Dovecot has no auth
// cache, so the POP3 login before the restart compares that too (the one after it does not).
// BENCH_MEMORY_LIMIT_MB runs homepost in a memory cgroup of that size (a device's RAM, less what
// else it runs): the store's mapped pages then give way at the limit, and the run shows whether
// what homepost holds itself fits.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { startObserver } from '../test/support/attacks.ts';
import { memoryCgroup } from './lib/cgroup.ts';
import { homepostCommand, root } from './lib/homepost.ts';
import { ImapClient, numberAfter, type ImapReply } from './lib/imap-client.ts';
import { dropPageCache, memoryOf, type Memory } from './lib/memory.ts';
import { Pop3Client } from './lib/pop3-client.ts';
import { SUBJECT_TERM, TEXT_TERM } from './lib/scale-corpus.ts';
import { BENCH, homepostData, maildirData, OBSERVER } from './lib/scale-data.ts';
import { startHomepost, startReference, type ScaleServer } from './lib/scale-servers.ts';
import { printTable } from './lib/table.ts';

const SIZES = (process.env.BENCH_SIZES ?? '1000,10000,50000').split(',').map(Number);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SEED = 16;
const NOOP_INTERVAL_MS = 20;
// The runs after the first of FLAGS, ENVELOPE, SORT and THREAD, of which a row shows the median.
const WARM_RUNS = 5;
const NOOP_TARGET_MS = 100;
const RSS_TARGET_MB = 120;
// homepost in a memory cgroup of this many MB (0: none): bench/lib/cgroup.ts.
const LIMIT_MB = Number(process.env.BENCH_MEMORY_LIMIT_MB ?? 0);
const cgroup = LIMIT_MB ? memoryCgroup('homepost-bench-scale', LIMIT_MB) : undefined;

const STEPS = [
  'SELECT, cold',
  'SELECT, warm',
  'UID FETCH 1:* (FLAGS)',
  'UID FETCH 1:* (FLAGS), runs 2-6',
  'FETCH 1:* ENVELOPE',
  'FETCH 1:* ENVELOPE, runs 2-6',
  'SEARCH SUBJECT',
  'SEARCH TEXT',
  'SORT (DATE)',
  'SORT (DATE), runs 2-6',
  'THREAD REFERENCES',
  'THREAD REFERENCES, runs 2-6',
  'STORE +FLAGS, all',
  'EXPUNGE 10%',
  'QRESYNC re-select',
  'POP3 login',
  'POP3 STAT',
  'POP3 UIDL',
  'POP3 login, after restart',
  'POP3 STAT, after restart',
  'POP3 UIDL, after restart',
] as const;
type Step = (typeof STEPS)[number];
// The issue's first targets at 50,000 messages; every other row is still to be at most Dovecot's.
const KEY_STEPS: Step[] = [
  'SELECT, cold',
  'SELECT, warm',
  'UID FETCH 1:* (FLAGS)',
  'SEARCH SUBJECT',
  'POP3 login',
  'POP3 login, after restart',
  'POP3 STAT, after restart',
];

interface Timed {
  ms: number | null; // null: not supported
  answer?: string; // what the reply said, to compare the servers
}
interface Sample extends Timed {
  noopMs: number;
  memory: Memory;
}
type Samples = Map<Step, Sample[]>;

// The hits of a SEARCH or SORT, the threads of a THREAD (top-level parentheses), otherwise the
// number of untagged responses.
function gist(r: ImapReply): string {
  const line = r.lines.find((l) => /^\* (SEARCH|SORT|THREAD)\b/.test(l));
  if (!line) return `${r.untagged} responses`;
  if (!line.startsWith('* THREAD')) return `${line.split(' ').length - 2} hits`;
  let depth = 0;
  let threads = 0;
  for (const ch of line) {
    if (ch === '(' && depth++ === 0) threads++;
    else if (ch === ')') depth--;
  }
  return `${threads} threads`;
}
const timed = (r: ImapReply): Timed => (r.ok ? { ms: r.ms, answer: gist(r) } : { ms: null });

// UIDs of 10% of a mailbox of `count` (UIDs 1..count), in runs of 100 spread over it.
function tenth(count: number): string {
  const runs: string[] = [];
  for (let k = 0; k * 1000 < count; k++) runs.push(`${k * 1000 + 1}:${k * 1000 + Math.min(100, Math.ceil((count - k * 1000) / 10))}`);
  return runs.join(',');
}

// One round on a started server: every step, in order, each with the observer running.
async function round(s: ScaleServer, count: number, samples: Samples): Promise<void> {
  const step = async (name: Step, run: () => Promise<Timed>) => {
    const observer = await startObserver({
      imap: { port: s.imapPort, tls: false, user: OBSERVER.address, password: OBSERVER.password },
      localAddress: '127.0.0.1',
      intervalMs: NOOP_INTERVAL_MS,
    });
    let done: (Timed & { memory: Memory }) | undefined;
    try {
      const t = await run();
      done = { ...t, memory: memoryOf(s.pids()) };
    } finally {
      const report = await observer.stop();
      if (done) samples.get(name)!.push({ ...done, noopMs: report.maxWaitMs });
    }
  };
  const login = () => ImapClient.login(s.imapPort, BENCH.address, BENCH.password);

  let uidValidity: number | null = null;
  const cold = await login();
  await step('SELECT, cold', async () => {
    const r = await cold.command('SELECT INBOX', { keep: true });
    uidValidity = numberAfter(r.lines, 'UIDVALIDITY');
    return { ms: timed(r).ms };
  });
  const main = await login();
  await step('SELECT, warm', async () => ({ ms: timed(await main.command('SELECT INBOX')).ms }));
  await cold.logout();
  for (const [name, command] of [
    ['UID FETCH 1:* (FLAGS)', 'UID FETCH 1:* (FLAGS)'],
    ['FETCH 1:* ENVELOPE', 'FETCH 1:* ENVELOPE'],
    ['SEARCH SUBJECT', `SEARCH SUBJECT ${SUBJECT_TERM}`],
    ['SEARCH TEXT', `SEARCH TEXT ${TEXT_TERM}`],
    ['SORT (DATE)', 'SORT (DATE) UTF-8 ALL'],
    ['THREAD REFERENCES', 'THREAD REFERENCES UTF-8 ALL'],
  ] as [Step, string][]) {
    const run = async () => timed(await main.command(command, { keep: /^(SEARCH|SORT|THREAD) /.test(command) }));
    await step(name, run);
    // The same command WARM_RUNS times more: the first runs after a start are run by V8's slower
    // tiers while it compiles the code they take (on the machine's other core: a 2-core machine's
    // run queue shows it, beside the client); the median of the next shows the server from then on.
    const warm = `${name}, runs 2-6` as Step;
    if (STEPS.includes(warm)) {
      await step(warm, async () => {
        const runs: Timed[] = [];
        for (let i = 0; i < WARM_RUNS; i++) runs.push(await run());
        const times = runs.map((r) => r.ms);
        return { ms: times.includes(null) ? null : median(times as number[]), answer: runs[0]!.answer };
      });
    }
  }
  const modseq = numberAfter((await main.command('STATUS INBOX (HIGHESTMODSEQ)', { keep: true })).lines, 'HIGHESTMODSEQ');
  await step('STORE +FLAGS, all', async () => timed(await main.command('STORE 1:* +FLAGS (\\Flagged)')));
  const marked = await main.command(`UID STORE ${tenth(count)} +FLAGS.SILENT (\\Deleted)`);
  if (!marked.ok) throw new Error(`${s.name}: marking 10% \\Deleted: ${marked.tagged}`);
  await step('EXPUNGE 10%', async () => timed(await main.command('EXPUNGE')));
  const resync = await login();
  await step('QRESYNC re-select', async () => {
    if (uidValidity === null || modseq === null || !(await resync.command('ENABLE QRESYNC')).ok) return { ms: null };
    return { ms: timed(await resync.command(`SELECT INBOX (QRESYNC (${uidValidity} ${modseq}))`)).ms };
  });
  await main.logout();
  await resync.logout();

  const pop3 = async (suffix: '' | ', after restart') => {
    let client!: Pop3Client;
    await step(`POP3 login${suffix}`, async () => {
      const c = await Pop3Client.connect(s.pop3Port);
      client = c.client;
      const user = await client.command(`USER ${BENCH.address}`);
      const pass = await client.command(`PASS ${BENCH.password}`);
      if (!user.ok || !pass.ok) throw new Error(`${s.name}: POP3 login: ${user.first} ${pass.first}`);
      return { ms: c.ms + user.ms + pass.ms };
    });
    await step(`POP3 STAT${suffix}`, async () => {
      const r = await client.command('STAT');
      return r.ok ? { ms: r.ms, answer: r.first.split(' ')[1] } : { ms: null };
    });
    await step(`POP3 UIDL${suffix}`, async () => {
      const r = await client.command('UIDL', true);
      return r.ok ? { ms: r.ms, answer: `${r.lines} lines` } : { ms: null };
    });
    await client.quit();
  };
  await pop3('');
  await s.restart();
  await pop3(', after restart');
}

// Dovecot's index, built as a client's first session builds it (the fields SORT, THREAD and
// ENVELOPE use get cached), then kept with the cached maildir.
async function indexMaildir(maildir: string): Promise<void> {
  const d = await startReference(maildir);
  try {
    const c = await ImapClient.login(d.imapPort, BENCH.address, BENCH.password);
    for (const command of [
      'SELECT INBOX',
      'FETCH 1:* (FLAGS ENVELOPE)',
      'SORT (DATE) UTF-8 ALL',
      'THREAD REFERENCES UTF-8 ALL',
      `SEARCH SUBJECT ${SUBJECT_TERM}`,
    ]) {
      await c.command(command);
    }
    await c.logout();
    d.saveIndex();
  } finally {
    await d.stop();
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const ms = (x: number | null) => (x === null ? 'n/a' : x < 10 ? x.toFixed(1) : Math.round(x).toString());
const mb = (kb: number) => (kb / 1024).toFixed(0);

interface Row {
  ms: number | null;
  noopMs: number;
  rssKb: number;
  privateKb: number;
  anonKb: number;
}
function summarize(samples: Sample[]): Row {
  const times = samples.map((x) => x.ms).filter((x): x is number => x !== null);
  return {
    ms: times.length ? median(times) : null,
    noopMs: Math.max(...samples.map((x) => x.noopMs)),
    rssKb: median(samples.map((x) => x.memory.rssKb)),
    privateKb: median(samples.map((x) => x.memory.privateKb)),
    anonKb: median(samples.map((x) => x.memory.anonKb)),
  };
}

mkdirSync(path.join(root, 'bench', 'out'), { recursive: true });
const command = await homepostCommand();
const dovecotVersion = execFileSync('dovecot', ['--version'], { encoding: 'utf8' }).trim();
console.log(`IMAP and POP3 at scale: one INBOX of ${SIZES.join(', ')} messages, ${ROUNDS} alternating rounds`);
console.log(`homepost: ${command.what}; Dovecot ${dovecotVersion} (imap, pop3, maildir, bench/dovecot-imap-scale.conf)`);
if (!dropPageCache()) console.log('page cache NOT emptied (not root): the "cold" and "after restart" steps are warm');

const results = new Map<number, { homepost: Row; dovecot: Row }[]>();
for (const count of SIZES) {
  const t0 = performance.now();
  const [hp, md] = await Promise.all([homepostData(count, SEED), maildirData(count, SEED)]);
  if (!existsSync(path.join(md.dir, 'dovecot.index.log'))) await indexMaildir(md.dir);
  console.log(
    `\n${count} messages: data ${hp.built || md.built ? `built in ${((performance.now() - t0) / 1000).toFixed(0)} s` : 'from .cache/bench-imap-scale'}`,
  );
  const samples = { homepost: new Map(STEPS.map((s) => [s, []])) as Samples, dovecot: new Map(STEPS.map((s) => [s, []])) as Samples };
  for (let r = 0; r < ROUNDS; r++) {
    for (const name of r % 2 ? (['dovecot', 'homepost'] as const) : (['homepost', 'dovecot'] as const)) {
      const server = name === 'homepost' ? await startHomepost(command, hp.dir, cgroup) : await startReference(md.dir);
      try {
        await round(server, count, samples[name]);
      } finally {
        await server.stop();
      }
    }
  }
  const rows = STEPS.map((step) => ({ homepost: summarize(samples.homepost.get(step)!), dovecot: summarize(samples.dovecot.get(step)!) }));
  results.set(count, rows);
  printTable(
    ['step', 'homepost ms', 'dovecot ms', 'ratio', 'NOOP max ms h/d', 'RSS MB h (private, anon)', 'RSS MB d (private, anon)'],
    rows.map(({ homepost: h, dovecot: d }, i) => [
      STEPS[i]!,
      ms(h.ms),
      ms(d.ms),
      h.ms === null || d.ms === null ? 'n/a' : (h.ms / d.ms).toFixed(2),
      `${Math.round(h.noopMs)} / ${Math.round(d.noopMs)}`,
      `${mb(h.rssKb)} (${mb(h.privateKb)}, ${mb(h.anonKb)})`,
      `${mb(d.rssKb)} (${mb(d.privateKb)}, ${mb(d.anonKb)})`,
    ]),
  );
  // Both servers hold the same messages: their answers must agree (the first round's).
  for (const step of STEPS) {
    const [h, d] = [samples.homepost.get(step)![0]?.answer, samples.dovecot.get(step)![0]?.answer];
    if (h !== undefined && d !== undefined && h !== d) console.log(`answers differ: ${step}: homepost ${h}, dovecot ${d}`);
  }
}

// The issue's targets, at the largest size measured.
const largest = Math.max(...SIZES);
const rows = results.get(largest)!;
const verdict = (ok: boolean) => (ok ? 'pass' : 'FAIL');
console.log(`\ntargets at ${largest} messages${largest < 50_000 ? ' (the issue states them at 50,000)' : ''}: homepost at most Dovecot's time`);
for (const [i, step] of STEPS.entries()) {
  const { homepost: h, dovecot: d } = rows[i]!;
  const result = h.ms === null ? 'FAIL (n/a)' : d.ms === null ? 'pass (Dovecot n/a)' : verdict(h.ms <= d.ms);
  console.log(`  ${KEY_STEPS.includes(step) ? '*' : ' '} ${step}: ${ms(h.ms)} vs ${ms(d.ms)} ms: ${result}`);
}
console.log('  (* the first targets of the issue)');
// The highest RSS after any step (the restart before the last POP3 steps would hide the rest).
const highest = rows.reduce((a, r, i) => (r.homepost.rssKb > rows[a]!.homepost.rssKb ? i : a), 0);
const rss = rows[highest]!.homepost.rssKb / 1024;
const binary = command.cmd !== process.execPath;
console.log(
  `RSS, highest after any step (${STEPS[highest]}): ${rss.toFixed(0)} MB < ${RSS_TARGET_MB} MB: ${verdict(rss < RSS_TARGET_MB)}` +
    `${binary ? '' : " (measured on a bundle: the target is the executable's)"}; after the last step ${mb(rows.at(-1)!.homepost.rssKb)} MB`,
);
const anon = Math.max(...rows.map((r) => r.homepost.anonKb)) / 1024;
console.log(`RssAnon (memory the process holds itself; the rest of RSS is store.mdb's pages), highest after any step: ${anon.toFixed(0)} MB`);
if (cgroup) {
  const { peakMb, oomKills } = cgroup.report();
  console.log(
    `homepost ran in a memory cgroup of ${LIMIT_MB} MB: peak charged ${peakMb === null ? 'n/a' : peakMb.toFixed(0)} MB (page cache included), OOM kills ${oomKills}`,
  );
  cgroup.remove();
}
const noop = Math.max(...[...results.values()].flatMap((r) => r.map((x) => x.homepost.noopMs)));
console.log(`longest NOOP wait on another session, any step and size: ${Math.round(noop)} ms <= ${NOOP_TARGET_MS} ms: ${verdict(noop <= NOOP_TARGET_MS)}`);
