// homepost as it ships, for the benchmarks that run it in a process of its own (bench/imap.ts,
// bench/imap-scale.ts): the single executable dist/homepost-linux-x64 when it is newer than every
// source file and starts, otherwise an esbuild bundle of src/main.ts made here and run with the
// pinned Node (from the checkout, Node's type stripping would add its WASM compiler, ~35 MB, to the
// process). BENCH_HOMEPOST=binary|bundle forces one.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import * as esbuild from 'esbuild';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');

export interface HomepostCommand {
  cmd: string;
  args: string[];
  what: string;
}

function newestSource(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

// The command that runs homepost as shipped, and what it is.
export async function homepostCommand(): Promise<HomepostCommand> {
  const binary = path.join(root, 'dist', 'homepost-linux-x64');
  const choice = process.env.BENCH_HOMEPOST;
  const runs = () => {
    try {
      execFileSync(binary, ['--version'], { stdio: 'ignore', timeout: 20_000 });
      return true;
    } catch {
      return false;
    }
  };
  if (choice !== 'bundle' && existsSync(binary) && (choice === 'binary' || statSync(binary).mtimeMs > newestSource(path.join(root, 'src'))) && runs()) {
    return { cmd: binary, args: [], what: 'dist/homepost-linux-x64 (single executable)' };
  }
  const bundle = await bundleCommand();
  return { ...bundle, what: bundle.what + (choice ? '' : ' (dist/homepost-linux-x64 is missing, older than src/ or does not start)') };
}

// An esbuild bundle of src/main.ts on this Node, and beside it one of the worker threads' script
// (src/offload/worker.ts), which src/offload/worker-url.ts then names. bench/out is inside the
// checkout, so the bundles' external packages resolve from node_modules.
let bundled: Promise<void> | null = null;
export async function bundleCommand(): Promise<HomepostCommand> {
  const outdir = path.join(root, 'bench', 'out', 'imap');
  bundled ??= (async () => {
    const workerUrl: esbuild.Plugin = {
      name: 'worker-url',
      setup: (build) =>
        build.onLoad({ filter: /[\\/]src[\\/]offload[\\/]worker-url\.ts$/ }, () => ({
          contents: "export const workerUrl = new URL('./worker.mjs', import.meta.url);",
          loader: 'ts',
        })),
    };
    await esbuild.build({
      entryPoints: { homepost: path.join(root, 'src/main.ts'), worker: path.join(root, 'src/offload/worker.ts') },
      bundle: true,
      platform: 'node',
      format: 'esm',
      outdir,
      outExtension: { '.js': '.mjs' },
      packages: 'external',
      logLevel: 'warning',
      plugins: [workerUrl],
    });
  })();
  await bundled;
  return { cmd: process.execPath, args: [path.join(outdir, 'homepost.mjs')], what: `an esbuild bundle of src/main.ts on Node ${process.version}` };
}
