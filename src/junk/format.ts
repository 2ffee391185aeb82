// A classifier as bytes, for the store to keep per account. Version 1, little-endian:
//   0   4  "HPJK"
//   4   1  version (1)
//   5   4  spam messages trained (u32)
//   9   4  ham messages trained (u32)
//   13  4  maxTokens (u32)
//   17  4  tokens (u32)
//   21  .. per token, in ascending hash order: the hash's distance from the previous one (the
//          first: the hash itself), its spam count and its ham count, each an unsigned LEB128
//          varint (1 to 5 bytes)
// Sorted hashes are about 2^32 / tokens apart, so a token takes about 5 bytes: 300,000 tokens
// save in 1.5 MB. Loading checks every field and throws on anything else (a newer version,
// hashes out of order, trailing bytes).
import { JunkClassifier } from './classifier.ts';
import { TokenCounts } from './counts.ts';

const MAGIC = 'HPJK';
export const FORMAT_VERSION = 1;
const HEADER = 21;

function writeVarint(out: Buffer, pos: number, value: number): number {
  let v = value >>> 0;
  while (v >= 0x80) {
    out[pos++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  out[pos++] = v;
  return pos;
}

export function serializeClassifier(classifier: JunkClassifier): Buffer {
  const entries: [number, number, number][] = [];
  classifier.counts.forEach((hash, spam, ham) => {
    entries.push([hash, spam, ham]);
  });
  entries.sort((a, b) => a[0] - b[0]);
  const out = Buffer.alloc(HEADER + entries.length * 15);
  out.write(MAGIC, 0, 'latin1');
  out[4] = FORMAT_VERSION;
  out.writeUInt32LE(classifier.spamMessages, 5);
  out.writeUInt32LE(classifier.hamMessages, 9);
  out.writeUInt32LE(classifier.maxTokens, 13);
  out.writeUInt32LE(entries.length, 17);
  let pos = HEADER;
  let previous = 0;
  for (const [hash, spam, ham] of entries) {
    pos = writeVarint(out, pos, hash - previous);
    pos = writeVarint(out, pos, spam);
    pos = writeVarint(out, pos, ham);
    previous = hash;
  }
  return out.subarray(0, pos);
}

class Reader {
  pos = HEADER;
  private readonly bytes: Buffer;

  constructor(bytes: Buffer) {
    this.bytes = bytes;
  }

  varint(): number {
    let value = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.pos >= this.bytes.length) throw new Error('junk counts: cut short');
      const b = this.bytes[this.pos++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (value > 0xffffffff) break;
        return value;
      }
    }
    throw new Error('junk counts: bad varint');
  }
}

export function deserializeClassifier(bytes: Buffer): JunkClassifier {
  if (bytes.length < HEADER || bytes.toString('latin1', 0, 4) !== MAGIC) throw new Error('junk counts: not a classifier');
  if (bytes[4] !== FORMAT_VERSION) throw new Error(`junk counts: version ${bytes[4]} is not ${FORMAT_VERSION}`);
  const maxTokens = bytes.readUInt32LE(13);
  const tokens = bytes.readUInt32LE(17);
  // Each token takes at least 3 bytes: a count that cannot fit is refused before any allocation.
  if (tokens * 3 > bytes.length - HEADER || tokens > maxTokens) throw new Error('junk counts: token count out of bounds');
  const counts = new TokenCounts(tokens);
  const reader = new Reader(bytes);
  let hash = 0;
  for (let i = 0; i < tokens; i++) {
    const step = reader.varint();
    hash += step;
    if ((step === 0 && i > 0) || hash === 0 || hash > 0xffffffff) throw new Error('junk counts: hashes out of order');
    const spam = reader.varint();
    const ham = reader.varint();
    if (spam + ham === 0) throw new Error('junk counts: a token with no count');
    counts.add(hash, spam, ham);
  }
  if (reader.pos !== bytes.length) throw new Error('junk counts: trailing bytes');
  const classifier = new JunkClassifier(maxTokens, counts);
  classifier.spamMessages = bytes.readUInt32LE(5);
  classifier.hamMessages = bytes.readUInt32LE(9);
  return classifier;
}
