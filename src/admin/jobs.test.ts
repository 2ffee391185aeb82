// Jobs: at most two run at once, each's progress, result or error kept by id.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Progress } from '../api/method.ts';
import { JobLimit, Jobs } from './jobs.ts';

test('two at once, a third refused until one ends; progress, result and error kept by id', async () => {
  const jobs = new Jobs();
  const ends: ((v: unknown) => void)[] = [];
  const fails: ((e: unknown) => void)[] = [];
  let report: ((p: Progress) => void) | null = null;
  const describe = (e: unknown) => ({ code: 'internal', message: String(e) });
  const a = jobs.start(
    'backup',
    (progress) => {
      report = progress;
      return new Promise((resolve) => ends.push(resolve));
    },
    describe,
  );
  const b = jobs.start('export', () => new Promise((_, reject) => fails.push(reject)), describe);
  assert.throws(() => jobs.start('import', async () => null, describe), JobLimit);
  report!({ what: 'bytes', done: 5, total: 10 });
  assert.deepEqual(jobs.view(a), { id: a, method: 'backup', progress: { what: 'bytes', done: 5, total: 10 }, done: false });
  ends[0]!({ file: 'x' });
  fails[0]!(new Error('disk full'));
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(jobs.view(a)?.result, { file: 'x' });
  assert.deepEqual([jobs.view(b)?.done, jobs.view(b)?.error], [true, { code: 'internal', message: 'Error: disk full' }]);
  const c = jobs.start('import', async () => 7, describe);
  await new Promise((r) => setImmediate(r));
  assert.equal(jobs.view(c)?.result, 7);
  assert.equal(jobs.view(12345), null);
});
