import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compare, type FoundRecord } from './compare.ts';
import type { ExpectedRecord, RecordType } from './expected.ts';

function want(type: RecordType, value: string | null, extra: Partial<ExpectedRecord> = {}): ExpectedRecord {
  return { kind: 'record', name: 'example.org', type, value, optional: false, purpose: 'p', ...extra };
}
const txt = (...texts: string[]): FoundRecord[] => texts.map((text) => ({ text }));
const status = (e: ExpectedRecord, found: FoundRecord[]) => compare(e, found).status;

test('nothing at the name is missing, whatever the type', () => {
  for (const e of [
    want('MX', 'mail.example.org'),
    want('A', '192.0.2.1'),
    want('A', null),
    want('TXT', 'v=spf1 mx -all'),
    want('SRV', 'mail.example.org', { port: 993 }),
  ]) {
    assert.deepEqual(compare(e, []), { status: 'missing', found: [] });
  }
});

test('MX and CNAME by host, without case or final dot; MX priority is a preference', () => {
  const mx = want('MX', 'mail.example.org');
  assert.equal(status(mx, [{ text: '20 Mail.Example.ORG.', target: 'mail.example.org' }]), 'found');
  assert.deepEqual(compare(mx, [{ text: '10 mx.other.example', target: 'mx.other.example' }]), { status: 'different', found: ['10 mx.other.example'] });
  assert.equal(
    status(mx, [
      { text: '10 mx.other.example', target: 'mx.other.example' },
      { text: '20 mail.example.org', target: 'mail.example.org' },
    ]),
    'found',
  );
  assert.equal(status(want('CNAME', 'mail.example.org'), [{ text: 'www.example.org', target: 'www.example.org' }]), 'different');
});

test('SRV by host and port', () => {
  const srv = want('SRV', 'mail.example.org', { priority: 0, weight: 0, port: 993 });
  assert.equal(status(srv, [{ text: '5 3 993 mail.example.org', target: 'mail.example.org', port: 993 }]), 'found');
  assert.equal(status(srv, [{ text: '0 0 143 mail.example.org', target: 'mail.example.org', port: 143 }]), 'different');
  assert.equal(status(srv, [{ text: '0 0 993 imap.example.org', target: 'imap.example.org', port: 993 }]), 'different');
});

test('addresses compared as addresses; unknown expected address: what is there is found', () => {
  assert.equal(status(want('AAAA', '2001:db8::7'), txt('2001:db8:0:0::7')), 'found');
  assert.equal(status(want('A', '192.0.2.7'), txt('192.0.2.8')), 'different');
  assert.deepEqual(compare(want('A', null), txt('203.0.113.4')), { status: 'found', found: ['203.0.113.4'] });
});

test('SPF by its normalized text; other TXT records ignored; two SPF records are an error', () => {
  const spf = want('TXT', 'v=spf1 mx -all');
  assert.equal(status(spf, txt('google-site-verification=abc', 'V=SPF1  MX  -ALL ')), 'found');
  assert.deepEqual(compare(spf, txt('google-site-verification=abc')), { status: 'missing', found: [] });
  assert.deepEqual(compare(spf, txt('v=spf1 a mx ~all')), { status: 'different', found: ['v=spf1 a mx ~all'] });
  // "v=spf10" is not an SPF record (RFC 7208 4.5).
  assert.equal(status(spf, txt('v=spf10 mx -all')), 'missing');
  const two = compare(spf, txt('v=spf1 mx -all', 'v=spf1 a -all'));
  assert.equal(two.status, 'different');
  assert.match(two.note!, /2 SPF records/);
});

test('DKIM by its key: folding spaces, tag order and other tags do not matter; another key does', () => {
  const dkim = want('TXT', 'v=DKIM1; k=rsa; p=MIIBkey+/=');
  assert.equal(status(dkim, txt('v=DKIM1; h=sha256; p=MIIB key+/ =; k=rsa')), 'found');
  assert.equal(status(dkim, txt('k=rsa; p=MIIBkey+/=')), 'found');
  assert.equal(status(dkim, txt('v=DKIM1; k=rsa; p=MIIBold')), 'different');
  assert.equal(status(dkim, txt('v=DKIM1; k=ed25519; p=MIIBkey+/=')), 'different');
  // An empty p= is a revoked key (RFC 6376 3.6.1).
  assert.equal(status(dkim, txt('v=DKIM1; p=')), 'different');
});

test('DMARC by its policy: report addresses and defaults aside', () => {
  const dmarc = want('TXT', 'v=DMARC1; p=none');
  assert.equal(status(dmarc, txt('v=DMARC1; p=None; rua=mailto:dmarc@example.org; adkim=r; pct=100')), 'found');
  assert.deepEqual(compare(dmarc, txt('v=DMARC1; p=quarantine')), { status: 'different', found: ['v=DMARC1; p=quarantine'] });
  assert.equal(status(dmarc, txt('v=DMARC1; p=none; adkim=s')), 'different');
  assert.equal(status(dmarc, txt('v=DMARC1; p=none', 'v=DMARC1; p=reject')), 'different');
  assert.equal(status(dmarc, txt('v=spf1 -all')), 'missing');
});
