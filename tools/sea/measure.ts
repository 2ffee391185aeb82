// The figures README's "Building the executable" states, measured on this machine:
// size and xz-compressed size of dist/homepost-linux-<arch>, time from start to the server.ready
// log line (first start on an empty data folder; restart; with --drop-caches, as root, also a
// restart with the page cache dropped: that slows everything else on the machine for a moment),
// and resident memory after IDLE_SECONDS idle (as root, with the page cache dropped first).
// usage: node tools/sea/measure.ts [--drop-caches]   (after make binary; this machine's arch)
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const IDLE_SECONDS = 10;
const RUNS = 7;
const root = path.resolve(import.meta.dirname, '../..');
const arch = process.arch;
const withColdCache = process.argv.includes('--drop-caches');
const exe = path.join(root, `dist/homepost-linux-${arch}`);

function startToReady(dataDir: string, idleSeconds = 0): Promise<{ ms: number; rssKb: number }> {
  const t0 = performance.now();
  const child = spawn(exe, ['serve', '--ephemeral', '--data', dataDir, '--hostname', 'mail.example.test'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!out.includes('"server.ready"')) return;
      child.stdout.removeAllListeners('data');
      const ms = performance.now() - t0;
      setTimeout(() => {
        const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]);
        child.once('exit', () => resolve({ ms, rssKb }));
        child.kill('SIGTERM');
      }, idleSeconds * 1000);
    });
  });
}

function dropCaches(): boolean {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '3');
    return true;
  } catch {
    return false;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const size = statSync(exe).size;
const t = performance.now();
const xz = execFileSync('xz', ['-6', '-T2', '-c', exe], { maxBuffer: 1 << 30 }).length;
const xzSeconds = (performance.now() - t) / 1000;

const first: number[] = [];
const warm: number[] = [];
const cold: number[] = [];
for (let i = 0; i < RUNS; i++) {
  const dir = mkdtempSync(path.join(tmpdir(), 'homepost-measure-'));
  first.push((await startToReady(dir)).ms);
  warm.push((await startToReady(dir)).ms);
  if (withColdCache && dropCaches()) cold.push((await startToReady(dir)).ms);
  rmSync(dir, { recursive: true, force: true });
}
const dir = mkdtempSync(path.join(tmpdir(), 'homepost-measure-'));
await startToReady(dir);
// The executable's pages as read from disk (as after a boot), not as xz's reads or the build's
// writes left them in the page cache: Linux maps a whole cached folio on a fault, and those are
// large (bench/lib/memory.ts, dropPageCache).
const fromDisk = dropCaches();
const { rssKb } = await startToReady(dir, IDLE_SECONDS);
rmSync(dir, { recursive: true, force: true });

const mb = (n: number) => `${(n / 1e6).toFixed(1)} MB`;
const ms = (xs: number[]) =>
  xs.length ? `${Math.round(median(xs))} ms median, ${Math.round(Math.min(...xs))} ms best of ${xs.length}` : 'not measured (--drop-caches, as root)';
process.stdout.write(
  [
    `dist/homepost-linux-${arch} on ${process.arch}`,
    `  size                          ${mb(size)}`,
    `  xz -6                         ${mb(xz)} (${xzSeconds.toFixed(0)} s to compress)`,
    `  first start to ready          ${ms(first)}  (new data folder: store, addons, certificate)`,
    `  restart to ready              ${ms(warm)}`,
    `  restart, page cache dropped   ${ms(cold)}`,
    `  RSS after ${IDLE_SECONDS} s idle            ${(rssKb / 1024).toFixed(0)} MiB${fromDisk ? ' (page cache dropped before the start)' : ' (page cache not dropped: not root)'}`,
    '',
  ].join('\n'),
);
