// A backup sealed with a passphrase: AES-256-GCM (node:crypto) over 1 MiB chunks, as the STREAM
// construction does it (Hoang, Reyhanitabar, Rogaway, Vizár, "Online Authenticated-Encryption and
// its Nonce-Reuse Misuse-Resistance", 2015): each chunk's nonce is a random prefix, the chunk's
// number and a flag for the last chunk, so chunks cannot be reordered, dropped or the file cut
// short without the check failing, and a restore verifies as it reads, in constant memory.
//
// The key comes from the passphrase by argon2id (RFC 9106), with RFC 9106 4's second
// recommended setting (64 MiB, 3 passes, 4 lanes): a guess costs an attacker who holds the file
// that much memory and time, while a backup or a restore pays it once (about a second on a
// Raspberry Pi). The parameters and the salt are in the file's header, which every chunk
// authenticates.
//
// Layout: the line "homepost-backup-sealed 1\n", a line of JSON (Params), then the chunks, each
// its ciphertext and 16-byte tag; every chunk but the last holds CHUNK bytes, the last fewer
// (possibly none).
import { argon2, createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

export const SEALED_MAGIC = 'homepost-backup-sealed 1\n';
const CHUNK = 1024 * 1024;
const TAG = 16;
const MAX_HEADER = 1024;

interface Params {
  kdf: 'argon2id';
  memoryKiB: number;
  passes: number;
  lanes: number;
  salt: string; // base64, 16 bytes
  nonce: string; // base64, the 7-byte prefix of every chunk's nonce
  chunk: number;
}

export class SealedError extends Error {
  readonly reason: 'passphrase' | 'damaged' | 'format';
  constructor(reason: SealedError['reason'], message: string) {
    super(message);
    this.reason = reason;
  }
}

function deriveKey(passphrase: string, p: Params): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    argon2(
      'argon2id',
      { message: passphrase, nonce: Buffer.from(p.salt, 'base64'), memory: p.memoryKiB, passes: p.passes, parallelism: p.lanes, tagLength: 32 },
      (err, key) => (err ? reject(err) : resolve(key)),
    ),
  );
}

function nonceOf(prefix: Buffer, counter: number, last: boolean): Buffer {
  const n = Buffer.alloc(12);
  prefix.copy(n, 0);
  n.writeUInt32BE(counter, 7);
  n[11] = last ? 1 : 0;
  return n;
}

// Rechunks a stream into pieces of exactly `size` bytes (the last may be shorter); the last piece
// is marked, so that a stream ending on a chunk boundary still ends with a (possibly empty) last
// chunk.
async function* pieces(source: AsyncIterable<Buffer>, size: number): AsyncGenerator<{ bytes: Buffer; last: boolean }> {
  let pending: Buffer[] = [];
  let filled = 0;
  let full: Buffer | null = null; // a complete piece held back until we know whether more follows
  for await (const chunk of source) {
    let at = 0;
    while (at < chunk.length) {
      if (full) {
        yield { bytes: full, last: false };
        full = null;
      }
      const n = Math.min(size - filled, chunk.length - at);
      pending.push(chunk.subarray(at, at + n));
      filled += n;
      at += n;
      if (filled === size) {
        full = Buffer.concat(pending);
        pending = [];
        filled = 0;
      }
    }
  }
  if (full) yield { bytes: full, last: false };
  yield { bytes: Buffer.concat(pending), last: true };
}

export async function* seal(source: AsyncIterable<Buffer>, passphrase: string): AsyncGenerator<Buffer> {
  const params: Params = {
    kdf: 'argon2id',
    memoryKiB: 64 * 1024,
    passes: 3,
    lanes: 4,
    salt: randomBytes(16).toString('base64'),
    nonce: randomBytes(7).toString('base64'),
    chunk: CHUNK,
  };
  const header = Buffer.from(`${SEALED_MAGIC}${JSON.stringify(params)}\n`);
  const key = await deriveKey(passphrase, params);
  const prefix = Buffer.from(params.nonce, 'base64');
  yield header;
  let counter = 0;
  for await (const { bytes, last } of pieces(source, CHUNK)) {
    const cipher = createCipheriv('aes-256-gcm', key, nonceOf(prefix, counter++, last));
    cipher.setAAD(header);
    yield Buffer.concat([cipher.update(bytes), cipher.final(), cipher.getAuthTag()]);
  }
}

// Splits the header off the first bytes of a sealed file; null when they are not one.
function readHeader(head: Buffer): { header: Buffer; params: Params } | null {
  if (!head.subarray(0, SEALED_MAGIC.length).equals(Buffer.from(SEALED_MAGIC))) return null;
  const end = head.indexOf(0x0a, SEALED_MAGIC.length);
  if (end < 0) throw new SealedError('format', 'the sealed header is cut short');
  let params: Params;
  try {
    params = JSON.parse(head.toString('utf8', SEALED_MAGIC.length, end)) as Params;
  } catch {
    throw new SealedError('format', 'the sealed header is not valid');
  }
  const ok =
    params.kdf === 'argon2id' &&
    params.chunk === CHUNK &&
    Number.isInteger(params.memoryKiB) &&
    params.memoryKiB >= 8 * 1024 &&
    params.memoryKiB <= 1024 * 1024 &&
    Number.isInteger(params.passes) &&
    params.passes >= 1 &&
    params.passes <= 10 &&
    Number.isInteger(params.lanes) &&
    params.lanes >= 1 &&
    params.lanes <= 16 &&
    Buffer.from(params.salt ?? '', 'base64').length === 16 &&
    Buffer.from(params.nonce ?? '', 'base64').length === 7;
  if (!ok) throw new SealedError('format', 'the sealed header has parameters homepost does not use');
  return { header: head.subarray(0, end + 1), params };
}

export const isSealed = (head: Buffer) => head.subarray(0, SEALED_MAGIC.length).equals(Buffer.from(SEALED_MAGIC));

// The plaintext of a sealed stream, each chunk given out only once its tag has verified. A wrong
// passphrase fails on the first chunk (reason 'passphrase'); a changed, reordered, dropped or cut
// chunk on that chunk ('damaged').
export async function* unseal(source: AsyncIterable<Buffer>, passphrase: string): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let length = 0;
  let key: Buffer | null = null;
  let header: Buffer | null = null;
  let prefix: Buffer | null = null;
  let counter = 0;
  const open = (bytes: Buffer, last: boolean): Buffer => {
    const decipher = createDecipheriv('aes-256-gcm', key!, nonceOf(prefix!, counter, last));
    decipher.setAAD(header!);
    decipher.setAuthTag(bytes.subarray(bytes.length - TAG));
    try {
      const out = Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - TAG)), decipher.final()]);
      counter++;
      return out;
    } catch {
      if (counter === 0) throw new SealedError('passphrase', 'the passphrase is wrong, or the backup is damaged at its start');
      throw new SealedError('damaged', `the backup is damaged (chunk ${counter} does not verify)`);
    }
  };
  // The bytes received and not yet opened, as one buffer (joined only when a record is complete).
  const joined = (): Buffer => {
    if (parts.length > 1) parts = [Buffer.concat(parts)];
    return parts[0] ?? Buffer.alloc(0);
  };
  for await (const chunk of source) {
    parts.push(chunk);
    length += chunk.length;
    if (!header) {
      const head = joined();
      if (head.length < SEALED_MAGIC.length || (head.indexOf(0x0a, SEALED_MAGIC.length) < 0 && head.length < MAX_HEADER)) continue;
      const h = readHeader(head);
      if (!h) throw new SealedError('format', 'not a sealed homepost backup');
      header = Buffer.from(h.header);
      prefix = Buffer.from(h.params.nonce, 'base64');
      key = await deriveKey(passphrase, h.params);
      parts = [head.subarray(header.length)];
      length -= header.length;
    }
    // A full-size record is never the last: it is opened once more bytes show it is not at the end.
    if (length > CHUNK + TAG) {
      let rest = joined();
      while (rest.length > CHUNK + TAG) {
        yield open(rest.subarray(0, CHUNK + TAG), false);
        rest = rest.subarray(CHUNK + TAG);
      }
      parts = [rest];
      length = rest.length;
    }
  }
  if (!header) throw new SealedError('format', 'not a sealed homepost backup');
  const rest = joined();
  if (rest.length === CHUNK + TAG) {
    yield open(rest, false);
    throw new SealedError('damaged', 'the backup is cut short');
  }
  if (rest.length < TAG) throw new SealedError('damaged', 'the backup is cut short');
  yield open(rest, true);
}
