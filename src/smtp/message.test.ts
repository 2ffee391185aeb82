import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addSubmissionFields, headerInfo, receivedField, removeRanges, rfc5322Date } from './message.ts';

test('header info: From addresses, Message-ID and Date presence', () => {
  const raw = Buffer.from('From: "A" <a@example.test>, b@example.test\r\nFrom: c@example.test\r\nDate: x\r\nSubject: s\r\n\r\nbody');
  const info = headerInfo(raw);
  assert.deepEqual(info.from, ['a@example.test', 'b@example.test', 'c@example.test']);
  assert.equal(info.hasDate, true);
  assert.equal(info.hasMessageId, false);
});

test('submission fields are added at the end of the header only when missing (RFC 6409 8)', () => {
  const now = new Date(Date.UTC(2026, 10, 26, 7, 0, 0));
  const raw = Buffer.from('From: a@example.test\r\nSubject: s\r\n\r\nbody\r\n');
  const out = addSubmissionFields(raw, headerInfo(raw), 'mail.example.test', now).toString();
  assert.match(out, /^From: a@example.test\r\nSubject: s\r\nDate: Thu, 26 Nov 2026 07:00:00 \+0000\r\nMessage-ID: <[^>@]+@mail\.example\.test>\r\n\r\nbody\r\n$/);
  const full = Buffer.from('Date: x\r\nMessage-ID: <1@x>\r\n\r\nb');
  assert.equal(addSubmissionFields(full, headerInfo(full), 'h', now), full);
  const headerOnly = Buffer.from('From: a@example.test\r\n');
  assert.match(addSubmissionFields(headerOnly, headerInfo(headerOnly), 'h', now).toString(), /^From: a@example.test\r\nDate: .*\r\nMessage-ID: .*\r\n\r\n$/);
});

test('Received follows RFC 5321 4.4 and keeps hostile HELO names in a comment', () => {
  const date = new Date(Date.UTC(2026, 10, 26, 7, 0, 0));
  const base = { remoteAddress: '192.0.2.1', hostname: 'mail.example.test', protocol: 'ESMTPS', tls: 'TLSv1.3 TLS_AES_256_GCM_SHA384', id: 'abc.1', date };
  assert.equal(
    receivedField({ ...base, helo: 'client.example', recipient: 'user@example.test' }),
    'Received: from client.example ([192.0.2.1])\r\n\tby mail.example.test (homepost) (TLSv1.3 TLS_AES_256_GCM_SHA384)\r\n\twith ESMTPS id abc.1\r\n\tfor <user@example.test>; Thu, 26 Nov 2026 07:00:00 +0000\r\n',
  );
  const odd = receivedField({ ...base, helo: 'bad (name)\\x', recipient: null, tls: null, remoteAddress: '2001:db8::1' });
  assert.equal(odd, 'Received: from [IPv6:2001:db8::1] ([IPv6:2001:db8::1]) (helo=bad namex)\r\n\tby mail.example.test (homepost)\r\n\twith ESMTPS id abc.1; Thu, 26 Nov 2026 07:00:00 +0000\r\n');
  assert.equal(rfc5322Date(date), 'Thu, 26 Nov 2026 07:00:00 +0000');
});

test('removeRanges cuts fields out', () => {
  const raw = Buffer.from('A: 1\r\nB: 2\r\nC: 3\r\n\r\n');
  assert.equal(removeRanges(raw, [{ start: 6, end: 12 }]).toString(), 'A: 1\r\nC: 3\r\n\r\n');
});
