// UID ranges (inclusive, ascending, apart) for VANISHED (RFC 7162 3.2.10): the store's answer to a
// QRESYNC from before its expunge history names every missing UID (RFC 7162 3.2.5.2), possibly
// millions, so UIDs travel as ranges from the store to the wire.
import type { SeqRange } from './parser.ts';

export type UidRange = [first: number, last: number];

// The part of `ranges` inside a client's set ("*" counts as every UID from its other end up),
// in one sweep over both once the set is sorted and merged.
export function clipRanges(ranges: readonly UidRange[], set: readonly SeqRange[]): UidRange[] {
  const wanted: UidRange[] = [];
  const sorted = set.map(([a, b]): UidRange => [Math.min(a ?? Infinity, b ?? Infinity), Math.max(a ?? Infinity, b ?? Infinity)]).sort((p, q) => p[0] - q[0]);
  for (const [lo, hi] of sorted) {
    const last = wanted.at(-1);
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else wanted.push([lo, hi]);
  }
  const out: UidRange[] = [];
  let j = 0;
  for (const [lo, hi] of ranges) {
    while (j < wanted.length && wanted[j]![1] < lo) j++;
    for (let k = j; k < wanted.length && wanted[k]![0] <= hi; k++) {
      const from = Math.max(lo, wanted[k]![0]);
      const to = Math.min(hi, wanted[k]![1]);
      const last = out.at(-1);
      if (last && from <= last[1] + 1) last[1] = Math.max(last[1], to);
      else out.push([from, to]);
    }
  }
  return out;
}

// RFC 9051 9 sequence-set: "1:3,7".
export function encodeRanges(ranges: readonly UidRange[]): string {
  return ranges.map(([a, b]) => (a === b ? String(a) : `${a}:${b}`)).join(',');
}
