import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeContext, recipient } from '../../../test/smtp/policy-context.ts';
import { authenticated } from './rcpt.authenticated.ts';

test('authenticated: relays to non-local domains for authenticated sessions only', async () => {
  const account = { id: 1, address: 'user@example.test' };
  const cases: [typeof account | null, string, string][] = [
    [account, 'friend@remote.example', 'accept'],
    [account, 'friend@[192.0.2.7]', 'accept'],
    [account, '"odd@local"@remote.example', 'accept'],
    [account, 'user@example.test', 'next'], // local: local-recipient decides
    [null, 'friend@remote.example', 'next'],
  ];
  for (const [acc, address, verdict] of cases) {
    const r = recipient(address);
    const v = await authenticated.run(makeContext({ account: acc }), { recipient: r }, AbortSignal.timeout(1000));
    assert.equal(v.verdict, verdict, address);
    if (verdict === 'accept') assert.deepEqual(r.external, [r.mailbox.address]);
  }
});
