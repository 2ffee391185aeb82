// `homepost backup`: the store as one consistent snapshot taken while the server runs, with the
// certificate files, in one archive (tar.ts) whose first entry is a manifest of every file's size
// and SHA-256; sealed with a passphrase when one is given (sealed.ts). Settings and DKIM keys live
// in the store, so they come with it.
//
// The snapshot is LMDB's compacting copy (mdb_env_copy2 with MDB_CP_COMPACT, through lmdb-js's
// backup()): it reads one read transaction, on a thread of its own, while deliveries go on
// committing; every message acknowledged before it started is in it. It is written beside the
// backup (not into the data folder, so the SD card is spared a second copy when the backup goes
// to a USB drive), put into the archive, then removed.
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { open, rename } from 'node:fs/promises';
import path from 'node:path';
import { VERSION } from '../version.ts';
import { type BackupFile, MANIFEST, type Manifest } from './manifest.ts';
import { seal } from './sealed.ts';
import { TAR_END, tarHeader, tarPadding } from './tar.ts';

// What is backed up: a store that can copy itself, and the format it is in (the running one, or an
// older one about to be migrated: migration.ts).
export interface BackupSource {
  snapshot(file: string): Promise<void>;
  readonly storeFormat: number;
}

export interface BackupResult {
  file: string;
  bytes: number;
  sealed: boolean;
  files: BackupFile[];
  ms: number;
}

const stamp = (d: Date) => d.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

async function sha256(file: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

// The archive's bytes: the manifest, then each file with its header and padding.
async function* archive(
  manifest: Manifest,
  files: readonly { name: string; source: string; size: number }[],
  progress: (bytes: number) => void,
): AsyncGenerator<Buffer> {
  const text = Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`);
  yield tarHeader(MANIFEST, text.length, 0o600, Date.parse(manifest.created));
  yield text;
  yield tarPadding(text.length);
  for (const f of files) {
    yield tarHeader(f.name, f.size, 0o600, Date.parse(manifest.created));
    let read = 0;
    for await (const chunk of createReadStream(f.source, { highWaterMark: 256 * 1024 })) {
      read += (chunk as Buffer).length;
      progress((chunk as Buffer).length);
      yield chunk as Buffer;
    }
    // The files are the backup's own copies: nothing else writes them meanwhile.
    if (read !== f.size) throw new Error(`${f.name} changed size while it was archived`);
    yield tarPadding(f.size);
  }
  yield TAR_END;
}

// The data folder's certificate files (tls/): the certificate, its key and the ACME account key.
function certificateFiles(dataDir: string): { name: string; source: string }[] {
  const dir = path.join(dataDir, 'tls');
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => ({ name: `tls/${e.name}`, source: path.join(dir, e.name) }));
}

// mustExist: the folder is not made (a USB drive's: schedule.ts).
export interface BackupOptions {
  to: string;
  passphrase?: string;
  progress?: (done: number, total: number) => void;
  mustExist?: boolean;
}

// One backup at a time: a scheduled one and one asked for wait for each other.
let queue: Promise<unknown> = Promise.resolve();

export function createBackup(store: BackupSource, dataDir: string, opts: BackupOptions): Promise<BackupResult> {
  const run = queue.then(() => writeBackup(store, dataDir, opts));
  queue = run.catch(() => {});
  return run;
}

async function writeBackup(store: BackupSource, dataDir: string, opts: BackupOptions): Promise<BackupResult> {
  const started = Date.now();
  const created = new Date();
  if (opts.mustExist && !existsSync(opts.to)) throw new Error(`the folder ${opts.to} does not exist (is the drive plugged in?)`);
  mkdirSync(opts.to, { recursive: true, mode: 0o700 });
  // Two backups in one second: the second gets "-2", and so on.
  const extension = opts.passphrase ? '.tar.sealed' : '.tar';
  let base = path.join(opts.to, `homepost-backup-${stamp(created)}${extension}`);
  for (let n = 2; existsSync(base); n++) base = path.join(opts.to, `homepost-backup-${stamp(created)}-${n}${extension}`);
  const staging = path.join(opts.to, `.${path.basename(base)}.staging`);
  const partial = `${base}.partial`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { mode: 0o700 });
  try {
    const snapshot = path.join(staging, 'store.mdb');
    await store.snapshot(snapshot);
    // The certificate files are copied first too: a renewal meanwhile cannot change them under the
    // archive.
    mkdirSync(path.join(staging, 'tls'), { mode: 0o700 });
    const certificates = certificateFiles(dataDir).map((f) => {
      const copy = path.join(staging, f.name);
      copyFileSync(f.source, copy);
      return { name: f.name, source: copy };
    });
    const sources = [{ name: 'store.mdb', source: snapshot }, ...certificates];
    const files: (BackupFile & { source: string })[] = [];
    for (const f of sources) files.push({ ...f, size: statSync(f.source).size, sha256: await sha256(f.source) });
    const manifest: Manifest = {
      format: 'homepost-backup',
      version: 1,
      created: created.toISOString(),
      homepost: VERSION,
      storeFormat: store.storeFormat,
      files: files.map(({ name, size, sha256 }) => ({ name, size, sha256 })),
    };
    const total = files.reduce((n, f) => n + f.size, 0);
    let done = 0;
    const plain = archive(manifest, files, (bytes) => {
      done += bytes;
      opts.progress?.(done, total);
    });
    const out = await open(partial, 'wx', 0o600);
    let bytes = 0;
    try {
      for await (const chunk of opts.passphrase ? seal(plain, opts.passphrase) : plain) {
        await out.write(chunk);
        bytes += chunk.length;
      }
      await out.sync();
    } finally {
      await out.close();
    }
    await rename(partial, base);
    await syncDir(opts.to);
    return { file: base, bytes, sealed: Boolean(opts.passphrase), files: manifest.files, ms: Date.now() - started };
  } finally {
    rmSync(staging, { recursive: true, force: true });
    rmSync(partial, { force: true });
  }
}

// The rename is durable once the folder's entry is on disk.
async function syncDir(dir: string): Promise<void> {
  const d = await open(dir, 'r');
  try {
    await d.sync();
  } finally {
    await d.close();
  }
}
