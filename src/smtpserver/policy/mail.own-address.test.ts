import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parsePath } from '../../smtp/address.ts';
import { makeContext } from '../../../test/smtp/policy-context.ts';
import { ownAddress } from './mail.own-address.ts';

test('own-address: an authenticated sender may use only own addresses (553 5.7.1)', async () => {
  const account = { id: 1, address: 'user@example.test' };
  const own = { 1: ['user@example.test', 'sales@example.test'] };
  const opts = { nullAllowed: true, postmasterAllowed: false, utf8: false };
  const cases: [typeof account | null, string, string][] = [
    [account, '<user@example.test>', 'next'],
    [account, '<USER@Example.Test>', 'next'],
    [account, '<sales@example.test>', 'next'],
    [account, '<user+lists@example.test>', 'next'], // RFC 5233 subaddress of an own address
    [account, '<other@example.test>', 'reject'],
    [account, '<user@remote.example>', 'reject'],
    [account, '<"user"@example.test>', 'next'], // needless quotes: the same mailbox
    [account, '<"us er"@example.test>', 'reject'],
    [account, '<user@[127.0.0.1]>', 'reject'],
    [account, '<>', 'reject'],
    [null, '<anyone@remote.example>', 'next'], // unauthenticated: inbound mail, not this rule's
  ];
  for (const [acc, path, verdict] of cases) {
    const v = await ownAddress.run(makeContext({ account: acc, own }), { sender: parsePath(path, opts) }, AbortSignal.timeout(1000));
    assert.equal(v.verdict, verdict, path);
    if (verdict === 'reject') assert.deepEqual([v.code, v.enhanced], [553, '5.7.1'], path);
  }
});
