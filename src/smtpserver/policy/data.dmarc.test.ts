import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incoming, makeContext } from '../../../test/smtp/policy-context.ts';
import { dmarc } from './data.dmarc.ts';

test('dmarc: rejects p=reject failures only when smtp.rejectDmarc is on', async () => {
  const cases: [boolean, string, string | null, string][] = [
    [true, 'fail', 'reject', 'reject'],
    [false, 'fail', 'reject', 'next'],
    [true, 'fail', 'quarantine', 'next'],
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
