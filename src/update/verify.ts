// Checks an update file before anything is replaced: the signature, the manifest, every byte of
// the executable against the signed SHA-256, and that it is an ELF executable for this machine.
// With `copyTo` the executable is written there as it is read, and synced: what is checked is the
// copy that will be installed, not a file someone could change afterwards.
import { createHash, type KeyObject } from 'node:crypto';
import { type FileHandle, open } from 'node:fs/promises';
import { constants } from 'node:fs';
import { elfArch, MAX_HEADER_BYTES, readHeader, UpdateError, type UpdateManifest } from './format.ts';

const CHUNK = 1024 * 1024;

export async function verifyUpdate(file: string, key: KeyObject, copyTo?: string): Promise<UpdateManifest> {
  let source: FileHandle;
  try {
    // O_NOFOLLOW: the file may sit in a folder another user owns (docs/updates.md).
    source = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (e) {
    throw new UpdateError(`cannot read ${file}: ${(e as Error).message}`);
  }
  let out: FileHandle | undefined;
  try {
    const stat = await source.stat();
    if (!stat.isFile()) throw new UpdateError(`${file} is not a file`);
    const head = Buffer.alloc(MAX_HEADER_BYTES);
    const { bytesRead } = await source.read(head, 0, head.length, 0);
    const { manifest, length } = readHeader(head.subarray(0, bytesRead), key);
    if (manifest.arch !== process.arch) throw new UpdateError(`the update is for ${manifest.arch}; this machine is ${process.arch}`);
    if (stat.size !== length + manifest.size) throw new UpdateError('the update file is cut short or has bytes too many');
    if (copyTo) out = await open(copyTo, 'wx', 0o700);
    const hash = createHash('sha256');
    const buf = Buffer.alloc(CHUNK);
    let first: Buffer | undefined;
    for (let at = 0; at < manifest.size; ) {
      const { bytesRead: n } = await source.read(buf, 0, Math.min(CHUNK, manifest.size - at), length + at);
      if (n === 0) throw new UpdateError('the update file is cut short');
      const chunk = buf.subarray(0, n);
      first ??= Buffer.from(chunk.subarray(0, 64));
      hash.update(chunk);
      if (out) await out.write(chunk, 0, n);
      at += n;
    }
    if (hash.digest('hex') !== manifest.sha256) throw new UpdateError('the executable in the update does not match its signed checksum');
    const arch = elfArch(first ?? Buffer.alloc(0));
    if (arch !== process.arch)
      throw new UpdateError(`the update holds ${arch ? `an executable for ${arch}` : 'no Linux executable'}; this machine is ${process.arch}`);
    if (out) await out.sync();
    return manifest;
  } finally {
    await source.close();
    await out?.close();
  }
}
