import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describeRelay, OUTBOUND_SETTINGS, parseRelay, readOutboundSettings, RelayError } from './settings.ts';

const DEFAULT_RETRY_SCHEDULE = OUTBOUND_SETTINGS.retrySchedule.default;

test('defaults', () => {
  const s = readOutboundSettings({ get: (_k, f) => f }, { hostname: 'mail.example.test' });
  assert.deepEqual(
    [s.port, s.heloName, s.smarthost, s.retrySchedule, s.lifetimeMs, s.delayNoticeMs, s.concurrencyPerDomain, s.srs, s.dkim],
    [25, 'mail.example.test', null, DEFAULT_RETRY_SCHEDULE, 5 * 86_400_000, 4 * 3_600_000, 4, true, true],
  );
  assert.deepEqual(
    DEFAULT_RETRY_SCHEDULE.map((ms) => ms / 60_000),
    [5, 15, 30, 60, 120, 240],
  );
});

test('unusable values fall back to the default and are reported', () => {
  const values: Record<string, unknown> = {
    'outbound.port': -1,
    'outbound.retrySchedule': [],
    'outbound.smarthost': { host: 'bad host!' },
    'outbound.routes': { 'not a domain': 'direct', 'ok.example': 'sideways' },
  };
  const reported: string[] = [];
  const s = readOutboundSettings({ get: (k, f) => (k in values ? (values[k] as never) : f) }, { hostname: 'h.example', invalid: (k) => reported.push(k) });
  assert.deepEqual([s.port, s.retrySchedule, s.smarthost, s.routes], [25, DEFAULT_RETRY_SCHEDULE, null, {}]);
  assert.deepEqual(reported.sort(), ['outbound.port', 'outbound.retrySchedule', 'outbound.routes', 'outbound.smarthost']);
});

test('relays: ports by security, credentials only with TLS, never shown', () => {
  assert.equal(parseRelay({ host: 'smtp.isp.example', security: 'tls' }).port, 465);
  assert.equal(parseRelay({ host: '192.0.2.1', security: 'none' }).port, 25);
  const r = parseRelay({ host: 'smtp.isp.example', user: 'me', password: 'hunter2 secret' });
  assert.deepEqual([r.security, r.port, r.verifyCertificate], ['starttls', 587, true]);
  assert.ok(!describeRelay(r).includes('hunter2'));
  for (const bad of [
    null,
    {},
    { host: 'x', security: 'ssl' },
    { host: 'x', port: 70000 },
    { host: 'x', user: 'me' },
    { host: 'x', security: 'none', user: 'me', password: 'p' },
  ]) {
    assert.throws(() => parseRelay(bad), RelayError, JSON.stringify(bad));
  }
});
