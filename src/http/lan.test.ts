// Which client addresses count as the LAN for the setup page.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isLanAddress } from './lan.ts';

test('loopback, RFC 1918, link-local and unique local addresses are the LAN, IPv4-mapped too', () => {
  for (const a of [
    '127.0.0.1',
    '127.1.2.3',
    '10.0.0.1',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.20',
    '169.254.3.4',
    '::1',
    'fe80::1',
    'fe80::1%eth0',
    'febf::1',
    'fd00::5',
    'fc12::1',
    '::ffff:192.168.1.20',
    '::ffff:127.0.0.1',
  ]) {
    assert.equal(isLanAddress(a), true, a);
  }
});

test('public, CGNAT, documentation and malformed addresses are not', () => {
  for (const a of [
    '8.8.8.8',
    '172.32.0.1',
    '172.15.255.255',
    '100.64.0.1',
    '198.51.100.2',
    '192.169.0.1',
    '11.0.0.1',
    '2001:db8::1',
    'fec0::1',
    '::',
    '::ffff:198.51.100.2',
    '::ffff:8.8.8.8',
    '',
    'localhost',
    '192.168.1',
  ]) {
    assert.equal(isLanAddress(a), false, a);
  }
});
