// `make bench-smtp`: Postfix's smtp-source sends COUNT messages of 4 KB (after WARMUP untimed ones) at concurrency 1 and 16 to
// - homepost: `bin/homepost serve` (no --dev) as a child process, data folder on a loop ext4;
// - Dovecot LMTP (bench/dovecot-lmtp.conf), maildir on its own loop ext4, via `smtp-source -L`;
// - smtp-sink: the protocol-only upper bound (stores nothing).
// Printed per run: msgs/s, server peak RSS (VmHWM) and anonymous RSS at the end (both summed over
// Dovecot's processes), bytes that reached the block device per message (/sys/block/loopN/stat
// field 7 x 512, after sync), fsyncs per message, and homepost's ratios to Dovecot.
// fsyncs are counted with `strace -f --seccomp-bpf -c -e trace=fsync,fdatasync,msync,
// sync_file_range` attached to both servers: the seccomp filter stops only those calls, so the
// other syscalls run untraced; both servers pay the same small cost per traced call.
// homepost runs with 127.0.0.1 in smtp.trustedNetworks, so no SPF/DKIM/DMARC, like LMTP which
// does none either. A second homepost row takes the same mail as from the internet: loopback is
// not trusted, the SMTP-time checks ask dnsmasq on 127.0.0.1 (the sender's SPF, DMARC and reverse
// DNS), and the account's junk filter, trained on 2,000 messages of bench-junk's corpus, files
// each message and writes its X-Homepost-Junk field; its ratio to the first row is their cost. The end-to-end line: smtp-source relays to remote
// recipients through homepost (trusted 127.0.0.1), which queues each message, signs it (DKIM,
// From in a local domain) and delivers it through its smarthost setting to smtp-sink; the clock
// stops at the last delivery homepost logs. Then BENCH_CRASH_ROUNDS rounds of the kill -9
// test (test/smtp/crash-round.ts).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { startDnsmasq } from '../test/dns/dnsmasq.ts';
import { crashRound } from '../test/smtp/crash-round.ts';
import { freePort, waitForPort } from '../test/support/ports.ts';
import { tempDir } from '../test/support/temp-store.ts';
import { canUseLoop, createLoopFs, type LoopFs } from './lib/loopfs.ts';
import { printTable } from './lib/table.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 5000);
const SIZE = 4096;
const CONCURRENCIES = [1, 16];
const CRASH_ROUNDS = Number(process.env.BENCH_CRASH_ROUNDS ?? 10);
// Runs per server and concurrency, interleaved; the fastest is reported (other load on the
// machine only ever slows a run down).
const REPEAT = Number(process.env.BENCH_REPEAT ?? 2);
// Messages each server gets before the clock starts (not for the end-to-end line): steady state,
// as bench-imap's warm-up, rather than Node's compiler warming up inside the measurement.
const WARMUP = Number(process.env.BENCH_WARMUP ?? 500);
const here = path.dirname(new URL(import.meta.url).pathname);
const root = path.resolve(here, '..');
const SYNC_CALLS = 'trace=fsync,fdatasync,msync,sync_file_range';

interface Run {
  seconds: number;
  rss: { peak: number; anon: number };
  deviceBytes: number | null;
  fsyncs: number | null;
}

// Every descendant pid of `pid` (strace -> sh -> node; dovecot master -> lmtp, auth ...).
function descendants(pid: number): number[] {
  const out: number[] = [];
  const walk = (p: number) => {
    let kids: number[] = [];
    try {
      for (const t of readdirSync(`/proc/${p}/task`)) {
        kids.push(...readFileSync(`/proc/${p}/task/${t}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number));
      }
    } catch {
      kids = [];
    }
    for (const k of kids) {
      out.push(k);
      walk(k);
    }
  };
  walk(pid);
  return out;
}

function comm(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

// Peak resident memory (VmHWM) and the anonymous part now (RssAnon: heap and stacks, without
// the file pages LMDB maps, which the kernel may drop at will), summed over the processes.
function memory(pids: number[]): { peak: number; anon: number } {
  const total = { peak: 0, anon: 0 };
  for (const p of pids) {
    try {
      const status = readFileSync(`/proc/${p}/status`, 'utf8');
      total.peak += Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
      total.anon += Number(/RssAnon:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
    } catch {
      // gone
    }
  }
  return total;
}

// strace -c -U name,calls output: "fdatasync   5012" lines.
function countSyncs(file: string): number {
  let total = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(fsync|fdatasync|msync|sync_file_range)\s+(\d+)/.exec(line);
    if (m) total += Number(m[2]);
  }
  return total;
}

function traced(args: string[], traceFile: string, stdio: 'pipe' | 'ignore'): ChildProcess {
  return spawn('strace', ['-f', '--seccomp-bpf', '-c', '-U', 'name,calls', '-e', SYNC_CALLS, '-o', traceFile, ...args], {
    stdio: ['ignore', stdio, 'inherit'],
  });
}

function smtpSource(port: number, concurrency: number, lmtp: boolean, count = COUNT, from = 'sender@example.org', to = 'user@example.test'): number {
  const args = ['-s', String(concurrency), '-m', String(count), '-l', String(SIZE), '-f', from, '-t', to];
  if (lmtp) args.unshift('-L');
  const started = process.hrtime.bigint();
  execFileSync('smtp-source', [...args, `127.0.0.1:${port}`], { stdio: ['ignore', 'ignore', 'inherit'] });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function stopTraced(child: ChildProcess, target: number): Promise<void> {
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  process.kill(target, 'SIGTERM');
  await exited;
}

// filter: mail from the internet (FILTER_ZONE's sender), through the checks and the junk filter.
async function runHomepost(concurrency: number, filter = false): Promise<Run & { stored: number; junked: number }> {
  const fs = createLoopFs(2048);
  let child: ChildProcess | null = null;
  const dnsDir = tempDir('homepost-bench-dns-');
  const dns = filter ? await startDnsmasq(dnsDir, FILTER_ZONE) : null;
  try {
    const data = path.join(fs.mountpoint, 'homepost');
    execFileSync(process.execPath, [path.join(here, 'smtp-store.ts'), 'setup', data], { stdio: 'inherit' });
    if (dns) execFileSync(process.execPath, [path.join(here, 'smtp-store.ts'), 'filter', data, String(dns.port)], { stdio: 'inherit' });
    const from = filter ? 'sender@example.net' : undefined;
    const trace = path.join(fs.mountpoint, '..', `strace-homepost-${concurrency}.txt`);
    child = traced([path.join(root, 'bin/homepost'), 'serve', '--ephemeral', '--data', data, '--hostname', 'bench.example.test'], trace, 'pipe');
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('homepost did not start')), 30_000);
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        if (!line.includes('"server.ready"')) return;
        clearTimeout(timer);
        resolve((JSON.parse(line) as { ports: Record<string, number> }).ports.smtp);
      });
    });
    const node = descendants(child!.pid!)[0]; // strace's child: bin/homepost exec'd node
    smtpSource(port, concurrency, false, WARMUP, from);
    const before = fs.bytesWritten();
    const seconds = smtpSource(port, concurrency, false, COUNT, from);
    const deviceBytes = fs.bytesWritten() - before;
    const rss = memory([node]);
    await stopTraced(child!, node);
    const [inbox, junked] = execFileSync(process.execPath, [path.join(here, 'smtp-store.ts'), 'count', data], { encoding: 'utf8' })
      .trim()
      .split(' ')
      .map(Number);
    const fsyncs = countSyncs(trace);
    rmSync(trace, { force: true });
    return { seconds, rss, deviceBytes, fsyncs, stored: inbox! + junked!, junked: junked! };
  } catch (e) {
    console.error('bench-smtp: the homepost run failed:', e);
    throw e;
  } finally {
    await ended(child);
    await dns?.stop();
    rmSync(dnsDir, { recursive: true, force: true });
    fs.destroy();
  }
}

// The sending domain of the filter run, as a well-run one publishes it: SPF for its server
// (127.0.0.1, whose reverse name leads back to it) and a DMARC policy.
const FILTER_ZONE = [
  'txt-record=example.net,"v=spf1 ip4:127.0.0.1 -all"',
  'txt-record=_dmarc.example.net,"v=DMARC1; p=none"',
  'ptr-record=1.0.0.127.in-addr.arpa,mail.example.net',
  'address=/mail.example.net/127.0.0.1',
];

// submission -> queue -> delivery: homepost relays to smtp-sink (its smarthost); the time runs
// from the first message sent to the last one delivered (the time field of its queue.attempt line).
async function runEndToEnd(concurrency: number): Promise<Run & { stored: number }> {
  const fs = createLoopFs(2048);
  const sinkPort = await freePort();
  const sink = spawn('smtp-sink', ['-u', 'nobody', `127.0.0.1:${sinkPort}`, '1000'], { stdio: ['ignore', 'ignore', 'ignore'] });
  let child: ChildProcess | null = null;
  try {
    await waitForPort(sinkPort, 20_000);
    const data = path.join(fs.mountpoint, 'homepost');
    execFileSync(process.execPath, [path.join(here, 'smtp-store.ts'), 'setup', data], { stdio: 'inherit' });
    execFileSync(process.execPath, [path.join(here, 'smtp-store.ts'), 'relay', data, String(sinkPort)], { stdio: 'inherit' });
    const trace = path.join(fs.mountpoint, '..', `strace-e2e-${concurrency}.txt`);
    child = traced([path.join(root, 'bin/homepost'), 'serve', '--ephemeral', '--data', data, '--hostname', 'bench.example.test'], trace, 'pipe');
    let delivered = 0;
    let lastDelivery = 0;
    let allDelivered: () => void = () => {};
    const done = new Promise<void>((r) => (allDelivered = r));
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('homepost did not start')), 30_000);
      createInterface({ input: child!.stdout! }).on('line', (line) => {
        if (line.includes('"server.ready"')) {
          clearTimeout(timer);
          resolve((JSON.parse(line) as { ports: Record<string, number> }).ports.smtp);
        } else if (line.includes('"queue.attempt"') && line.includes('"outcome":"delivered"')) {
          lastDelivery = Math.max(lastDelivery, Date.parse((JSON.parse(line) as { time: string }).time));
          if (++delivered === COUNT) allDelivered();
        }
      });
    });
    const node = descendants(child!.pid!)[0];
    const before = fs.bytesWritten();
    const started = Date.now();
    smtpSource(port, concurrency, false, COUNT, 'user@example.test', 'user@remote.example');
    await Promise.race([done, new Promise((r) => setTimeout(r, 120_000))]);
    const seconds = ((delivered === COUNT ? lastDelivery : Date.now()) - started) / 1000;
    const deviceBytes = fs.bytesWritten() - before;
    const rss = memory([node]);
    await stopTraced(child!, node);
    const fsyncs = countSyncs(trace);
    rmSync(trace, { force: true });
    return { seconds, rss, deviceBytes, fsyncs, stored: delivered };
  } finally {
    await ended(child);
    sink.kill('SIGTERM');
    fs.destroy();
  }
}

// Whatever went wrong, the traced server must be gone before its filesystem is unmounted.
async function ended(child: ChildProcess | null): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  for (const p of descendants(child.pid!)) process.kill(p, 'SIGKILL');
  child.kill('SIGKILL');
  await exited;
}

async function runDovecot(concurrency: number): Promise<Run & { stored: number }> {
  const fs: LoopFs = createLoopFs(2048);
  const dir = tempDir('homepost-bench-dovecot-');
  let child: ChildProcess | null = null;
  try {
    const mail = path.join(fs.mountpoint, 'mail');
    // Dovecot delivers as the dovemail user, who must reach the maildir.
    chmodSync(path.dirname(fs.mountpoint), 0o755);
    chmodSync(fs.mountpoint, 0o755);
    mkdirSync(mail);
    chownSync(mail, Number(execFileSync('id', ['-u', 'dovemail'], { encoding: 'utf8' })), Number(execFileSync('id', ['-g', 'dovemail'], { encoding: 'utf8' })));
    for (const d of ['run/state', 'log']) mkdirSync(path.join(dir, d), { recursive: true });
    writeFileSync(path.join(dir, 'users'), 'user:{PLAIN}bench password 1\n');
    const port = await freePort();
    const conf = readFileSync(path.join(here, 'dovecot-lmtp.conf'), 'utf8')
      .replaceAll('@DIR@', dir)
      .replaceAll('@MAIL@', mail)
      .replaceAll('@PORT@', String(port));
    writeFileSync(path.join(dir, 'dovecot.conf'), conf);
    const trace = path.join(dir, 'strace.txt');
    child = traced(['dovecot', '-F', '-c', path.join(dir, 'dovecot.conf')], trace, 'ignore');
    await waitForPort(port, 20_000);
    const master = descendants(child!.pid!).find((p) => comm(p) === 'dovecot')!;
    smtpSource(port, concurrency, true, WARMUP);
    const before = fs.bytesWritten();
    const seconds = smtpSource(port, concurrency, true);
    const deviceBytes = fs.bytesWritten() - before;
    const rss = memory([master, ...descendants(master)]);
    await stopTraced(child!, master);
    const newDir = path.join(mail, 'user', 'Maildir', 'new');
    const stored = existsSync(newDir) ? readdirSync(newDir).length : 0;
    return { seconds, rss, deviceBytes, fsyncs: countSyncs(trace), stored };
  } finally {
    await ended(child);
    fs.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function runSink(concurrency: number): Promise<Run> {
  const port = await freePort();
  const child = spawn('smtp-sink', ['-c', '-u', 'nobody', `127.0.0.1:${port}`, '1000'], { stdio: ['ignore', 'ignore', 'ignore'] });
  try {
    await waitForPort(port, 20_000);
    smtpSource(port, concurrency, false, WARMUP);
    const seconds = smtpSource(port, concurrency, false);
    return { seconds, rss: memory([child.pid!]), deviceBytes: null, fsyncs: null };
  } finally {
    child.kill('SIGTERM');
  }
}

const why = canUseLoop();
if (why) {
  console.log(`bench-smtp: skipped (${why}). Run as root (sudo make bench-smtp) to measure.`);
  process.exit(0);
}
for (const tool of ['smtp-source', 'smtp-sink', 'dovecot', 'strace']) {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
  } catch {
    console.log(`bench-smtp: skipped (${tool} is not installed; apt-get install postfix dovecot-lmtpd strace).`);
    process.exit(0);
  }
}

const rows: (string | number)[][] = [];
const kb = (n: number | null) => (n === null ? '-' : (n / 1024).toFixed(1));
const mb = (n: number) => (n / 1024 / 1024).toFixed(0);
const notes: string[] = [];
const best = <T extends Run>(a: T | null, b: T) => (a && a.seconds <= b.seconds ? a : b);
const loadBefore = os.loadavg()[0];
for (const concurrency of CONCURRENCIES) {
  let hp: (Run & { stored: number }) | null = null;
  let filtered: (Run & { stored: number; junked: number }) | null = null;
  let dc: (Run & { stored: number }) | null = null;
  for (let i = 0; i < REPEAT; i++) {
    hp = best(hp, await runHomepost(concurrency));
    filtered = best(filtered, await runHomepost(concurrency, true));
    dc = best(dc, await runDovecot(concurrency));
  }
  if (!hp || !dc || !filtered) throw new Error('BENCH_REPEAT must be at least 1');
  const sink = await runSink(concurrency);
  let e2e: (Run & { stored: number }) | null = null;
  for (let i = 0; i < REPEAT; i++) e2e = best(e2e, await runEndToEnd(concurrency));
  if (hp.stored !== COUNT + WARMUP) notes.push(`homepost stored ${hp.stored} of ${COUNT + WARMUP} at concurrency ${concurrency}`);
  if (filtered.stored !== COUNT + WARMUP)
    notes.push(`homepost (from the internet) stored ${filtered.stored} of ${COUNT + WARMUP} at concurrency ${concurrency}`);
  notes.push(`from the internet at concurrency ${concurrency}: ${filtered.junked} of ${filtered.stored} filed into Junk`);
  if (e2e!.stored !== COUNT) notes.push(`homepost delivered ${e2e!.stored} of ${COUNT} to smtp-sink at concurrency ${concurrency}`);
  if (dc.stored !== COUNT + WARMUP) notes.push(`dovecot stored ${dc.stored} of ${COUNT + WARMUP} at concurrency ${concurrency}`);
  const row = (name: string, r: Run, warmup = WARMUP) => [
    name,
    concurrency,
    (COUNT / r.seconds).toFixed(0),
    mb(r.rss.peak),
    mb(r.rss.anon),
    kb(r.deviceBytes === null ? null : r.deviceBytes / COUNT),
    // strace counts the whole life of the server, warm-up included.
    r.fsyncs === null ? '-' : (r.fsyncs / (COUNT + warmup)).toFixed(2),
  ];
  rows.push(row('homepost', hp), row('homepost, from the internet: checks + junk filter', filtered));
  rows.push(row('dovecot lmtp (maildir)', dc), row('smtp-sink (no store)', sink));
  rows.push(row('homepost relay -> queue -> smtp-sink', e2e!, 0));
  // `a` against `b`: its speed, memory, bytes and fsyncs over b's.
  const ratio = (name: string, a: Run, b: Run) => [
    name,
    concurrency,
    `${(b.seconds / a.seconds).toFixed(2)}x`,
    `${(a.rss.peak / b.rss.peak).toFixed(2)}x`,
    `${(a.rss.anon / b.rss.anon).toFixed(2)}x`,
    `${(a.deviceBytes! / b.deviceBytes!).toFixed(2)}x`,
    b.fsyncs ? `${(a.fsyncs! / b.fsyncs).toFixed(2)}x` : '-',
  ];
  rows.push(ratio('cost of checks + filter (from the internet / trusted)', filtered, hp));
  rows.push(ratio('ratio homepost/dovecot', hp, dc));
}
console.log(`bench-smtp: smtp-source, ${COUNT} messages of ${SIZE} bytes after ${WARMUP} not timed, one connection per message, ext4 on loop devices;`);
console.log(`best of ${REPEAT} interleaved runs; load average ${loadBefore.toFixed(1)} before, ${os.loadavg()[0].toFixed(1)} after\n`);
printTable(['server', 'conc', 'msgs/s', 'peak RSS MB', 'anon RSS MB', 'KB written/msg', 'fsyncs/msg'], rows);
for (const n of notes) console.log(`note: ${n}`);

if (CRASH_ROUNDS > 0) {
  const dir = tempDir('homepost-bench-crash-');
  try {
    let acked = 0;
    let bad = 0;
    for (let round = 1; round <= CRASH_ROUNDS; round++) {
      const r = await crashRound(dir, round, { workers: 16, loadMs: 800 + Math.floor(Math.random() * 2000) });
      acked += r.acked;
      bad += r.missing.length + r.duplicates.length + r.problems.length;
    }
    console.log(`\nkill -9 under 16-way load: ${CRASH_ROUNDS} rounds, ${acked} acknowledged messages, ${bad} missing, duplicated or inconsistent`);
    if (bad) process.exitCode = 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
