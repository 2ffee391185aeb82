// The runtime half of the single executable (tools/build-binary.ts builds it; design.md,
// "Building and shipping"). Files the program needs travel inside the executable as SEA assets:
// - native addons (lmdb, msgpackr-extract) for each architecture: written once into the data
//   folder under their content hash (mode 0500) and loaded with process.dlopen; the bundle's
//   `node-gyp-build-optional-packages` is replaced by a call to loadAddon (tools/sea/plugin.ts);
// - lmdb's compression dictionary, which lmdb otherwise reads from its package folder;
// - the setup page's files, when web/ has a build.
// Run from a checkout (not a SEA) none of this is used: packages load from node_modules.
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import sea from 'node:sea';

// Inside the data folder.
export const ADDON_DIR = 'native';

export const addonKey = (name: string, platform: string = process.platform, arch: string = process.arch): string =>
  `addons/${platform}-${arch}/${name}.node`;
export const LMDB_DICTIONARY_KEY = 'lmdb/dict/dict.txt';

let dataDir: string | null = null;
const loaded: string[] = [];

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
// an intact copy is there, then dlopen'ed. Copies of other versions are removed.
export function loadAddon(name: string): unknown {
  const bytes = asset(addonKey(name));
  if (!bytes) throw new Error(`this executable has no ${name} addon for ${process.platform}-${process.arch}`);
  if (!dataDir) throw new Error(`the ${name} addon was needed before the data folder was known (the store was imported too early)`);
  const hash = sha256(bytes).slice(0, 16);
  const dir = path.join(dataDir, ADDON_DIR);
  const file = path.join(dir, `${name}-${hash}.node`);
  if (!intact(file, hash)) {
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

// The addons this process loaded from the executable (none when run from a checkout).
export function loadedAddons(): string[] {
  return [...loaded];
}

function intact(file: string, hash: string): boolean {
  try {
    return sha256(readFileSync(file)).startsWith(hash);
  } catch {
    return false;
  }
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
