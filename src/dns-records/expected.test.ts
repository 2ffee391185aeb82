import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dkimTxtRecord } from '../smtp/dkim/txt-record.ts';
import type { DkimKey } from '../store/dkim.ts';
import { expectedRecords, spfRecord, type RecordsInput } from './expected.ts';
import { DNS_PUBLIC_ADDRESSES } from './settings.ts';
import { zoneLine, zoneText } from './zone.ts';

const key = (algorithm: DkimKey['algorithm'], selector: string, publicKey: string): DkimKey => ({
  algorithm,
  selector,
  publicKey,
  privateKey: '',
  createdAt: 0,
});
const RSA_KEY = 'A'.repeat(392);

function input(o: Partial<RecordsInput> = {}): RecordsInput {
  return {
    domain: 'example.org',
    host: 'mail.example.org',
    publicAddresses: ['192.0.2.7', '2001:db8::7'],
    dkim: [dkimTxtRecord('example.org', key('rsa-sha256', 'rsa1', RSA_KEY)), dkimTxtRecord('example.org', key('ed25519-sha256', 'ed1', 'B'.repeat(44)))],
    smarthost: null,
    ...o,
  };
}

test('every record a domain needs, with its value', () => {
  const lines = expectedRecords(input()).map(
    (r) => `${r.kind} ${r.name} ${r.type} ${r.priority ?? ''}/${r.weight ?? ''}/${r.port ?? ''} ${r.value}${r.optional ? ' optional' : ''}`,
  );
  assert.deepEqual(lines, [
    'record example.org MX 10// mail.example.org',
    'record mail.example.org A // 192.0.2.7',
    'record mail.example.org AAAA // 2001:db8::7',
    'record example.org TXT // v=spf1 mx -all',
    'record mail.example.org TXT // v=spf1 a -all',
    `record rsa1._domainkey.example.org TXT // v=DKIM1; k=rsa; p=${RSA_KEY}`,
    `record ed1._domainkey.example.org TXT // v=DKIM1; k=ed25519; p=${'B'.repeat(44)}`,
    'record _dmarc.example.org TXT // v=DMARC1; p=none',
    'record autoconfig.example.org CNAME // mail.example.org',
    'record autodiscover.example.org CNAME // mail.example.org',
    // RFC 8314 5.1: implicit TLS first; RFC 6186 3.4: IMAP before POP3.
    'record _submissions._tcp.example.org SRV 0/0/465 mail.example.org',
    'record _submission._tcp.example.org SRV 10/0/587 mail.example.org',
    'record _imaps._tcp.example.org SRV 0/0/993 mail.example.org',
    'record _imap._tcp.example.org SRV 10/0/143 mail.example.org',
    'record _pop3s._tcp.example.org SRV 20/0/995 mail.example.org',
    'record _pop3._tcp.example.org SRV 30/0/110 mail.example.org',
    'advice 7.2.0.192.in-addr.arpa PTR // mail.example.org',
    'advice 7.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa PTR // mail.example.org',
  ]);
  for (const r of expectedRecords(input())) assert.ok(r.purpose.length > 20 && !r.purpose.includes('\n'), r.purpose);
});

test('public address unknown: A and AAAA without a value (AAAA optional), reverse DNS of "your public address"', () => {
  const rs = expectedRecords(input({ publicAddresses: [] }));
  const addr = rs.filter((r) => r.type === 'A' || r.type === 'AAAA');
  assert.deepEqual(
    addr.map((r) => [r.type, r.value, r.optional]),
    [
      ['A', null, false],
      ['AAAA', null, true],
    ],
  );
  const ptr = rs.filter((r) => r.type === 'PTR');
  assert.deepEqual(
    ptr.map((r) => [r.name, r.value]),
    [[null, 'mail.example.org']],
  );
  const zone = zoneText('example.org', rs);
  assert.match(zone, /^; mail\.example\.org\. 3600 IN A \(IPv4 address of your router\)$/m);
  assert.match(zone, /^; at your internet provider: \(reverse name of your public address\) PTR mail\.example\.org\.$/m);
});

test('host name equal to the domain: no second SPF record at the same name', () => {
  const spf = expectedRecords(input({ host: 'example.org' })).filter((r) => r.type === 'TXT' && r.value!.startsWith('v=spf1'));
  assert.deepEqual(
    spf.map((r) => r.value),
    ['v=spf1 mx -all'],
  );
});

test('SPF with a smarthost authorizes it, softfail', () => {
  assert.equal(spfRecord(null), 'v=spf1 mx -all');
  assert.equal(spfRecord('smtp.isp.example'), 'v=spf1 mx a:smtp.isp.example ~all');
  assert.equal(spfRecord('198.51.100.25'), 'v=spf1 mx ip4:198.51.100.25 ~all');
  assert.equal(spfRecord('2001:db8::25'), 'v=spf1 mx ip6:2001:db8::25 ~all');
  const spf = expectedRecords(input({ smarthost: 'smtp.isp.example' })).find((r) => r.name === 'example.org' && r.type === 'TXT')!;
  assert.match(spf.purpose, /smtp\.isp\.example/);
});

test('zone lines: absolute names, long TXT in 255-octet strings, quotes escaped', () => {
  const rs = expectedRecords(input());
  const rsa = rs.find((r) => r.name === 'rsa1._domainkey.example.org')!;
  assert.deepEqual(
    rsa.strings!.map((s) => s.length),
    [255, rsa.value!.length - 255],
  );
  assert.equal(zoneLine(rsa), `rsa1._domainkey.example.org. 3600 IN TXT ( "${rsa.strings![0]}" "${rsa.strings![1]}" )`);
  assert.equal(zoneLine(rs.find((r) => r.type === 'MX')!), 'example.org. 3600 IN MX 10 mail.example.org.');
  assert.equal(zoneLine(rs.find((r) => r.name === '_imaps._tcp.example.org')!), '_imaps._tcp.example.org. 3600 IN SRV 0 0 993 mail.example.org.');
  assert.equal(zoneLine(rs.find((r) => r.type === 'AAAA')!), 'mail.example.org. 3600 IN AAAA 2001:db8::7');
  assert.equal(zoneLine({ ...rsa, value: 'say "hi" \\', strings: ['say "hi" \\'] }), 'rsa1._domainkey.example.org. 3600 IN TXT "say \\"hi\\" \\\\"');
  // Every line is a comment or a record: nothing else to trip a zone import.
  for (const line of zoneText('example.org', rs).trimEnd().split('\n')) assert.match(line, /^(;|\S+\. 3600 IN (MX|A|AAAA|TXT|CNAME|SRV) )/);
});

test('dns.publicAddresses takes public addresses only', () => {
  assert.deepEqual(DNS_PUBLIC_ADDRESSES.check(['192.0.2.7', ' 2001:DB8::7 ']), ['192.0.2.7', '2001:db8::7']);
  for (const bad of ['192.168.1.20', '10.0.0.5', '172.16.3.4', '100.64.0.1', '127.0.0.1', 'fe80::1', 'fd00::1', '::1', 'mail.example.org', '']) {
    assert.equal(DNS_PUBLIC_ADDRESSES.check([bad]), undefined, bad);
  }
  assert.deepEqual(DNS_PUBLIC_ADDRESSES.fromText('192.0.2.7, 2001:db8::7'), ['192.0.2.7', '2001:db8::7']);
});
