// A stable merge sort that yields between runs (tick), so that sorting a large mailbox's
// messages never holds the event loop for long: runs of RUN items are sorted at once, then merged
// pairwise, a tick between merges and every RUN items within one.
const RUN = 2048;

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
      for (let k = lo; k < hi; k++) {
        dst[k] = j >= hi || (i < mid && cmp(src[i]!, src[j]!) <= 0) ? src[i++]! : src[j++]!;
        if ((k - lo) % RUN === RUN - 1) await tick();
      }
      await tick();
    }
    src = dst;
  }
  return src;
}
