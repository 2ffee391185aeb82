// `homepost restore FILE`: a backup back into the data folder, in steps that each leave a usable
// state behind (the daemon must be stopped; src/cli/restore.ts checks):
// 1. the whole file is read and checked (the passphrase, every chunk's tag, the manifest, every
//    file's size and SHA-256) before anything is written;
// 2. its files are unpacked into restore-STAMP/ in the data folder, checked again as they are
//    written, and synced;
// 3. the unpacked store is opened (an older store format is migrated as on any open) and must pass
//    the store's consistency check;
// 4. only then the current store and certificates move into previous-STAMP/ and the restored ones
//    take their place, each by a rename. The previous ones stay until `homepost restore
//    --discard-previous`.
import { createHash, type Hash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { STORE_FORMAT } from '../store/open.ts';
import type { Store } from '../store/index.ts';
import { MANIFEST, type Manifest, parseManifest } from './manifest.ts';
import { isSealed, unseal } from './sealed.ts';
import { TarError, TarReader } from './tar.ts';

const MAX_MANIFEST = 1024 * 1024;

export class BackupError extends Error {}

// Receives the files of a backup as they are read (after the manifest).
interface FileSink {
  open(name: string): void;
  write(chunk: Buffer): void;
  close(): void;
}

// Reads the backup in the open file `fd` from its start, checks all of it, and gives each file to
// `sink`; the manifest. Throws BackupError (or SealedError) at the first fault.
export async function readBackup(fd: number, passphrase: string | undefined, sink?: FileSink): Promise<Manifest> {
  const bytes = createReadStream('', { fd, start: 0, autoClose: false, highWaterMark: 256 * 1024 });
  const source = (async function* () {
    for await (const chunk of bytes) yield chunk as Buffer;
  })();
  const first = await source.next();
  const head = first.done ? Buffer.alloc(0) : first.value;
  const whole = (async function* () {
    yield head;
    yield* source;
  })();
  const sealed = isSealed(head);
  if (sealed && passphrase === undefined) throw new BackupError('the backup is sealed: give its passphrase with --passphrase-file');
  const plain = sealed ? unseal(whole, passphrase!) : whole;

  let manifest: Manifest | null = null;
  let manifestText: Buffer[] | null = null;
  let current: { name: string; size: number; hash: Hash; read: number } | null = null;
  const seen = new Set<string>();
  const reader = new TarReader({
    entry(name, size) {
      if (!manifest && !manifestText) {
        if (name !== MANIFEST || size > MAX_MANIFEST) throw new TarError('the archive does not start with its manifest');
        manifestText = [];
        return;
      }
      const listed = manifest!.files.find((f) => f.name === name);
      if (!listed) throw new TarError(`the archive holds a file its manifest does not list: ${name.slice(0, 80)}`);
      if (seen.has(name)) throw new TarError(`the archive holds ${name} twice`);
      if (listed.size !== size) throw new TarError(`${name}: ${size} bytes, the manifest says ${listed.size}`);
      seen.add(name);
      current = { name, size, hash: createHash('sha256'), read: 0 };
      sink?.open(name);
    },
    data(chunk) {
      if (manifestText) manifestText.push(Buffer.from(chunk));
      else {
        current!.hash.update(chunk);
        current!.read += chunk.length;
        sink?.write(chunk);
      }
    },
    done() {
      if (manifestText) {
        manifest = parseManifest(Buffer.concat(manifestText).toString('utf8'));
        manifestText = null;
        return;
      }
      const listed = manifest!.files.find((f) => f.name === current!.name)!;
      if (current!.hash.digest('hex') !== listed.sha256) throw new TarError(`${current!.name} does not match its checksum`);
      sink?.close();
      current = null;
    },
  });
  try {
    for await (const chunk of plain) reader.push(chunk);
    reader.finish();
  } catch (e) {
    if (e instanceof TarError) throw new BackupError(`the backup is damaged or not a homepost backup: ${e.message}`);
    throw e;
  }
  const m = manifest as Manifest | null;
  if (!m) throw new BackupError('the backup holds no manifest');
  const missing = m.files.filter((f) => !seen.has(f.name)).map((f) => f.name);
  if (missing.length) throw new BackupError(`the backup is missing ${missing.join(', ')}`);
  return m;
}

export interface StagedRestore {
  manifest: Manifest;
  staging: string; // restore-STAMP/: the checked store and certificates
  accounts: number;
  messages: number;
}

export interface RestoreResult extends Omit<StagedRestore, 'staging'> {
  previous: string; // where the replaced store and certificates are kept
}

const stamp = () => new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);

// What a restore replaces in the data folder.
const REPLACED = ['store.mdb', 'store.mdb-lock', 'tls'];

export async function restoreBackup(dataDir: string, fd: number, passphrase: string | undefined, progress: (line: string) => void): Promise<RestoreResult> {
  const staged = await stageRestore(dataDir, fd, passphrase, progress);
  try {
    return switchToRestored(dataDir, staged);
  } finally {
    discardStaged(staged);
  }
}

// Steps 1 to 3; the daemon may run meanwhile (the page's restore: src/api/commands/backup.ts).
// `mark` may write into the restored store before it is closed (that it was restored, from what).
export async function stageRestore(
  dataDir: string,
  fd: number,
  passphrase: string | undefined,
  progress: (line: string) => void,
  mark?: (store: Store, manifest: Manifest) => Promise<void>,
): Promise<StagedRestore> {
  progress('checking the backup');
  const manifest = await readBackup(fd, passphrase);
  if (manifest.storeFormat > STORE_FORMAT) {
    throw new BackupError(
      `the backup's store is of format ${manifest.storeFormat}, made by homepost ${manifest.homepost}; this homepost reads up to ${STORE_FORMAT}: update homepost first`,
    );
  }
  const staging = path.join(dataDir, `restore-${stamp()}`);
  mkdirSync(staging, { mode: 0o700 });
  try {
    progress(`unpacking into ${staging}`);
    let out = -1;
    await readBackup(fd, passphrase, {
      open(name) {
        const file = path.join(staging, name);
        mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
        out = openSync(file, 'wx', 0o600);
      },
      write(chunk) {
        for (let at = 0; at < chunk.length; ) at += writeSync(out, chunk, at);
      },
      close() {
        fsyncSync(out);
        closeSync(out);
        out = -1;
      },
    });
    progress('opening the restored store and checking it');
    const { Store } = await import('../store/index.ts');
    const store = await Store.open(staging);
    let accounts = 0;
    let messages = 0;
    try {
      const problems = store.checkConsistency();
      if (problems.length) throw new BackupError(`the restored store fails its consistency check: ${problems.slice(0, 5).join('; ')}`);
      for (const a of store.accounts.list()) {
        accounts++;
        for (const mb of store.mailboxes.list(a.id)) messages += mb.count;
      }
      await mark?.(store, manifest);
    } finally {
      await store.close();
    }
    rmSync(path.join(staging, 'store.mdb-lock'), { force: true });
    return { manifest, staging, accounts, messages };
  } catch (e) {
    rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

// Step 4: with the store closed (no daemon, or one that has stopped its services).
export function switchToRestored(dataDir: string, staged: StagedRestore): RestoreResult {
  const previous = path.join(dataDir, `previous-${path.basename(staged.staging).slice('restore-'.length)}`);
  mkdirSync(previous, { mode: 0o700 });
  for (const name of REPLACED) if (existsSync(path.join(dataDir, name))) renameSync(path.join(dataDir, name), path.join(previous, name));
  for (const name of readdirSync(staged.staging)) renameSync(path.join(staged.staging, name), path.join(dataDir, name));
  syncFolder(dataDir);
  const { staging: _, ...rest } = staged;
  return { ...rest, previous };
}

export function discardStaged(staged: StagedRestore): void {
  rmSync(staged.staging, { recursive: true, force: true });
}

function syncFolder(dir: string): void {
  const d = openSync(dir, 'r');
  try {
    fsyncSync(d);
  } finally {
    closeSync(d);
  }
}
