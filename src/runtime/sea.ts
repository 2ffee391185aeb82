// The runtime half of the single executable (tools/build-binary.ts builds it; docs/architecture.md,
// "Building and shipping"). Files the program needs travel inside the executable as SEA assets:
// - native addons (lmdb, msgpackr-extract) for each architecture: written once into the data
//   folder under their content hash (mode 0500) and loaded with process.dlopen; the bundle's
//   `node-gyp-build-optional-packages` is replaced by a call to loadAddon (tools/sea/plugin.ts);
// - lmdb's compression dictionary, which lmdb otherwise reads from its package folder;
// - packages loaded on first use (mailauth, systeminformation), each a CommonJS script compiled
//   by loadChunk when the bundle's import() of it runs (tools/sea/plugin.ts);
// - the setup page's files, when web/ has a build.
// Run from a checkout (not a SEA) none of this is used: packages load from node_modules.
import { createHash } from 'node:crypto';
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import sea from 'node:sea';
import vm from 'node:vm';

// Inside the data folder.
export const ADDON_DIR = 'native';

export const addonKey = (name: string, platform: string = process.platform, arch: string = process.arch): string => `addons/${platform}-${arch}/${name}.node`;
export const LMDB_DICTIONARY_KEY = 'lmdb/dict/dict.txt';
export const ADDON_HASHES_KEY = 'addons/sha256.json';
export const chunkKey = (name: string): string => `chunks/${name}.cjs`;

let dataDir: string | null = null;
const loaded: string[] = [];
const chunksLoaded: string[] = [];

export function isSea(): boolean {
  return sea.isSea();
}

// Where addons go: called with the data folder before the store is first imported.
export function useDataDir(dir: string): void {
  dataDir = path.resolve(dir);
}

// An embedded file, or undefined when there is none (or this is not a SEA).
export function asset(key: string): Buffer | undefined {
  if (!sea.isSea() || !sea.getAssetKeys().includes(key)) return undefined;
  return Buffer.from(sea.getRawAsset(key));
}

export function lmdbDictionary(): Buffer {
  const dict = asset(LMDB_DICTIONARY_KEY);
  if (!dict) throw new Error(`this executable lacks ${LMDB_DICTIONARY_KEY}`);
  return dict;
}

// The exports of an embedded addon, written to <data>/native/<name>-<sha256 prefix>.node unless
// an intact copy is there, then dlopen'ed. Copies of other versions are removed. The expected hash
// comes from a small manifest asset: the addon's own bytes in the executable are read only to
// write a copy, since every page of the executable read stays in the process's RSS.
export function loadAddon(name: string): unknown {
  const key = addonKey(name);
  const hash = addonHashes()[key];
  if (!hash) throw new Error(`this executable has no ${name} addon for ${process.platform}-${process.arch}`);
  if (!dataDir) throw new Error(`the ${name} addon was needed before the data folder was known (the store was imported too early)`);
  const dir = path.join(dataDir, ADDON_DIR);
  const file = path.join(dir, `${name}-${hash.slice(0, 16)}.node`);
  if (!intact(file, hash)) {
    const bytes = asset(key);
    if (!bytes || sha256(bytes) !== hash) throw new Error(`this executable's ${key} does not match its manifest`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    // Written beside and renamed: a crash never leaves half an addon under the final name.
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, bytes, { mode: 0o600 });
    chmodSync(tmp, 0o500);
    renameSync(tmp, file);
  }
  for (const old of readdirSync(dir)) {
    if (old.startsWith(`${name}-`) && old !== path.basename(file) && !old.endsWith('.tmp')) rmSync(path.join(dir, old), { force: true });
  }
  const module = { exports: {} };
  process.dlopen(module, file);
  loaded.push(name);
  return module.exports;
}

// The exports of a lazily loaded package, compiled from its asset as a CommonJS module. Its
// require() sees Node's built-in modules only: the chunk carries everything else.
export function loadChunk(name: string): unknown {
  const key = chunkKey(name);
  const code = asset(key);
  if (!code) throw new Error(`this executable has no ${key}`);
  const filename = path.join(process.execPath, key);
  const module = { exports: {} as unknown };
  const run = vm.compileFunction(code.toString('utf8'), ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
  run(module.exports, createRequire(process.execPath), module, filename, path.dirname(filename));
  chunksLoaded.push(name);
  return module.exports;
}

// Asset key -> sha256 (hex) of every embedded addon, written by tools/build-binary.ts.
function addonHashes(): Record<string, string> {
  const manifest = asset(ADDON_HASHES_KEY);
  return manifest ? (JSON.parse(manifest.toString('utf8')) as Record<string, string>) : {};
}

// The addons this process loaded from the executable (none when run from a checkout).
export function loadedAddons(): string[] {
  return [...loaded];
}

// The lazily loaded packages this process compiled from the executable.
export function loadedChunks(): string[] {
  return [...chunksLoaded];
}

// Hashed in pieces through read(), which leaves no pages of the file mapped in the process.
function intact(file: string, hash: string): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const h = createHash('sha256');
    const piece = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const n = readSync(fd, piece, 0, piece.length, null);
      if (n <= 0) break;
      h.update(piece.subarray(0, n));
    }
    return h.digest('hex') === hash;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
