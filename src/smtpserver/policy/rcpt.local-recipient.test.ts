import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeContext, recipient } from '../../../test/smtp/policy-context.ts';
import { localRecipient } from './rcpt.local-recipient.ts';

const addresses = {
  'user@example.test': { accounts: [1], external: [] },
  'sales@example.test': { accounts: [1, 2], external: ['partner@remote.example'] },
  'postmaster@mail.example.test': { accounts: [1], external: [] },
};

test('local-recipient: known local addresses are accepted, unknown ones get 550 5.1.1', async () => {
  const cases: [string, string, number[] | null][] = [
    ['user@example.test', 'accept', [1]],
    ['USER@EXAMPLE.TEST', 'accept', [1]], // case folded
    ['sales@example.test', 'accept', [1, 2]],
    ['nobody@example.test', 'reject', null],
    ['user%remote.example@example.test', 'reject', null], // % hack: just an unknown local part
    ['remote.example!user@example.test', 'reject', null], // bang path: likewise
    ['"user@remote.example"@example.test', 'reject', null], // quoted local part never resolves
    ['"user"@example.test', 'accept', [1]], // needless quotes are the same mailbox (RFC 5321 2.4)
    ['user@remote.example', 'next', null], // not local: another rule decides
    ['user@[127.0.0.1]', 'next', null], // literals are never local
    ['PostMaster@Mail.Example.Test', 'accept', [1]], // postmaster at the host name (RFC 5321 4.5.1)
    ['user@mail.example.test', 'next', null], // the host name is no local domain for anyone else
  ];
  for (const [address, verdict, local] of cases) {
    const ctx = makeContext({ addresses });
    const r = recipient(address);
    const v = await localRecipient.run(ctx, { recipient: r }, AbortSignal.timeout(1000));
    assert.equal(v.verdict, verdict, address);
    if (verdict === 'reject') assert.deepEqual([v.code, v.enhanced], [550, '5.1.1'], address);
    if (local) assert.deepEqual(r.local, local, address);
  }
});

test('local-recipient: alias targets outside go to the queue list', async () => {
  const r = recipient('sales@example.test');
  await localRecipient.run(makeContext({ addresses }), { recipient: r }, AbortSignal.timeout(1000));
  assert.deepEqual(r.external, ['partner@remote.example']);
});
