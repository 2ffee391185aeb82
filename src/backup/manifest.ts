// The manifest, a backup's first entry (manifest.json): what made it, the store format, and every
// file that follows with its size and SHA-256. A restore checks the files against it before it
// uses any of them.
import { TarError } from './tar.ts';

export const MANIFEST = 'manifest.json';

export interface BackupFile {
  name: string;
  size: number;
  sha256: string;
}

export interface Manifest {
  format: 'homepost-backup';
  version: 1;
  created: string; // ISO 8601
  homepost: string; // the version that made it
  storeFormat: number; // src/store/open.ts STORE_FORMAT
  files: BackupFile[];
}

// The names a backup may hold: the store, and certificate files (no folders, no way out of tls/).
const ALLOWED = /^(store\.mdb|tls\/[A-Za-z0-9][A-Za-z0-9._-]{0,63})$/;

export function parseManifest(text: string): Manifest {
  let m: Manifest;
  try {
    m = JSON.parse(text) as Manifest;
  } catch {
    throw new TarError('the manifest is not valid JSON');
  }
  if (m?.format !== 'homepost-backup' || m.version !== 1) throw new TarError('not a homepost backup (or one of a newer kind)');
  if (!Number.isInteger(m.storeFormat) || typeof m.created !== 'string' || !Array.isArray(m.files)) throw new TarError('the manifest is incomplete');
  const names = new Set<string>();
  for (const f of m.files) {
    if (typeof f?.name !== 'string' || !ALLOWED.test(f.name))
      throw new TarError(`the manifest names a file homepost does not restore: ${String(f?.name).slice(0, 80)}`);
    if (!Number.isSafeInteger(f.size) || f.size < 0 || typeof f.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(f.sha256))
      throw new TarError(`the manifest's entry for ${f.name} is invalid`);
    if (names.has(f.name)) throw new TarError(`the manifest names ${f.name} twice`);
    names.add(f.name);
  }
  if (!names.has('store.mdb')) throw new TarError('the backup holds no store');
  return m;
}
