// Client addresses: the /64 key of IPv6 clients, loopback in every form, the canonical IP form.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clientKey, isLoopback, canonicalIp } from './address.ts';

test('IPv6 clients are keyed by their /64, IPv4 by address', () => {
  assert.equal(clientKey('192.0.2.7'), '192.0.2.7');
  assert.equal(clientKey('::ffff:192.0.2.7'), '192.0.2.7');
  assert.equal(clientKey('2001:db8:1:2::1'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:0DB8:0001:0002:ffff::'), '2001:db8:1:2::/64');
  assert.equal(clientKey('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(clientKey('::1'), '0:0:0:0::/64');
  assert.equal(clientKey('fe80::1%eth0'), 'fe80:0:0:0::/64');
  assert.equal(clientKey('64:ff9b::192.0.2.1'), '64:ff9b:0:0::/64');
});

test('loopback, in every form', () => {
  for (const a of ['127.0.0.1', '127.5.6.7', '::1', '::ffff:127.0.0.1']) assert.ok(isLoopback(a), a);
  for (const a of ['10.0.0.1', '::2', '2001:db8::1', '128.0.0.1', '::ffff:10.0.0.1']) assert.ok(!isLoopback(a), a);
  assert.equal(canonicalIp('::ffff:10.1.2.3'), '10.1.2.3');
});
