// The backup's container: a POSIX ustar archive (POSIX.1-2001 "pax" interchange format, ustar
// header only), so that `tar -tvf` lists a backup and `tar -xf` unpacks one without homepost.
// Regular files only, names under 100 bytes. Sizes of 8 GiB and more use GNU tar's base-256
// size field (the first byte's high bit set, then the size big-endian), which GNU tar and
// bsdtar read.

export const BLOCK = 512;
const OCTAL_SIZE_LIMIT = 8 ** 11;

function field(h: Buffer, at: number, len: number, text: string): void {
  h.write(text, at, len, 'ascii');
}

// Octal, zero-padded to len - 1 digits and NUL-terminated.
const octal = (n: number, len: number) => `${n.toString(8).padStart(len - 1, '0')}\0`;

export function tarHeader(name: string, size: number, mode: number, mtimeMs: number): Buffer {
  if (Buffer.byteLength(name) >= 100 || !/^[\x21-\x7e]+$/.test(name)) throw new Error(`tar: unsupported name ${name}`);
  const h = Buffer.alloc(BLOCK);
  field(h, 0, 100, name);
  field(h, 100, 8, octal(mode & 0o7777, 8));
  field(h, 108, 8, octal(0, 8));
  field(h, 116, 8, octal(0, 8));
  if (size < OCTAL_SIZE_LIMIT) field(h, 124, 12, octal(size, 12));
  else {
    h[124] = 0x80;
    h.writeBigUInt64BE(BigInt(size), 128);
  }
  field(h, 136, 12, octal(Math.floor(mtimeMs / 1000), 12));
  h[156] = 0x30; // '0': a regular file
  field(h, 257, 8, 'ustar\x0000');
  field(h, 265, 32, 'homepost');
  field(h, 297, 32, 'homepost');
  // The checksum is taken with its own field as eight spaces.
  field(h, 148, 8, '        ');
  let sum = 0;
  for (const b of h) sum += b;
  field(h, 148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return h;
}

// Zeros from the end of `size` bytes of data to the next block.
export const tarPadding = (size: number) => Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);

// Two zero blocks end an archive.
export const TAR_END = Buffer.alloc(2 * BLOCK);

export class TarError extends Error {}

export interface TarEntryHandlers {
  entry(name: string, size: number): void;
  data(chunk: Buffer): void;
  // The entry's last byte has been given to data().
  done(): void;
}

function parseHeader(h: Buffer): { name: string; size: number } {
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i]!;
  const stored = Number.parseInt(
    h
      .toString('ascii', 148, 156)
      .replace(/[\0 ]+$/, '')
      .trim(),
    8,
  );
  if (stored !== sum) throw new TarError('a header checksum does not match');
  if (h.toString('ascii', 257, 262) !== 'ustar') throw new TarError('not a ustar header');
  const type = h[156];
  if (type !== 0x30 && type !== 0) throw new TarError(`an entry is not a regular file (type ${String.fromCharCode(type!)})`);
  const name = h.toString('utf8', 0, 100).replace(/\0.*$/s, '');
  const prefix = h.toString('utf8', 345, 500).replace(/\0.*$/s, '');
  const size = h[124]! & 0x80 ? Number(h.readBigUInt64BE(128)) : Number.parseInt(h.toString('ascii', 124, 136).replace(/\0.*$/s, '').trim() || '0', 8);
  if (!Number.isSafeInteger(size) || size < 0) throw new TarError('an entry has an invalid size');
  return { name: prefix ? `${prefix}/${name}` : name, size };
}

// Reads an archive pushed in pieces of any size, in one pass and constant memory: entries and
// their bytes go to the handlers as they come.
export class TarReader {
  private handlers: TarEntryHandlers;
  private header = Buffer.alloc(BLOCK);
  private headerFill = 0;
  private remaining = 0; // data bytes of the current entry still to come
  private padding = 0; // then zeros up to the block
  private inEntry = false;
  private zeroBlocks = 0;
  ended = false;

  constructor(handlers: TarEntryHandlers) {
    this.handlers = handlers;
  }

  push(chunk: Buffer): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.ended) {
        // Anything after the end is zeros (tar pads to its record size) or not ours.
        for (; at < chunk.length; at++) if (chunk[at] !== 0) throw new TarError('data after the end of the archive');
        return;
      }
      if (this.inEntry && this.remaining > 0) {
        const n = Math.min(this.remaining, chunk.length - at);
        this.handlers.data(chunk.subarray(at, at + n));
        this.remaining -= n;
        at += n;
        if (this.remaining === 0) this.handlers.done();
        continue;
      }
      if (this.inEntry && this.padding > 0) {
        const n = Math.min(this.padding, chunk.length - at);
        this.padding -= n;
        at += n;
        if (this.padding === 0) this.inEntry = false;
        continue;
      }
      this.inEntry = false;
      const n = Math.min(BLOCK - this.headerFill, chunk.length - at);
      chunk.copy(this.header, this.headerFill, at, at + n);
      this.headerFill += n;
      at += n;
      if (this.headerFill < BLOCK) continue;
      this.headerFill = 0;
      if (this.header.every((b) => b === 0)) {
        if (++this.zeroBlocks === 2) this.ended = true;
        continue;
      }
      if (this.zeroBlocks) throw new TarError('a lone zero block inside the archive');
      const { name, size } = parseHeader(this.header);
      this.handlers.entry(name, size);
      this.inEntry = true;
      this.remaining = size;
      this.padding = (BLOCK - (size % BLOCK)) % BLOCK;
      if (size === 0) this.handlers.done();
      if (size === 0 && this.padding === 0) this.inEntry = false;
    }
  }

  // At the end of the input: the archive must have ended.
  finish(): void {
    if (!this.ended) throw new TarError('the archive is cut short');
  }
}
