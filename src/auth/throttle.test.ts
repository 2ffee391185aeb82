import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AuthThrottle, type Attempt } from './throttle.ts';

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

test('an account attacked from many addresses is locked for every address', async () => {
  const c = clock();
  const th = new AuthThrottle({ now: c.now, lockLimitAccount: 5, lockLimitAddress: 100 });
  for (let i = 0; i < 5; i++) th.failure(`192.0.2.${i}`, 'victim@example.test');
  const v = th.check('203.0.113.9', 'victim@example.test');
  assert.equal(v.allowed, false);
  assert.equal(!v.allowed && v.scope, 'account');
  // Another account's success from that address does not unlock it.
  const other = await th.enter('203.0.113.9', 'other@example.test');
  assert.ok(other.allowed);
  if (other.allowed) other.attempt.succeeded();
  assert.equal(th.check('203.0.113.9', 'victim@example.test').allowed, false);
});

test('attempts in flight count: of 60 guesses at once against a limit of 20, 20 are checked', async () => {
  const th = new AuthThrottle({ lockLimitAccount: 20, lockLimitAddress: 1000, softLimit: 1000 });
  const gates = Array.from({ length: 60 }, (_, i) => th.enter(`198.51.100.${i}`, 'victim@example.test'));
  const through: Attempt[] = [];
  for (const g of gates) void g.then((v) => v.allowed && through.push(v.attempt));
  await new Promise((r) => setImmediate(r));
  assert.equal(through.length, 20, 'twenty let through, forty waiting');
  // They fail: the account is locked, and the forty waiting are refused without a check.
  for (const a of through) a.failed();
  const rest = (await Promise.all(gates)).filter((g) => !g.allowed);
  assert.equal(rest.length, 40);
  assert.ok(rest.every((g) => !g.allowed && g.scope === 'account'));
  const after = th.check('203.0.113.1', 'victim@example.test');
  assert.ok(!after.allowed && after.retryAfterMs > 60_000, 'locked for the lock time');
});

test('many right passwords at once from one address all get through, a few at a time', async () => {
  const th = new AuthThrottle({ lockLimitAddress: 10 });
  let inFlight = 0;
  let most = 0;
  const logins = Array.from({ length: 30 }, async () => {
    const g = await th.enter('192.0.2.50', 'user@example.test');
    assert.ok(g.allowed);
    most = Math.max(most, ++inFlight);
    await new Promise((r) => setTimeout(r, 5));
    inFlight--;
    g.attempt.succeeded();
  });
  await Promise.all(logins);
  assert.equal(most, 10, 'never more in flight than failures could still be afforded');
});

test('the verdict is taken again after the wait', async () => {
  const th = new AuthThrottle({ softLimit: 1, baseDelayMs: 30, maxDelayMs: 30, lockLimitAddress: 4 });
  for (let i = 0; i < 2; i++) th.failure('192.0.2.1', 'u@example.test');
  // Both wait; while they wait, two more failures lock the address.
  const waiting = [th.enter('192.0.2.1', 'u@example.test'), th.enter('192.0.2.1', 'u@example.test')];
  th.failure('192.0.2.1', 'v@example.test');
  th.failure('192.0.2.1', 'v@example.test');
  for (const g of await Promise.all(waiting)) assert.ok(!g.allowed && g.scope === 'address');
});

test('IPv6 clients count per /64', () => {
  const th = new AuthThrottle({ lockLimitAddress: 3 });
  for (let i = 1; i <= 3; i++) th.failure(`2001:db8:7:1::${i.toString(16)}`, null);
  const v = th.check('2001:db8:7:1:ffff::99', null);
  assert.ok(!v.allowed && v.scope === 'address');
  assert.ok(th.check('2001:db8:7:2::1', null).allowed, 'the next /64 is another client');
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
