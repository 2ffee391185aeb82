import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incoming, makeContext } from '../../../test/smtp/policy-context.ts';
import { dmarc } from './data.dmarc.ts';

test('dmarc: rejects p=reject failures only when smtp.rejectDmarc is on', async () => {
  const cases: [boolean, string, string | null, string][] = [
    [true, 'fail', 'reject', 'reject'],
    [false, 'fail', 'reject', 'next'],
    [true, 'fail', 'quarantine', 'next'], // marked for Junk instead (below)
    [true, 'fail', 'none', 'next'],
    [true, 'pass', 'reject', 'next'],
    [true, 'temperror', 'reject', 'next'], // never reject on a DNS failure
  ];
  for (const [rejectDmarc, result, policy, verdict] of cases) {
    const message = incoming({ auth: { dmarc: result, dmarcPolicy: policy } });
    const v = await dmarc.run(makeContext({ settings: { rejectDmarc } }), { message }, AbortSignal.timeout(1000));
    assert.equal(v.verdict, verdict, `${rejectDmarc} ${result} ${policy}`);
    if (verdict === 'reject') assert.deepEqual([v.code, v.enhanced], [550, '5.7.1']);
  }
  const none = await dmarc.run(makeContext({ settings: { rejectDmarc: true } }), { message: incoming() }, AbortSignal.timeout(1000));
  assert.equal(none.verdict, 'next');
});

test('dmarc: p=quarantine failures are marked for Junk when smtp.junkDmarcQuarantine is on', async () => {
  const cases: [boolean, string, string | null, boolean][] = [
    [true, 'fail', 'quarantine', true],
    [false, 'fail', 'quarantine', false],
    [true, 'pass', 'quarantine', false],
    [true, 'fail', 'none', false],
    [true, 'fail', 'reject', false], // refused or delivered, never junked by this rule
  ];
  for (const [junkDmarcQuarantine, result, policy, junk] of cases) {
    const ctx = makeContext({ settings: { junkDmarcQuarantine } });
    const v = await dmarc.run(ctx, { message: incoming({ auth: { dmarc: result, dmarcPolicy: policy } }) }, AbortSignal.timeout(1000));
    assert.equal(v.verdict, 'next');
    assert.deepEqual(
      ctx.transaction.junk,
      junk ? [{ rule: 'dmarc', kind: 'junk', reason: 'dmarc=fail p=quarantine' }] : [],
      `${junkDmarcQuarantine} ${result} ${policy}`,
    );
  }
});
