import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeContext, recipient } from '../../../test/smtp/policy-context.ts';
import { trustedNetwork } from './rcpt.trusted-network.ts';

test('trusted-network: relays only for trusted clients and only off the local domains', async () => {
  const cases: [boolean, string, string][] = [
    [true, 'friend@remote.example', 'accept'],
    [true, 'user@example.test', 'next'],
    [false, 'friend@remote.example', 'next'],
    [false, 'friend@[192.0.2.7]', 'next'],
  ];
  for (const [trusted, address, verdict] of cases) {
    const v = await trustedNetwork.run(makeContext({ trusted }), { recipient: recipient(address) }, AbortSignal.timeout(1000));
    assert.equal(v.verdict, verdict, `${trusted} ${address}`);
  }
});
