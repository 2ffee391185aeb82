import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DnsResolve } from '../smtp/dns.ts';
import { resolveMx } from './mx.ts';

type Table = Record<string, Record<string, unknown[] | string>>;

// Answers from a table; a string is the error code to fail with.
function resolver(table: Table): DnsResolve {
  return async (name, type) => {
    const v = table[name]?.[type];
    if (Array.isArray(v)) return v;
    throw Object.assign(new Error(`${type} ${name}`), { code: typeof v === 'string' ? v : table[name] ? 'ENODATA' : 'ENOTFOUND' });
  };
}

test('MX hosts in preference order with their IPv4 then IPv6 addresses', async () => {
  const r = await resolveMx(
    'example.org',
    resolver({
      'example.org': {
        MX: [
          { exchange: 'b.example.org', priority: 20 },
          { exchange: 'a.example.org.', priority: 10 },
        ],
      },
      'a.example.org': { A: ['192.0.2.1'], AAAA: ['2001:db8::1'] },
      'b.example.org': { AAAA: ['2001:db8::2'] },
    }),
  );
  assert.ok(r.ok);
  assert.deepEqual(
    r.hosts.map((h) => [h.name, h.preference, h.addresses]),
    [
      ['a.example.org', 10, ['192.0.2.1', '2001:db8::1']],
      ['b.example.org', 20, ['2001:db8::2']],
    ],
  );
});

test('hosts of equal preference come in random order (RFC 5321 5.1)', async () => {
  const mx = Array.from({ length: 6 }, (_, i) => ({ exchange: `h${i}.example.org`, priority: 10 }));
  const table: Table = { 'example.org': { MX: mx } };
  for (let i = 0; i < 6; i++) table[`h${i}.example.org`] = { A: [`192.0.2.${i + 1}`] };
  const orders = new Set<string>();
  for (let i = 0; i < 20; i++) {
    const r = await resolveMx('example.org', resolver(table));
    assert.ok(r.ok);
    orders.add(r.hosts.map((h) => h.name).join());
  }
  assert.ok(orders.size > 1);
});

test('no MX record: the domain itself (the implicit MX)', async () => {
  const r = await resolveMx('example.org', resolver({ 'example.org': { A: ['192.0.2.9'] } }));
  assert.ok(r.ok);
  assert.deepEqual(
    r.hosts.map((h) => [h.name, h.addresses]),
    [['example.org', ['192.0.2.9']]],
  );
});

test('what fails: null MX at once (556 5.1.10), no such domain (5.1.2), DNS trouble later (4.4.3)', async () => {
  const cases: [Table, string, string][] = [
    [{ 'example.org': { MX: [{ exchange: '', priority: 0 }] } }, 'failed', '556 5.1.10'],
    [{}, 'failed', '550 5.1.2'],
    [{ 'example.org': { MX: 'ESERVFAIL' } }, 'deferred', '451 4.4.3'],
    [{ 'example.org': { MX: [{ exchange: 'mx.example.org', priority: 1 }] }, 'mx.example.org': { A: 'ETIMEOUT', AAAA: 'ETIMEOUT' } }, 'deferred', '451 4.4.3'],
    [{ 'example.org': { MX: [{ exchange: 'mx.example.org', priority: 1 }] } }, 'failed', '550 5.4.4'],
  ];
  for (const [table, outcome, start] of cases) {
    const r = await resolveMx('example.org', resolver(table));
    assert.ok(!r.ok, JSON.stringify(table));
    const res = r.fail('x@example.org');
    assert.equal(res.outcome, outcome, JSON.stringify(table));
    assert.ok(res.reply.startsWith(start), res.reply);
  }
});

test('a null MX among other MX records is ignored (RFC 7505 4.3); an address literal is the host', async () => {
  const r = await resolveMx(
    'example.org',
    resolver({
      'example.org': {
        MX: [
          { exchange: '.', priority: 0 },
          { exchange: 'mx.example.org', priority: 5 },
        ],
      },
      'mx.example.org': { A: ['192.0.2.5'] },
    }),
  );
  assert.ok(r.ok && r.hosts.length === 1 && r.hosts[0].name === 'mx.example.org');
  const lit = await resolveMx('[IPv6:2001:db8::7]', resolver({}));
  assert.ok(lit.ok && lit.hosts[0].addresses[0] === '2001:db8::7');
});

test('an IDN domain is looked up as its A-label', async () => {
  const r = await resolveMx('bücher.example', resolver({ 'xn--bcher-kva.example': { A: ['192.0.2.3'] } }));
  assert.ok(r.ok && r.hosts[0].name === 'xn--bcher-kva.example');
});
