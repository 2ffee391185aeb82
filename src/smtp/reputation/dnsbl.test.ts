import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tableResolver } from '../../../test/smtp/harness.ts';
import { classifyAnswer, queryZone } from './dnsbl.ts';
import { reverseAddress } from './reverse.ts';

test('reverse names: IPv4 octets, IPv6 nibbles, v4-mapped as IPv4 (RFC 5782 2.1, 2.4)', () => {
  assert.deepEqual(reverseAddress('192.0.2.99'), { labels: '99.2.0.192', arpa: 'in-addr.arpa' });
  assert.deepEqual(reverseAddress('::ffff:127.0.0.2'), { labels: '2.0.0.127', arpa: 'in-addr.arpa' });
  // RFC 5782 2.4's example.
  assert.equal(reverseAddress('2001:db8:1:2:3:4:567:89ab')?.labels, 'b.a.9.8.7.6.5.0.4.0.0.0.3.0.0.0.2.0.0.0.1.0.0.0.8.b.d.0.1.0.0.2');
  assert.equal(reverseAddress('::1')?.labels.split('.').length, 32);
  assert.equal(reverseAddress('not an address'), null);
});

test('answers: 127/8 listed, 127.255.255/24 refused, anything else an error (RFC 5782 2.3)', () => {
  assert.deepEqual(classifyAnswer(['127.0.0.2']), { status: 'listed', detail: '127.0.0.2' });
  assert.deepEqual(classifyAnswer(['127.0.0.10', '127.0.0.4']), { status: 'listed', detail: '127.0.0.10' });
  assert.deepEqual(classifyAnswer(['127.255.255.254']), { status: 'refused', detail: '127.255.255.254' });
  assert.deepEqual(classifyAnswer(['127.0.0.2', '127.255.255.255']).status, 'refused');
  assert.equal(classifyAnswer(['192.0.2.1']).status, 'error'); // a resolver that rewrites NXDOMAIN
  assert.equal(classifyAnswer([]).status, 'error');
});

test('queryZone: NXDOMAIN is clear, a failing resolver an error, never listed', async () => {
  const resolve = tableResolver({ '2.0.0.127.bl.example.test': { A: ['127.0.0.2'] }, '3.0.0.127.bl.example.test': { A: ['127.255.255.254'] } });
  assert.equal((await queryZone(resolve, '127.0.0.2', 'bl.example.test')).status, 'listed');
  assert.equal((await queryZone(resolve, '127.0.0.3', 'bl.example.test')).status, 'refused');
  assert.deepEqual(await queryZone(resolve, '127.0.0.1', 'bl.example.test'), { zone: 'bl.example.test', status: 'clear', detail: 'ENOTFOUND' });
  const failing = async () => {
    throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
  };
  assert.deepEqual(await queryZone(failing, '127.0.0.2', 'bl.example.test'), { zone: 'bl.example.test', status: 'error', detail: 'ETIMEOUT' });
});
