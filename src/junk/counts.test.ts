// The count table against a Map doing the same operations: growth, removal when both counts
// reach 0 (backward shift across wrapped probe runs), counts never below 0.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prng } from '../../test/support/prng.ts';
import { TokenCounts } from './counts.ts';

function contents(counts: TokenCounts): Map<number, [number, number]> {
  const out = new Map<number, [number, number]>();
  counts.forEach((hash, spam, ham) => {
    out.set(hash, [spam, ham]);
  });
  return out;
}

test('random adds and removals match a Map, with many hashes sharing home slots', () => {
  const rand = prng(42);
  const counts = new TokenCounts();
  const model = new Map<number, [number, number]>();
  for (let step = 0; step < 50000; step++) {
    // Hashes from a small set whose low bits collide a lot (multiples of 4096, near the end of
    // the table so runs wrap around): every probe and shift path is taken.
    const hash = (1 + Math.floor(rand() * 3000)) * 4096 - Math.floor(rand() * 3);
    const spam = Math.floor(rand() * 3) - 1;
    const ham = Math.floor(rand() * 3) - 1;
    counts.add(hash, spam, ham);
    const [s, h] = model.get(hash) ?? [0, 0];
    const next: [number, number] = [Math.max(0, s + spam), Math.max(0, h + ham)];
    if (next[0] === 0 && next[1] === 0) model.delete(hash);
    else model.set(hash, next);
  }
  assert.ok(model.size > 1000);
  assert.equal(counts.size, model.size);
  assert.deepEqual(contents(counts), model);
  for (const [hash, value] of model) assert.deepEqual(counts.get(hash), value);
  assert.deepEqual(counts.get(7), [0, 0]);
});

test('the table grows past its load bound and a token at 0 and 0 leaves it', () => {
  const counts = new TokenCounts();
  const empty = counts.byteLength;
  for (let i = 1; i <= 5000; i++) counts.add(i, 1, 0);
  assert.equal(counts.size, 5000);
  assert.ok(counts.byteLength >= (5000 / 0.75) * 12 && counts.byteLength > empty);
  for (let i = 1; i <= 5000; i++) counts.add(i, -1, 0);
  assert.equal(counts.size, 0);
  counts.add(9, 0, -1);
  assert.equal(counts.size, 0);
});
