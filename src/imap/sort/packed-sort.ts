// Sorting items by one integer key each with no comparator call: each key and the item's position
// are packed into one double, (key - smallest) * 2^21 + position, exact below 2^53, and the doubles
// sorted by the typed array's native numeric sort. Keys in ascending order, equal keys by position,
// as the comparators of sliced-sort.ts's callers order them; several times faster than a merge
// sort calling a comparator, and no object per item. Native sorts take runs of RUN items, merged
// pairwise with a tick between merges, so a large mailbox never holds the event loop for long.
const POSITION_BITS = 21;
const POSITIONS = 2 ** POSITION_BITS;
// Keys must lie within this range of the smallest: with sent dates in seconds, 136 years.
const KEY_RANGE = 2 ** (53 - POSITION_BITS);
const RUN = 16_384;

// Positions 0..n-1 of `keys` in sorted order; null when the keys are not integers within
// KEY_RANGE of each other, or there are 2^21 or more, for the caller's general sort to take.
// Each loop is a function of its own (docs/architecture.md, "Code conventions": loops over a
// mailbox).
export async function sortByIntegerKeys(keys: ArrayLike<number>, tick: () => Promise<void>): Promise<Uint32Array | null> {
  const n = keys.length;
  if (n >= POSITIONS) return null;
  const min = smallestInRange(keys);
  if (min === null) return null;
  let src = packed(keys, min);
  for (let lo = 0; lo < n; lo += RUN) {
    src.subarray(lo, Math.min(lo + RUN, n)).sort();
    await tick();
  }
  let dst = new Float64Array(n);
  for (let width = RUN; width < n; width *= 2) {
    for (let lo = 0; lo < n; lo += 2 * width) {
      merge(src, dst, lo, Math.min(lo + width, n), Math.min(lo + 2 * width, n));
      await tick();
    }
    [src, dst] = [dst, src];
  }
  return positions(src);
}

// The smallest key, or null when some key is not an integer or they span KEY_RANGE or more.
function smallestInRange(keys: ArrayLike<number>): number | null {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i]!;
    if (!Number.isInteger(k)) return null;
    if (k < min) min = k;
    if (k > max) max = k;
  }
  return max - min < KEY_RANGE ? min : null;
}

function packed(keys: ArrayLike<number>, min: number): Float64Array<ArrayBuffer> {
  const out = new Float64Array(keys.length);
  for (let i = 0; i < keys.length; i++) out[i] = (keys[i]! - min) * POSITIONS + i;
  return out;
}

// src[lo..mid) and src[mid..hi), each sorted, into dst[lo..hi).
function merge(src: Float64Array, dst: Float64Array, lo: number, mid: number, hi: number): void {
  let i = lo;
  let j = mid;
  let k = lo;
  while (i < mid && j < hi) dst[k++] = src[i]! < src[j]! ? src[i++]! : src[j++]!;
  while (i < mid) dst[k++] = src[i++]!;
  while (j < hi) dst[k++] = src[j++]!;
}

function positions(sorted: Float64Array): Uint32Array {
  const order = new Uint32Array(sorted.length);
  for (let i = 0; i < sorted.length; i++) order[i] = sorted[i]! % POSITIONS;
  return order;
}

// RFC 5256 3 compares dates (sent date, INTERNALDATE) as the protocol carries them: to the second
// (RFC 5322 3.3, RFC 9051 date-time). The store keeps milliseconds.
export const seconds = (ms: number): number => Math.floor(ms / 1000);
