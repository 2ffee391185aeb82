import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthThrottle } from './throttle.ts';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

test('delays grow after the soft limit, then the address is locked out', () => {
  const c = clock();
  const th = new AuthThrottle({ now: c.now, softLimit: 3, lockLimitAddress: 6, baseDelayMs: 100, maxDelayMs: 350, lockMs: 60_000 });
  const delays: number[] = [];
  for (let i = 0; i < 5; i++) {
    const v = th.check('192.0.2.1', 'u@example.test');
    assert.ok(v.allowed);
    delays.push(v.delayMs);
    th.failure('192.0.2.1', 'u@example.test');
  }
  assert.deepEqual(delays, [0, 0, 0, 100, 200]);
  assert.deepEqual(th.check('192.0.2.1', null), { allowed: true, delayMs: 350 });
  th.failure('192.0.2.1', 'u@example.test');
  const locked = th.check('192.0.2.1', 'other@example.test');
  assert.equal(locked.allowed, false);
  assert.equal(!locked.allowed && locked.scope, 'address');
  assert.ok(th.check('198.51.100.7', null).allowed, 'other addresses are not affected');
  c.advance(60_001);
  assert.deepEqual(th.check('192.0.2.1', null), { allowed: true, delayMs: 0 });
});

test('an account attacked from many addresses is locked for every address', () => {
  const c = clock();
  const th = new AuthThrottle({ now: c.now, lockLimitAccount: 5, lockLimitAddress: 100 });
  for (let i = 0; i < 5; i++) th.failure(`192.0.2.${i}`, 'Victim@example.test');
  const v = th.check('203.0.113.9', 'victim@example.test');
  assert.equal(v.allowed, false);
  assert.equal(!v.allowed && v.scope, 'account');
  th.success('203.0.113.9');
  assert.equal(th.check('203.0.113.9', 'victim@example.test').allowed, false);
});

test('failures are forgotten after the window; memory stays bounded', () => {
  const c = clock();
  const th = new AuthThrottle({ now: c.now, softLimit: 1, windowMs: 1000, maxKeys: 100 });
  th.failure('192.0.2.1', null);
  th.failure('192.0.2.1', null);
  assert.ok((th.check('192.0.2.1', null) as { delayMs: number }).delayMs > 0);
  c.advance(1001);
  assert.deepEqual(th.check('192.0.2.1', null), { allowed: true, delayMs: 0 });
  for (let i = 0; i < 1000; i++) th.failure(`10.0.${i >> 8}.${i & 255}`, null);
  assert.ok((th as unknown as { entries: Map<string, unknown> }).entries.size <= 100);
});
