import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeContext, mailbox, recipient, type ContextOptions } from '../../../test/smtp/policy-context.ts';
import type { ClientLookups } from '../../smtp/reputation/lookups.ts';
import { greylist, greylistNetwork, greylistTriplet } from './rcpt.greylist.ts';

const addresses = { 'dev@example.test': { accounts: [1], external: [] } };

// A greylist store in memory answering `state`, and the triplets asked.
function run(o: ContextOptions, state: 'new' | 'early' | 'pass', asked: string[] = [], to = 'dev@example.test') {
  const ctx = makeContext({
    addresses,
    ...o,
    settings: { greylist: true, ...o.settings },
    greylist: async (triplet, delayMs) => {
      asked.push(`${triplet} ${delayMs}`);
      return state;
    },
  });
  ctx.transaction.sender = { kind: 'mailbox', mailbox: mailbox('Someone@Example.org'), route: [] };
  return greylist.run(ctx, { recipient: recipient(to) }, AbortSignal.timeout(1000));
}

test('greylist: a first attempt and an early retry get 451 4.7.1; a passing one goes on', async () => {
  const asked: string[] = [];
  for (const state of ['new', 'early'] as const) {
    const v = await run({ remoteAddress: '192.0.2.77', settings: { greylistDelayMs: 5000 } }, state, asked);
    assert.deepEqual([v.verdict, v.code, v.enhanced], ['tempfail', 451, '4.7.1']);
    assert.match(v.reason!, new RegExp(`${state} attempt`));
  }
  assert.equal((await run({}, 'pass')).verdict, 'next');
  assert.deepEqual(asked, Array(2).fill(`${greylistTriplet('192.0.2.1', 'someone@example.org', 'dev@example.test')} 5000`));
});

test('greylist: off by default; never for trusted, authenticated or submission clients, relay or unknown recipients, or allowlisted clients', async () => {
  const asked: string[] = [];
  const allowlist: ClientLookups = {
    zone: async (_ip, zone) => ({ zone, status: zone === 'wl.example' ? 'listed' : 'clear', detail: '127.0.0.2' }),
    fcrdns: async () => ({ result: 'none', name: null }),
  };
  for (const o of [
    { settings: { greylist: false } },
    { trusted: true },
    { account: { id: 1, address: 'dev@example.test' } },
    { listener: 'submission' as const },
    { settings: { dnsAllowlistZones: ['wl.example'] }, lookups: allowlist },
  ]) {
    assert.equal((await run(o, 'new', asked)).verdict, 'next', JSON.stringify(o));
  }
  assert.equal((await run({}, 'new', asked, 'nobody@example.test')).verdict, 'next');
  assert.equal((await run({}, 'new', asked, 'someone@elsewhere.example')).verdict, 'next');
  assert.deepEqual(asked, []);
  assert.equal((await run({ settings: { dnsAllowlistZones: ['other.example'] }, lookups: allowlist }, 'new', asked)).verdict, 'tempfail');
});

test('greylist: the triplet takes the client /24 or /64, and the addresses in any case', () => {
  assert.equal(greylistNetwork('192.0.2.77'), '192.0.2.0/24');
  assert.equal(greylistNetwork('::ffff:192.0.2.77'), '192.0.2.0/24');
  assert.equal(greylistNetwork('2001:db8:1:2:3:4:5:6'), '20010db800010002/64');
  const t = greylistTriplet('192.0.2.1', 'A@example.org', 'dev@example.test');
  assert.equal(t, greylistTriplet('192.0.2.200', 'a@EXAMPLE.org', 'DEV@example.test'));
  assert.notEqual(t, greylistTriplet('192.0.3.1', 'a@example.org', 'dev@example.test'));
  assert.notEqual(t, greylistTriplet('192.0.2.1', '', 'dev@example.test'));
  assert.equal(t.length, 44);
});
