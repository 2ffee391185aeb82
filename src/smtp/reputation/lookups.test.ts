import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ReputationCache } from './lookups.ts';
import type { ZoneAnswer } from './dnsbl.ts';

const never = new AbortController().signal;

test('answers are cached for minutes, failures for seconds, and each is reported once when asked', async () => {
  let now = 0;
  let queries = 0;
  let fail = false;
  const reported: ZoneAnswer[] = [];
  const cache = new ReputationCache({ now: () => now, onZoneAnswer: (_ip, a) => reported.push(a) });
  const lookups = cache.bind(async () => {
    queries++;
    if (fail) throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
    return ['127.255.255.254'];
  });
  const [a, b] = await Promise.all([lookups.zone('192.0.2.1', 'bl.example', never), lookups.zone('192.0.2.1', 'bl.example', never)]);
  assert.equal(a.status, 'refused');
  assert.deepEqual(a, b);
  assert.equal(queries, 1, 'one query for two callers at once');
  assert.equal(reported.length, 1);
  await lookups.zone('192.0.2.1', 'bl.example', never);
  assert.equal(queries, 1, 'answered from the cache');
  now += 10 * 60_000;
  fail = true;
  assert.equal((await lookups.zone('192.0.2.1', 'bl.example', never)).status, 'error');
  assert.equal(queries, 2, 'expired: asked again');
  assert.equal((await lookups.zone('192.0.2.1', 'bl.example', never)).status, 'error');
  assert.equal(queries, 2, 'a failure is kept a little while');
  now += 31_000;
  fail = false;
  assert.equal((await lookups.zone('192.0.2.1', 'bl.example', never)).status, 'refused');
  assert.equal(queries, 3, 'and then asked again');
  assert.deepEqual(
    reported.map((r) => r.status),
    ['refused', 'error', 'refused'],
  );
});

test('a caller waits only until its signal aborts; the cache stays bounded', async () => {
  const cache = new ReputationCache();
  const lookups = cache.bind(() => new Promise(() => {}));
  const controller = new AbortController();
  const pending = lookups.fcrdns('192.0.2.1', controller.signal);
  controller.abort();
  assert.deepEqual(await pending, { result: 'temperror', name: null });
  for (let i = 0; i < 5000; i++) void lookups.zone(`10.0.${i >> 8}.${i & 255}`, 'bl.example', controller.signal);
  assert.ok(cache.size <= 4096, `${cache.size} entries`);
});
