// The typed-array key table against a Map: random keys, keys sharing their low 32 bits (the same
// first slot), updates, misses, and growth from a small start.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { prng } from '../../../test/support/prng.ts';
import { KeyTable } from './key-table.ts';

test('answers as a Map does, through collisions and growth', () => {
  const random = prng(3);
  const table = new KeyTable(4);
  const map = new Map<number, number>();
  for (let i = 0; i < 20_000; i++) {
    // Half the keys share their low bits with another: only the high 21 bits differ.
    const low = Math.floor(random() * 2 ** 32);
    const key = (i % 2 ? Math.floor(random() * 2 ** 21) : i % 7) * 2 ** 32 + (i % 4 < 2 ? low : 12345);
    table.set(key, i);
    map.set(key, i);
  }
  for (const [key, value] of map) assert.equal(table.get(key), value);
  for (let i = 0; i < 1000; i++) {
    const key = Math.floor(random() * 2 ** 53);
    assert.equal(table.get(key), map.get(key) ?? -1);
  }
  assert.equal(table.get(0), map.get(0) ?? -1);
});
