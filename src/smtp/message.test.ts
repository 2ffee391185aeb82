import assert from 'node:assert/strict';
import { test } from 'node:test';
import { receivedField, rfc5322Date } from './message.ts';

test('Received follows RFC 5321 4.4 and keeps hostile HELO names in a comment', () => {
  const date = new Date(Date.UTC(2026, 10, 26, 7, 0, 0));
  const base = { remoteAddress: '192.0.2.1', hostname: 'mail.example.test', protocol: 'ESMTPS', tls: 'TLSv1.3 TLS_AES_256_GCM_SHA384', id: 'abc.1', date };
  assert.equal(
    receivedField({ ...base, helo: 'client.example', recipient: 'user@example.test' }),
    'Received: from client.example ([192.0.2.1])\r\n\tby mail.example.test (homepost) (TLSv1.3 TLS_AES_256_GCM_SHA384)\r\n\twith ESMTPS id abc.1\r\n\tfor <user@example.test>; Thu, 26 Nov 2026 07:00:00 +0000\r\n',
  );
  const odd = receivedField({ ...base, helo: 'bad (name)\\x', recipient: null, tls: null, remoteAddress: '2001:db8::1' });
  assert.equal(
    odd,
    'Received: from [IPv6:2001:db8::1] ([IPv6:2001:db8::1]) (helo=bad namex)\r\n\tby mail.example.test (homepost)\r\n\twith ESMTPS id abc.1; Thu, 26 Nov 2026 07:00:00 +0000\r\n',
  );
  assert.equal(rfc5322Date(date), 'Thu, 26 Nov 2026 07:00:00 +0000');
});
