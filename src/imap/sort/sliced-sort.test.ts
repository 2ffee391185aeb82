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
