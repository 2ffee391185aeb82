// The slicer reads the clock less often while steps are cheap, and still ends a slice soon after
// SLICE_MS when steps turn slow: counted in steps of known least duration (busy waits).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SLICE_MS, Turns } from './turns.ts';

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

test('a slice of slow steps ends by SLICE_MS of them', () => {
  const turns = new Turns();
  let steps = 0;
  while (!turns.due()) {
    busy(1);
    steps++;
  }
  // Each step lasts at least 1 ms and, slow, is followed by a reading of the clock: by SLICE_MS
  // steps the slice is over (sooner if the process was paused meanwhile).
  assert.ok(steps >= 1 && steps <= SLICE_MS, `${steps} steps of 1 ms`);
});

test('cheap steps that turn slow overrun the slice by at most 16 steps, once', async () => {
  const turns = new Turns();
  for (let i = 0; i < 1000; i++) assert.equal(turns.due(), false); // microseconds, below SLICE_MS
  busy(SLICE_MS);
  let slow = 0;
  while (!turns.due()) {
    busy(1);
    slow++;
  }
  assert.ok(slow <= 16, `${slow} slow steps past the slice`);
  await turns.pass();
  assert.equal(turns.due(), false, 'a new slice after pass()');
  let steps = 0;
  while (!turns.due()) {
    busy(1);
    steps++;
  }
  assert.ok(steps >= 1 && steps <= SLICE_MS, `${steps} steps of 1 ms in the next slice`);
});
