// kill -9 of a real `homepost serve` process under 16-way load, several rounds on one data
// folder: every message that got its 250 is in the store after the crash, exactly once; the
// others are there at most once; the store is consistent. `make bench-smtp` runs more rounds
// (BENCH_CRASH_ROUNDS) with the same code.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { tempDir } from '../support/temp-store.ts';
import { crashRound } from './crash-round.ts';

const ROUNDS = Number(process.env.CRASH_ROUNDS ?? 5);

test(`kill -9 under 16-way load, ${ROUNDS} rounds: acknowledged mail is stored exactly once`, async () => {
  const dir = tempDir('homepost-crash-');
  try {
    let acked = 0;
    for (let round = 1; round <= ROUNDS; round++) {
      const r = await crashRound(dir, round, { workers: 16, loadMs: 1000 + 400 * round });
      assert.ok(r.acked > 0, `round ${round}: some messages were acknowledged before the kill`);
      assert.deepEqual(r.missing, [], `round ${round}: acknowledged but not stored`);
      assert.deepEqual(r.duplicates, [], `round ${round}: stored more than once`);
      assert.deepEqual(r.problems, [], `round ${round}: store consistency`);
      acked += r.acked;
    }
    assert.ok(acked > ROUNDS * 16, `${acked} acknowledged messages over ${ROUNDS} rounds`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
