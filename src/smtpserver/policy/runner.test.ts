import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeContext, recipient } from '../../../test/smtp/policy-context.ts';
import { runStage } from './runner.ts';
import type { Rule } from './types.ts';

const rule = (name: string, run: Rule<'rcpt'>['run']): Rule<'rcpt'> => ({ name, stage: 'rcpt', run });

test('the first verdict other than next decides; every outcome is recorded', async () => {
  const ctx = makeContext();
  const v = await runStage(
    [
      rule('a', async () => ({ verdict: 'next', reason: 'not mine' })),
      rule('b', async () => ({ verdict: 'reject', code: 550, enhanced: '5.1.1', text: 'no', reason: 'unknown' })),
      rule('c', async () => assert.fail('not reached')),
    ],
    ctx,
    { recipient: recipient('x@example.test') },
    1000,
  );
  assert.equal(v.verdict, 'reject');
  assert.equal(v.rule, 'b');
  assert.deepEqual(ctx.transaction.results, [
    { rule: 'a', outcome: 'next', reason: 'not mine' },
    { rule: 'b', outcome: 'reject', reason: 'unknown' },
  ]);
});

test('a rule past the stage deadline is answered 451 4.4.3 and its late verdict ignored; a throw is 451 4.3.0', async () => {
  const ctx = makeContext();
  let aborted = false;
  let lateResolve: (() => void) | undefined;
  const slow = rule('slow', (_c, _i, signal) => {
    signal.addEventListener('abort', () => (aborted = true));
    return new Promise((resolve) => (lateResolve = () => resolve({ verdict: 'accept' })));
  });
  const v = await runStage([slow], ctx, { recipient: recipient('x@example.test') }, 30);
  assert.deepEqual([v.verdict, v.code, v.enhanced], ['tempfail', 451, '4.4.3']);
  assert.ok(aborted, 'the rule saw its signal abort');
  lateResolve!();
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(ctx.transaction.results.length, 1);
  const boom = await runStage(
    [
      rule('boom', async () => {
        throw new Error('db down');
      }),
    ],
    makeContext(),
    { recipient: recipient('x@example.test') },
    1000,
  );
  assert.deepEqual([boom.verdict, boom.code, boom.enhanced], ['tempfail', 451, '4.3.0']);
});
