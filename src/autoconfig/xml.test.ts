// The answers' XML stays well-formed whatever a host name or address holds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { autodiscoverXml } from './autodiscover.ts';
import { serverEndpoints } from './endpoints.ts';
import { mobileconfig } from './mobileconfig.ts';
import { clientConfigXml } from './thunderbird.ts';
import { escapeXml } from './xml.ts';

test('escapeXml replaces the five markup characters', () => {
  assert.equal(escapeXml(`a&b<c>d"e'f`), 'a&amp;b&lt;c&gt;d&quot;e&apos;f');
});

test('values with markup characters come out escaped in every answer; absent ports are left out', () => {
  const s = serverEndpoints('mail.<x>&.test', (service) => (service === 'pop3' || service === 'submission' ? null : 1000));
  const address = `o'brien&co@example.test`;
  for (const xml of [clientConfigXml('ex"ample.test', s), autodiscoverXml(address, s), mobileconfig(address, s)!]) {
    assert.ok(!/<x>|&\.|&co|"ample|'brien/.test(xml), xml);
    assert.match(xml, /mail\.&lt;x&gt;&amp;\.test/);
  }
  assert.deepEqual(
    s.incoming.map((e) => e.security),
    ['tls', 'starttls', 'tls'],
  );
  assert.deepEqual(
    s.outgoing.map((e) => e.security),
    ['tls'],
  );
  assert.equal(
    mobileconfig(
      address,
      serverEndpoints('mail.example.test', (service) => (service === 'imap' || service === 'imaps' ? null : 1)),
    ),
    null,
  );
});
