// The sliced merge sort against Array.prototype.sort: same order, stable, and it yields.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../../test/support/prng.ts';
import { slicedSort } from './sliced-sort.ts';

test('sorts like a stable sort over several runs, yielding between them', async () => {
  const random = prng(7);
  for (const n of [0, 1, 2047, 2048, 2049, 10_000]) {
    const items = Array.from({ length: n }, (_, i) => ({ key: Math.floor(random() * 50), i }));
    let ticks = 0;
    const sorted = await slicedSort(
      items,
      (a, b) => a.key - b.key,
      async () => void ticks++,
    );
    assert.deepEqual(
      sorted,
      [...items].sort((a, b) => a.key - b.key || a.i - b.i),
      `n=${n}`,
    );
    if (n > 2048) assert.ok(ticks >= Math.ceil(n / 2048), `n=${n}: ${ticks} ticks`);
  }
});

// Dates of mail in arrival order: mostly ascending, some displaced far, many equal. The merges copy
// what is in place and compare only the rest.
test('sorts nearly sorted input with ties like a stable sort, comparing less than a full merge', async () => {
  const random = prng(11);
  for (const n of [4097, 10_000, 50_000]) {
    const items = Array.from({ length: n }, (_, i) => ({ key: random() < 0.01 ? Math.floor(random() * n) : Math.floor(i / 3), i }));
    let compares = 0;
    const sorted = await slicedSort(
      items,
      (a, b) => {
        compares++;
        return a.key - b.key;
      },
      async () => {},
    );
    assert.deepEqual(
      sorted,
      [...items].sort((a, b) => a.key - b.key || a.i - b.i),
      `n=${n}`,
    );
    // What sorting the runs of 2,048 itself compares; each full merge level would compare about n more.
    let inRuns = 0;
    for (let i = 0; i < n; i += 2048)
      items.slice(i, i + 2048).sort((a, b) => {
        inRuns++;
        return a.key - b.key;
      });
    assert.ok(compares - inRuns < n / 2, `n=${n}: ${compares - inRuns} compares merging`);
  }
});
