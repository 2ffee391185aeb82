import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openTempStore } from '../../test/support/temp-store.ts';
import { CONFIRMED_MS, MAX_GREYLIST, UNCONFIRMED_MS } from './greylist.ts';

test('greylist: new, early until the delay, then pass; entries expire, unconfirmed after 36 h and confirmed 35 days after their last pass', async () => {
  const { store, close } = await openTempStore();
  try {
    const g = store.greylist;
    assert.equal(await g.attempt('a', 60_000, 0), 'new');
    assert.equal(await g.attempt('a', 60_000, 59_999), 'early');
    assert.equal(await g.attempt('b', 60_000, 59_999), 'new');
    assert.equal(await g.attempt('a', 60_000, 60_000), 'pass');
    assert.equal(await g.attempt('a', 60_000, 60_001), 'pass');
    assert.equal(await g.attempt('a', 60_000, 60_000 + CONFIRMED_MS + 1), 'new');
    assert.equal(await g.attempt('b', 60_000, 59_999 + UNCONFIRMED_MS), 'pass');
    assert.equal(await g.attempt('c', 60_000, 0), 'new');
    assert.equal(await g.attempt('c', 60_000, UNCONFIRMED_MS + 1), 'new');
    // A pass a day later refreshes the entry: 35 days from then, it still passes.
    const day = 24 * 3600_000;
    assert.equal(await g.attempt('b', 60_000, 59_999 + UNCONFIRMED_MS + day), 'pass');
    assert.equal(await g.attempt('b', 60_000, 59_999 + UNCONFIRMED_MS + day + CONFIRMED_MS - 1), 'pass');
  } finally {
    await close();
  }
});

test('greylist: past the cap the least recently active entries go, down to 90% of it', async () => {
  const { store, close } = await openTempStore();
  try {
    const g = store.greylist;
    // One event turn: one commit for them all.
    await Promise.all(Array.from({ length: MAX_GREYLIST }, (_, i) => g.attempt(`t${i}`, 1000, 1000 + i)));
    assert.equal(g.size(), MAX_GREYLIST);
    assert.equal(await g.attempt('t0', 1000, 1000 + MAX_GREYLIST), 'pass');
    assert.equal(await g.attempt('last', 1000, 2000 + MAX_GREYLIST), 'new');
    assert.equal(g.size(), Math.floor(MAX_GREYLIST * 0.9));
    assert.equal(await g.attempt('t0', 1000, 3000 + MAX_GREYLIST), 'pass', 'the recently passed entry stayed');
    assert.equal(await g.attempt('t1', 1000, 3000 + MAX_GREYLIST), 'new', 'the oldest went');
  } finally {
    await close();
  }
});
