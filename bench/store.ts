// `make bench-store`: deliveries into the store on a loop-mounted ext4, at concurrency 1 and 16,
// against a maildir-with-fsync reference (how Dovecot's maildir delivers) on the same kind of
// filesystem. Prints messages/s, bytes reaching the block device per message, fsyncs per message
// (strace with a seccomp filter, so untraced syscalls run at full speed), and message sizes.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { canUseLoop, createLoopFs } from './lib/loopfs.ts';
import { printTable } from './lib/table.ts';

const COUNT = Number(process.env.BENCH_COUNT ?? 5000);
const CONCURRENCIES = [1, 16];
const here = path.dirname(new URL(import.meta.url).pathname);

interface Result {
  seconds: number;
  rawBytes: number;
  storedBodyBytes: number | null;
  deviceBytes: number;
  fsyncs: number;
}

async function runWorker(kind: string, concurrency: number): Promise<Result> {
  const fs = createLoopFs(2048);
  try {
    const dir = path.join(fs.mountpoint, kind);
    mkdirSync(dir);
    const trace = path.join(fs.mountpoint, '..', `strace-${kind}-${concurrency}.txt`);
    const child = spawn(
      'strace',
      [
        '-f',
        '--seccomp-bpf',
        '-c',
        '-U',
        'name,calls',
        '-e',
        'trace=fsync,fdatasync,msync,sync_file_range',
        '-o',
        trace,
        process.execPath,
        path.join(here, 'store-worker.ts'),
        kind,
        dir,
        String(COUNT),
        String(concurrency),
      ],
      { stdio: ['pipe', 'pipe', 'inherit'] },
    );
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    if ((await lines.next()).value !== 'ready') throw new Error(`${kind} worker did not start`);
    const before = fs.bytesWritten();
    child.stdin!.write('go\n');
    const result = JSON.parse((await lines.next()).value as string);
    await new Promise((r) => child.once('exit', r));
    const deviceBytes = fs.bytesWritten() - before;
    return { ...result, deviceBytes, fsyncs: countSyncs(trace) };
  } finally {
    fs.destroy();
  }
}

// strace -c -U name,calls output: "fdatasync   5012" lines.
function countSyncs(file: string): number {
  let total = 0;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*(fsync|fdatasync|msync|sync_file_range)\s+(\d+)/.exec(line);
    if (m) total += Number(m[2]);
  }
  rmSync(file, { force: true });
  return total;
}

const why = canUseLoop();
if (why) {
  console.log(`bench-store: skipped (${why}). Run as root (sudo make bench-store) to measure.`);
  process.exit(0);
}

const rows: (string | number)[][] = [];
const kb = (n: number) => (n / 1024).toFixed(1);
for (const concurrency of CONCURRENCIES) {
  const hp = await runWorker('homepost', concurrency);
  const md = await runWorker('maildir', concurrency);
  for (const [name, r] of [
    ['homepost', hp],
    ['maildir+fsync (reference)', md],
  ] as const) {
    rows.push([
      name,
      concurrency,
      (COUNT / r.seconds).toFixed(0),
      kb(r.deviceBytes / COUNT),
      (r.fsyncs / COUNT).toFixed(2),
      kb(r.rawBytes / COUNT),
      r.storedBodyBytes === null ? '-' : kb(r.storedBodyBytes / COUNT),
    ]);
  }
  rows.push([
    'ratio homepost/reference',
    concurrency,
    `${(md.seconds / hp.seconds).toFixed(2)}x`,
    `${(hp.deviceBytes / md.deviceBytes).toFixed(2)}x`,
    md.fsyncs ? `${(hp.fsyncs / md.fsyncs).toFixed(2)}x` : '-',
    '',
    '',
  ]);
}
console.log(`bench-store: ${COUNT} deliveries of ~4 KB realistic text each, ext4 on a loop device\n`);
printTable(['store', 'conc', 'msgs/s', 'KB written/msg', 'fsyncs/msg', 'raw KB/msg', 'stored KB/msg'], rows);
