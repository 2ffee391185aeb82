import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeContext, recipient } from '../../../test/smtp/policy-context.ts';
import { deny } from './rcpt.deny.ts';
import { rcptRules } from './index.ts';

test('deny: 554 5.7.1 for anything', async () => {
  for (const address of ['a@remote.example', 'user@example.test']) {
    const v = await deny.run(makeContext(), { recipient: recipient(address) }, AbortSignal.timeout(1000));
    assert.deepEqual([v.verdict, v.code, v.enhanced], ['reject', 554, '5.7.1'], address);
  }
});

test('the configured relay rule list always ends in deny; unknown names are reported', () => {
  const unknown: string[] = [];
  const names = (list: string[]) => rcptRules(list, (n) => unknown.push(n)).map((r) => r.name);
  assert.deepEqual(names(['authenticated', 'trusted-network', 'local-recipient', 'deny']), [
    'dnsbl',
    'greylist',
    'quota',
    'authenticated',
    'trusted-network',
    'local-recipient',
    'deny',
  ]);
  assert.deepEqual(names(['local-recipient']), ['dnsbl', 'greylist', 'quota', 'local-recipient', 'deny']);
  assert.deepEqual(names(['open-relay', 'local-recipient']), ['dnsbl', 'greylist', 'quota', 'local-recipient', 'deny']);
  assert.deepEqual(names([]), ['dnsbl', 'greylist', 'quota', 'deny']);
  assert.deepEqual(unknown, ['open-relay']);
});
