// The connection tracker: limits per client (IPv4 address, IPv6 /64), before login, in total,
// eviction of silent connections, and exempt clients.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConnectionTracker, type Slot } from './listener.ts';

const slot = (s: Slot | string): Slot => {
  assert.equal(typeof s, 'object', String(s));
  return s as Slot;
};

test('limits per client (IPv4 address, IPv6 /64) and, before login, a smaller one', () => {
  const t = new ConnectionTracker({ maxConnections: 100, maxPerAddress: 5, maxPreLoginPerAddress: 2 });
  const a = [slot(t.acquire('2001:db8:1:2::1')), slot(t.acquire('2001:db8:1:2::ffff'))];
  assert.equal(t.acquire('2001:db8:1:2:dead::beef'), 'too-many-from-address', 'the same /64');
  assert.equal(typeof t.acquire('2001:db8:1:3::1'), 'object', 'another /64');
  a[0]!.loggedIn();
  const b = slot(t.acquire('2001:db8:1:2::2'));
  b.loggedIn();
  slot(t.acquire('2001:db8:1:2::3')).loggedIn();
  slot(t.acquire('2001:db8:1:2::4')).loggedIn();
  assert.equal(t.acquire('2001:db8:1:2::5'), 'too-many-from-address', 'five in all');
  b.release();
  b.release(); // once only
  assert.equal(typeof t.acquire('2001:db8:1:2::5'), 'object');
});

test('when every slot is taken, the oldest connection still waiting for its handshake makes room', () => {
  const t = new ConnectionTracker({ maxConnections: 3, maxPerAddress: 3 });
  const evicted: string[] = [];
  const silent = ['192.0.2.1', '192.0.2.2', '192.0.2.3'].map((ip) => {
    const s = slot(t.acquire(ip));
    s.waiting(() => evicted.push(ip));
    return s;
  });
  silent[0]!.settled(); // this one finished its handshake: it stays
  assert.equal(typeof t.acquire('198.51.100.9'), 'object');
  assert.deepEqual(evicted, ['192.0.2.2']);
  assert.equal(t.total, 3);
  assert.equal(typeof t.acquire('198.51.100.10'), 'object');
  assert.deepEqual(evicted, ['192.0.2.2', '192.0.2.3']);
  assert.equal(t.acquire('198.51.100.11'), 'too-many', 'nobody left to evict');
  // A client's own limit is never lifted by eviction.
  const u = new ConnectionTracker({ maxConnections: 10, maxPerAddress: 1 });
  slot(u.acquire('192.0.2.7')).waiting(() => assert.fail('evicted for its own address'));
  assert.equal(u.acquire('192.0.2.7'), 'too-many-from-address');
});

test('exempt clients (SMTP trusted networks) pass the per-address limits, never the total', () => {
  let max = 3;
  const t = new ConnectionTracker(() => ({ maxConnections: max, maxPerAddress: 1, maxPreLoginPerAddress: 1, exempt: (a) => a === '192.0.2.50' }));
  slot(t.acquire('192.0.2.50'));
  slot(t.acquire('::ffff:192.0.2.50')); // the predicate sees the canonical form
  assert.equal(typeof slot(t.acquire('192.0.2.51')), 'object');
  assert.equal(t.acquire('192.0.2.52'), 'too-many', 'the total applies to exempt and counted clients alike');
  assert.equal(t.acquire('192.0.2.50'), 'too-many');
  max = 5; // limits given as a function are read at each acquire
  assert.equal(typeof t.acquire('192.0.2.50'), 'object');
  assert.equal(t.acquire('192.0.2.51'), 'too-many-from-address');
});
