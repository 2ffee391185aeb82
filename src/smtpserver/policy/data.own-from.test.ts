import assert from 'node:assert/strict';
import { test } from 'node:test';
import { incoming, makeContext } from '../../../test/smtp/policy-context.ts';
import { ownFrom } from './data.own-from.ts';

test('own-from: every From, Sender and Resent-From address of a submission must be own', async () => {
  const account = { id: 1, address: 'user@example.test' };
  const own = { 1: ['user@example.test', 'alias@example.test'] };
  const cases: [typeof account | null, Parameters<typeof incoming>[0], string][] = [
    [account, { from: ['user@example.test'] }, 'next'],
    [account, { from: ['Alias <alias@example.test>, "U" <User@EXAMPLE.test>'] }, 'next'],
    [account, { from: ['user@example.test'], sender: ['alias@example.test'], resentFrom: ['user@example.test'] }, 'next'],
    [account, { from: ['user@example.test, boss@example.test'] }, 'reject'], // every From mailbox counts
    [account, { from: ['user@example.test', 'boss@example.test'] }, 'reject'], // every From field too
    [account, { from: ['<user@example.test> <ceo@bank.example>'] }, 'reject'], // a second angle-addr hides nothing
    [account, { from: ['user@example.test'], sender: ['ceo@bank.example'] }, 'reject'], // RFC 5322 3.6.2
    [account, { from: ['user@example.test'], resentFrom: ['ceo@bank.example'] }, 'reject'], // RFC 5322 3.6.6
    [account, { from: ['ceo@bank.example'] }, 'reject'],
    [account, {}, 'reject'], // RFC 5322 3.6: From is required
    [account, { from: ['not an address'] }, 'reject'],
    [null, { from: ['ceo@bank.example'] }, 'next'],
  ];
  for (const [acc, fields, verdict] of cases) {
    const v = await ownFrom.run(makeContext({ account: acc, own }), { message: incoming(fields) }, AbortSignal.timeout(1000));
    assert.equal(v.verdict, verdict, JSON.stringify(fields));
    if (verdict === 'reject') assert.deepEqual([v.code, v.enhanced], [553, '5.7.1']);
  }
});
