// Reading Outlook's autodiscover request without an XML parser: the address with or without a
// namespace prefix, references decoded, a DTD refused, and time linear in the input on hostile
// families (the HTTP side also caps the body at 4 KB).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { assertLinear, checkGrowth } from '../../test/support/linearity.ts';
import { requestedAddress } from './autodiscover.ts';

const wrap = (inner: string) => `<?xml version="1.0"?><Autodiscover xmlns="x"><Request>${inner}</Request></Autodiscover>`;

test('the address of <EMailAddress>, normalized, with or without a prefix', () => {
  assert.equal(requestedAddress(wrap('<EMailAddress> Alice@Example.ORG </EMailAddress>')), 'alice@example.org');
  assert.equal(requestedAddress(wrap('<a:EMailAddress>bob@example.org</a:EMailAddress >')), 'bob@example.org');
  assert.equal(requestedAddress(wrap('<EMailAddress>o&apos;hara&#64;example.org</EMailAddress>')), "o'hara@example.org");
  assert.equal(requestedAddress(wrap('<EMailAddress>a&amp;b@example.org</EMailAddress>')), 'a&b@example.org');
});

test('no address, markup inside, unknown entities, a DTD or a non-address: null', () => {
  for (const body of [
    wrap(''),
    wrap('<EMailAddress></EMailAddress>'),
    wrap('<EMailAddress>a<b/>@example.org</EMailAddress>'),
    wrap('<EMailAddress>&e;@example.org</EMailAddress>'),
    wrap('<EMailAddress>a&b@example.org</EMailAddress>'),
    wrap('<EMailAddress>&#x110000;@example.org</EMailAddress>'),
    `<!DOCTYPE a [<!ENTITY e "x">]>${wrap('<EMailAddress>alice@example.org</EMailAddress>')}`,
    wrap('<EMailAddress>not an address</EMailAddress>'),
    wrap(`<EMailAddress>${'a'.repeat(401)}@example.org</EMailAddress>`),
  ]) {
    assert.equal(requestedAddress(body), null, body);
  }
});

for (const [name, unit] of [
  ['open tags without an end', '<EMailAddress>aaaaaaaa'],
  ['start tags of every prefix', '<p:EMailAddress'],
  ['references', '<EMailAddress>&amp;&#x41;&lt;</EMailAddress>'],
  ['less-than signs', '<<<<<<<<'],
] as const) {
  test(`linear time: ${name}`, { timeout: 60_000 }, async () => {
    assertLinear(await checkGrowth({ name, build: (n) => unit.repeat(Math.ceil(n / unit.length)), run: (s: string) => requestedAddress(s) }));
  });
}
