// A stable merge sort that yields between runs (tick), so that sorting a large mailbox's
// messages never holds the event loop for long: runs of RUN items are sorted at once, then merged
// pairwise, a tick between merges and every RUN items within one. Merges gallop as TimSort does:
// once one run has won GALLOP times in a row, how many more of it come first is found by binary
// search and copied as a block. Mail sorted by date is mostly in arrival order already, so its
// merges compare a few items per block instead of every item.
const RUN = 2048;
const GALLOP = 7;

// The first position in [lo, hi) of a sorted run whose item does not come before `x`: is after it
// (`after`), or is not before it. Searched from lo in doubling steps, then by halves.
function gallop<T>(src: readonly T[], lo: number, hi: number, x: T, cmp: (a: T, b: T) => number, after: boolean): number {
  const before = (at: number) => {
    const c = cmp(src[at]!, x);
    return after ? c <= 0 : c < 0;
  };
  let step = 1;
  let top = lo;
  while (top < hi && before(top)) {
    lo = top + 1;
    top = lo + step;
    step *= 2;
  }
  top = Math.min(top, hi);
  while (lo < top) {
    const mid = (lo + top) >> 1;
    if (before(mid)) lo = mid + 1;
    else top = mid;
  }
  return lo;
}

export async function slicedSort<T>(items: readonly T[], cmp: (a: T, b: T) => number, tick: () => Promise<void>): Promise<T[]> {
  let src: T[] = [];
  for (let i = 0; i < items.length; i += RUN) {
    // Array.prototype.sort is stable (ECMAScript 2019).
    src.push(...items.slice(i, i + RUN).sort(cmp));
    await tick();
  }
  for (let width = RUN; width < src.length; width *= 2) {
    const dst: T[] = new Array(src.length);
    for (let lo = 0; lo < src.length; lo += 2 * width) {
      const mid = Math.min(lo + width, src.length);
      const hi = Math.min(lo + 2 * width, src.length);
      let i = lo;
      let j = mid;
      let k = lo;
      let streak = 0; // wins in a row: of the left run above 0, of the right one below
      for (let yieldAt = lo + RUN; i < mid && j < hi; ) {
        // Equal items: the left run's first (stable).
        if (cmp(src[i]!, src[j]!) <= 0) {
          dst[k++] = src[i++]!;
          streak = streak > 0 ? streak + 1 : 1;
        } else {
          dst[k++] = src[j++]!;
          streak = streak < 0 ? streak - 1 : -1;
        }
        if (streak >= GALLOP && j < hi) {
          for (const end = gallop(src, i, mid, src[j]!, cmp, true); i < end; ) dst[k++] = src[i++]!;
          streak = 0;
        } else if (streak <= -GALLOP && i < mid) {
          for (const end = gallop(src, j, hi, src[i]!, cmp, false); j < end; ) dst[k++] = src[j++]!;
          streak = 0;
        }
        if (k >= yieldAt) {
          await tick();
          yieldAt = k + RUN;
        }
      }
      while (i < mid) dst[k++] = src[i++]!;
      while (j < hi) dst[k++] = src[j++]!;
      await tick();
    }
    src = dst;
  }
  return src;
}
