import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeContext } from '../../../test/smtp/policy-context.ts';
import { ownFrom } from './data.own-from.ts';

test('own-from: header From of a submission must be own addresses', async () => {
  const account = { id: 1, address: 'user@example.test' };
  const own = { 1: ['user@example.test', 'alias@example.test'] };
  const cases: [typeof account | null, string[], string][] = [
    [account, ['user@example.test'], 'next'],
    [account, ['alias@example.test', 'User@EXAMPLE.test'], 'next'],
    [account, ['user@example.test', 'boss@example.test'], 'reject'], // every From mailbox counts
    [account, ['ceo@bank.example'], 'reject'],
    [account, [], 'reject'], // RFC 5322 3.6: From is required
    [account, ['not an address'], 'reject'],
    [null, ['ceo@bank.example'], 'next'],
  ];
  for (const [acc, headerFrom, verdict] of cases) {
    const v = await ownFrom.run(makeContext({ account: acc, own }), { message: { size: 10, headerFrom, auth: null } }, AbortSignal.timeout(1000));
    assert.equal(v.verdict, verdict, headerFrom.join());
    if (verdict === 'reject') assert.deepEqual([v.code, v.enhanced], [553, '5.7.1']);
  }
});
