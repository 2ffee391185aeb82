import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeContext, recipient } from '../../../test/smtp/policy-context.ts';
import { quota } from './rcpt.quota.ts';

test('quota: a local recipient whose accounts are all full is refused at RCPT', async () => {
  const addresses = {
    'full@example.test': { accounts: [1], external: [] },
    'ok@example.test': { accounts: [2], external: [] },
    'both@example.test': { accounts: [1, 2], external: [] },
  };
  const usage = { 1: { used: 1000, quota: 1000 }, 2: { used: 10, quota: 1000 } };
  const cases: [string, number | null, 'temporary' | 'permanent', string, number | undefined, string | undefined][] = [
    ['full@example.test', null, 'temporary', 'tempfail', 452, '4.2.2'],
    ['full@example.test', null, 'permanent', 'reject', 552, '5.2.2'],
    ['ok@example.test', null, 'temporary', 'next', undefined, undefined],
    ['ok@example.test', 5000, 'temporary', 'tempfail', 452, '4.2.2'], // RFC 1870 SIZE counts
    ['both@example.test', null, 'temporary', 'next', undefined, undefined], // one account has room
    ['nobody@example.test', null, 'temporary', 'next', undefined, undefined],
    ['x@remote.example', null, 'temporary', 'next', undefined, undefined],
  ];
  for (const [address, declaredSize, quotaReply, verdict, code, enhanced] of cases) {
    const ctx = makeContext({ addresses, usage, declaredSize, settings: { quotaReply } });
    const v = await quota.run(ctx, { recipient: recipient(address) }, AbortSignal.timeout(1000));
    assert.deepEqual([v.verdict, v.code, v.enhanced], [verdict, code, enhanced], `${address} ${declaredSize} ${quotaReply}`);
  }
});
