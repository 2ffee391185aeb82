import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeContext, recipient } from '../../../test/smtp/policy-context.ts';
import type { ClientLookups } from '../../smtp/reputation/lookups.ts';
import type { ZoneStatus } from '../../smtp/reputation/dnsbl.ts';
import { dnsbl } from './rcpt.dnsbl.ts';

// Each zone's answer for the client, and the zones asked.
function lookups(answers: Record<string, ZoneStatus>, asked: string[] = []): ClientLookups {
  return {
    zone: async (_ip, zone) => {
      asked.push(zone);
      const status = answers[zone] ?? 'clear';
      return { zone, status, detail: status === 'listed' ? '127.0.0.2' : status === 'refused' ? '127.255.255.254' : 'ENOTFOUND' };
    },
    fcrdns: async () => ({ result: 'none', name: null }),
  };
}

const run = (o: Parameters<typeof makeContext>[0], to = 'dev@example.test') =>
  dnsbl.run(makeContext(o), { recipient: recipient(to) }, AbortSignal.timeout(1000));

test('dnsbl: a listed client is refused with 554 5.7.1 naming the list; refused and failed answers are no answers', async () => {
  const settings = { dnsblZones: ['bl.example', 'bl2.example'] };
  const listed = await run({ settings, lookups: lookups({ 'bl2.example': 'listed' }) });
  assert.deepEqual([listed.verdict, listed.code, listed.enhanced], ['reject', 554, '5.7.1']);
  assert.match(listed.text!, /^Client host \[192\.0\.2\.1\] blocked using bl2\.example$/);
  for (const status of ['clear', 'refused', 'error'] as const) {
    const v = await run({ settings, lookups: lookups({ 'bl.example': status }) });
    assert.equal(v.verdict, 'next', status);
  }
  const refused = await run({ settings, lookups: lookups({ 'bl.example': 'refused', 'bl2.example': 'error' }) });
  assert.match(refused.reason!, /bl\.example refused the query \(127\.255\.255\.254\); bl2\.example failed/);
});

test('dnsbl: an allowlisted client skips the blocklists; nothing is asked without zones or for trusted, authenticated and submission clients', async () => {
  const asked: string[] = [];
  const allow = await run({
    settings: { dnsblZones: ['bl.example'], dnsAllowlistZones: ['wl.example'] },
    lookups: lookups({ 'wl.example': 'listed', 'bl.example': 'listed' }, asked),
  });
  assert.equal(allow.verdict, 'next');
  assert.match(allow.reason!, /allowlisted by wl\.example/);
  assert.deepEqual(asked, ['wl.example']);
  const notAllowed = await run({ settings: { dnsblZones: ['bl.example'], dnsAllowlistZones: ['wl.example'] }, lookups: lookups({ 'bl.example': 'listed' }) });
  assert.equal(notAllowed.verdict, 'reject');
  const quiet: string[] = [];
  const l = lookups({ 'bl.example': 'listed' }, quiet);
  const settings = { dnsblZones: ['bl.example'] };
  for (const o of [
    { settings: {}, lookups: l },
    { settings, lookups: l, trusted: true },
    { settings, lookups: l, account: { id: 1, address: 'dev@example.test' } },
    { settings, lookups: l, listener: 'submission' as const },
  ]) {
    assert.equal((await run(o)).verdict, 'next');
  }
  assert.deepEqual(quiet, []);
  // RFC 5321 4.5.1: a listed sender can still write to postmaster.
  assert.equal((await run({ settings, lookups: l }, 'PostMaster@example.test')).verdict, 'next');
  assert.equal((await run({ settings, lookups: l }, 'postmaster@elsewhere.example')).verdict, 'reject');
});
