// The comparator-free sort against a stable sort of the same keys: same order over several runs
// and merges, ties by position, and null (the caller's general sort) for keys it cannot pack.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../../test/support/prng.ts';
import { seconds, sortByIntegerKeys } from './packed-sort.ts';

const stable = (keys: readonly number[]) => keys.map((_, i) => i).sort((a, b) => keys[a]! - keys[b]! || a - b);

test('orders positions by key, equal keys by position, across runs and merges, yielding', async () => {
  const random = prng(5);
  for (const [n, spread] of [
    [0, 1],
    [1, 1],
    [16_383, 40],
    [16_384, 1e9],
    [16_385, 7],
    [70_000, 2 ** 31],
  ] as const) {
    // Negative keys too (REVERSE), and many equal ones.
    const keys = Array.from({ length: n }, () => Math.floor((random() - 0.5) * spread));
    let ticks = 0;
    const order = await sortByIntegerKeys(keys, async () => void ticks++);
    assert.deepEqual(Array.from(order!), stable(keys), `n=${n}`);
    if (n > 16_384) assert.ok(ticks >= Math.ceil(n / 16_384), `n=${n}: ${ticks} ticks`);
  }
});

test('keys it cannot pack are left to the general sort', async () => {
  const tick = async () => {};
  assert.equal(await sortByIntegerKeys([1, 2.5], tick), null);
  assert.equal(await sortByIntegerKeys([0, 2 ** 32], tick), null);
  assert.equal(await sortByIntegerKeys([Number.NaN], tick), null);
  // The widest range that packs: 2^32 - 1 apart, both ways up.
  assert.deepEqual(Array.from((await sortByIntegerKeys([2 ** 32 - 1, 0, 7], tick))!), [1, 2, 0]);
  assert.deepEqual(Array.from((await sortByIntegerKeys([-(2 ** 32) + 1, 0], tick))!), [0, 1]);
});

test('dates are compared to the second', () => {
  assert.equal(seconds(1_700_000_000_999), 1_700_000_000);
  assert.equal(seconds(-1), -1);
});
