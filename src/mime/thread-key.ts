// What THREAD (RFC 5256 3) compares of a message's Message-ID, references and base subject, as
// numbers: a 53-bit hash of the string (over its UTF-16 units, FNV-1a beside 21 bits of a second
// hash with another multiplier and a shift in each step), exact as a double and a Map key. The
// header cache stores these, so THREAD reads no string and links on numbers. Two different strings
// share a key with odds of about n^2 / 2^54 among n: 1 in 1.8 million for 100,000 Message-IDs in
// one mailbox, in which case two threads would be joined.
const FNV_PRIME = 0x01000193;
const FNV_BASIS = 0x811c9dc5;
const MIX = 0x5bd1e995; // MurmurHash2's multiplier
const MIX_SEED = 0x050c5d1f;
const HIGH = 2 ** 21;

export function threadKey(s: string): number {
  let lo = FNV_BASIS;
  let hi = MIX_SEED ^ s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    lo = Math.imul(lo ^ c, FNV_PRIME);
    hi = Math.imul(hi ^ c, MIX);
    hi ^= hi >>> 15;
  }
  return ((hi >>> 0) % HIGH) * 2 ** 32 + (lo >>> 0);
}

// The key of the empty base subject, which THREAD=REFERENCES does not gather by (RFC 5256 3, 5.B).
export const EMPTY_SUBJECT = threadKey('');

// THREAD's keys of some messages, as columns: message i's base subject and Message-ID (NaN without
// one), and its references, refs[start[i]] to refs[start[i + 1]] (exclusive).
export class ThreadKeys {
  readonly n: number;
  readonly subject: Float64Array;
  readonly id: Float64Array;
  readonly start: Uint32Array;
  readonly refs: Float64Array;

  constructor(subject: Float64Array, id: Float64Array, start: Uint32Array, refs: Float64Array) {
    this.n = subject.length;
    this.subject = subject;
    this.id = id;
    this.start = start;
    this.refs = refs;
  }

  static of(rows: readonly { baseSubject: string; messageId: string | null; references: readonly string[] }[]): ThreadKeys {
    const n = rows.length;
    const start = new Uint32Array(n + 1);
    for (let i = 0; i < n; i++) start[i + 1] = start[i]! + rows[i]!.references.length;
    const keys = new ThreadKeys(new Float64Array(n), new Float64Array(n), start, new Float64Array(start[n]!));
    rows.forEach((r, i) => {
      keys.subject[i] = threadKey(r.baseSubject);
      keys.id[i] = r.messageId === null ? Number.NaN : threadKey(r.messageId);
      r.references.forEach((ref, j) => {
        keys.refs[start[i]! + j] = threadKey(ref);
      });
    });
    return keys;
  }

  // As bytes: n and the reference count (u32 each), then the subject, id and reference keys
  // (f64) and the starts (u32), little-endian.
  encode(): Buffer {
    const n = this.n;
    const total = this.refs.length;
    const out = Buffer.alloc(8 + 8 * (2 * n + total) + 4 * (n + 1));
    out.writeUInt32LE(n, 0);
    out.writeUInt32LE(total, 4);
    let at = 8;
    for (const column of [this.subject, this.id, this.refs]) for (const x of column) at = out.writeDoubleLE(x, at);
    for (const x of this.start) at = out.writeUInt32LE(x, at);
    return out;
  }

  static decode(buf: Buffer): ThreadKeys {
    // One copy into memory of its own, where the columns are aligned for typed-array views (in the
    // machine's byte order: little-endian, as on both targets, x64 and arm64).
    const bytes = new Uint8Array(buf.length);
    bytes.set(buf);
    const view = new DataView(bytes.buffer);
    const n = view.getUint32(0, true);
    const total = view.getUint32(4, true);
    const doubles = (count: number, from: number) => new Float64Array(bytes.buffer, from, count);
    return new ThreadKeys(doubles(n, 8), doubles(n, 8 + 8 * n), new Uint32Array(bytes.buffer, 8 + 8 * (2 * n + total), n + 1), doubles(total, 8 + 16 * n));
  }
}

// Keys of `n` rows taken from these: row i is row from(i), or with none (-1) a row without
// Message-ID, references or base subject.
export function selectKeys(keys: ThreadKeys, n: number, from: (i: number) => number): ThreadKeys {
  const start = new Uint32Array(n + 1);
  for (let i = 0; i < n; i++) {
    const j = from(i);
    start[i + 1] = start[i]! + (j < 0 ? 0 : keys.start[j + 1]! - keys.start[j]!);
  }
  const out = new ThreadKeys(new Float64Array(n), new Float64Array(n), start, new Float64Array(start[n]!));
  for (let i = 0; i < n; i++) {
    const j = from(i);
    out.subject[i] = j < 0 ? EMPTY_SUBJECT : keys.subject[j]!;
    out.id[i] = j < 0 ? Number.NaN : keys.id[j]!;
    if (j >= 0) out.refs.set(keys.refs.subarray(keys.start[j]!, keys.start[j + 1]!), start[i]!);
  }
  return out;
}
