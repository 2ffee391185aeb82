import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inNetworks, parseCidr } from './cidr.ts';

test('CIDR parsing and matching', () => {
  const cases: [string, string, boolean][] = [
    ['127.0.0.1/32', '127.0.0.1', true],
    ['127.0.0.1/32', '127.0.0.2', false],
    ['127.0.0.0/8', '127.255.0.9', true],
    ['192.0.2.0/25', '192.0.2.127', true],
    ['192.0.2.0/25', '192.0.2.128', false],
    ['10.0.0.0/8', '::ffff:10.1.2.3', true], // IPv4-mapped
    ['2001:db8::/32', '2001:db8:ffff::1', true],
    ['2001:db8::/32', '2001:db9::1', false],
    ['::1/128', '::1', true],
    ['::1/128', '127.0.0.1', false],
    ['0.0.0.0/0', '203.0.113.9', true],
    ['192.0.2.1', '192.0.2.1', true], // no prefix: one host
  ];
  for (const [cidr, ip, expected] of cases) {
    const c = parseCidr(cidr);
    assert.ok(c, cidr);
    assert.equal(inNetworks([c], ip), expected, `${ip} in ${cidr}`);
  }
  for (const bad of ['192.0.2.0/33', '::/129', 'example.test/8', '192.0.2.0/x', '192.0.2.0/']) assert.equal(parseCidr(bad), null, bad);
});
