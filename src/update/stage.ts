// An update uploaded on the setup page: written into the data folder's update/ in parts, verified by the
// daemon (a wrong file is refused at once, with the reason), then renamed to PENDING_UPDATE. On
// the device homepost-update.path sees that name and starts homepost-update.service, which runs
// `homepost update --pending` as root: the daemon's user cannot replace the executable, and the
// root side verifies the file again itself (docs/updates.md).
import { constants, mkdirSync, renameSync, rmSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { UpdateError, type UpdateManifest } from './format.ts';
import { builtInReleaseKey } from './key.ts';
import { verifyUpdate } from './verify.ts';

export const UPDATE_FOLDER = 'update';
export const PENDING_UPDATE = 'pending.update';
// Taken by `homepost update --pending` while it works on it, so the path unit does not fire again.
export const APPLYING_UPDATE = 'applying.update';
// An executable is about 140 MB; the limit only stops a runaway upload.
export const MAX_UPLOAD_BYTES = 400 * 1024 * 1024;
export const MAX_PART_BYTES = 8 * 1024 * 1024;

export const updateFolder = (dataDir: string): string => path.join(dataDir, UPDATE_FOLDER);

// One part of an upload, at `offset` (the bytes received so far): the setup page sends the file in
// parts of at most MAX_PART_BYTES, so that each request ends well within the HTTP server's request
// timeout on a slow link, and it can show how far it is. After the last part the file is checked
// and becomes the pending update.
export async function receiveUploadPart(
  dataDir: string,
  body: Readable,
  offset: number,
  last: boolean,
): Promise<{ received: number; pending: UpdateManifest | null }> {
  const key = builtInReleaseKey();
  if (!key) throw new UpdateError('this homepost has no release key built in, so it accepts no update (docs/updates.md)');
  const folder = updateFolder(dataDir);
  mkdirSync(folder, { recursive: true, mode: 0o700 });
  const partial = path.join(folder, 'upload.partial');
  if (offset === 0) rmSync(partial, { force: true });
  const flags = constants.O_WRONLY | constants.O_NOFOLLOW | (offset === 0 ? constants.O_CREAT | constants.O_EXCL : 0);
  let out: FileHandle;
  try {
    out = await open(partial, flags, 0o600);
  } catch {
    throw new UpdateError('the upload has no earlier part: send it again from the start');
  }
  let received = 0;
  try {
    if ((await out.stat()).size !== offset) throw new UpdateError('a part of the upload went missing: send it again from the start');
    for await (const chunk of body as AsyncIterable<Buffer>) {
      received += chunk.length;
      if (received > MAX_PART_BYTES || offset + received > MAX_UPLOAD_BYTES) {
        throw new UpdateError(`an update has at most ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB, sent in parts of at most ${MAX_PART_BYTES / 1024 / 1024} MiB`);
      }
      await out.write(chunk, 0, chunk.length, offset + received - chunk.length);
    }
    if (last) await out.sync();
  } catch (e) {
    await out.close();
    rmSync(partial, { force: true });
    throw e;
  }
  await out.close();
  if (!last) return { received: offset + received, pending: null };
  try {
    const manifest = await verifyUpdate(partial, key);
    renameSync(partial, path.join(folder, PENDING_UPDATE));
    return { received: offset + received, pending: manifest };
  } finally {
    rmSync(partial, { force: true });
  }
}
