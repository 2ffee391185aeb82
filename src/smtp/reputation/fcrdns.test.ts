import assert from 'node:assert/strict';
import { test } from 'node:test';
import { tableResolver } from '../../../test/smtp/harness.ts';
import { forwardConfirmed } from './fcrdns.ts';

test('iprev: a PTR name that leads back passes; one that does not fails; none without PTR', async () => {
  const resolve = tableResolver({
    '5.2.0.192.in-addr.arpa': { PTR: ['mx.example.org'] },
    'mx.example.org': { A: ['192.0.2.5'] },
    '6.2.0.192.in-addr.arpa': { PTR: ['liar.example.org', 'mx.example.org'] },
    '7.2.0.192.in-addr.arpa': { PTR: ['liar.example.org'] },
    'liar.example.org': { A: ['198.51.100.1'] },
    '1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa': { PTR: ['v6.example.org'] },
    'v6.example.org': { AAAA: ['2001:db8:0:0::1'] },
  });
  assert.deepEqual(await forwardConfirmed(resolve, '192.0.2.5'), { result: 'pass', name: 'mx.example.org' });
  assert.deepEqual(await forwardConfirmed(resolve, '::ffff:192.0.2.5'), { result: 'pass', name: 'mx.example.org' });
  assert.deepEqual(await forwardConfirmed(resolve, '192.0.2.6'), { result: 'fail', name: 'liar.example.org' }); // the address is 6, mx leads to 5
  assert.deepEqual(await forwardConfirmed(resolve, '192.0.2.7'), { result: 'fail', name: 'liar.example.org' });
  assert.deepEqual(await forwardConfirmed(resolve, '192.0.2.8'), { result: 'none', name: null });
  assert.deepEqual(await forwardConfirmed(resolve, '2001:db8::1'), { result: 'pass', name: 'v6.example.org' });
});

test('iprev: DNS failing is temperror, at most five names are followed', async () => {
  const asked: string[] = [];
  const resolve = async (name: string, type: string) => {
    asked.push(`${type} ${name}`);
    if (type === 'PTR') return Array.from({ length: 8 }, (_, i) => `n${i}.example.org`);
    throw Object.assign(new Error('timeout'), { code: 'ETIMEOUT' });
  };
  assert.deepEqual(await forwardConfirmed(resolve, '192.0.2.9'), { result: 'temperror', name: 'n0.example.org' });
  assert.equal(asked.length, 1 + 5);
});
