import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyEnvelope, envelopeFromHeader } from './envelope.ts';

const header = (s: string): Buffer => Buffer.from(s.replace(/\n/g, '\r\n'), 'utf8');

test('RFC 9051 7.5.2 envelope: raw unfolded strings, parsed addresses', () => {
  const raw = header(
    [
      'Date: Mon, 1 Jan 2024 10:00:00 +0000',
      'Subject: =?utf-8?q?caf=C3=A9?=',
      '  folded',
      'From: Alice <alice@example.test>',
      'To: bob@example.test, Carol <carol@example.test>',
      'Cc: Team: dan@example.test;',
      'Bcc: eve@example.test',
      'In-Reply-To: <parent@example.test>',
      'Message-ID: <id@example.test>',
      '',
      'body',
    ].join('\n'),
  );
  assert.deepEqual(envelopeFromHeader(raw), {
    date: 'Mon, 1 Jan 2024 10:00:00 +0000',
    subject: '=?utf-8?q?caf=C3=A9?=  folded',
    from: [{ name: 'Alice', adl: null, mailbox: 'alice', host: 'example.test' }],
    sender: [{ name: 'Alice', adl: null, mailbox: 'alice', host: 'example.test' }],
    replyTo: [{ name: 'Alice', adl: null, mailbox: 'alice', host: 'example.test' }],
    to: [
      { name: null, adl: null, mailbox: 'bob', host: 'example.test' },
      { name: 'Carol', adl: null, mailbox: 'carol', host: 'example.test' },
    ],
    cc: [
      { name: null, adl: null, mailbox: 'Team', host: null },
      { name: null, adl: null, mailbox: 'dan', host: 'example.test' },
      { name: null, adl: null, mailbox: null, host: null },
    ],
    bcc: [{ name: null, adl: null, mailbox: 'eve', host: 'example.test' }],
    inReplyTo: '<parent@example.test>',
    messageId: '<id@example.test>',
  });
});

test('sender and reply-to default to from when absent or empty; other fields are NIL', () => {
  const from = [{ name: null, adl: null, mailbox: 'a', host: 'x.test' }];
  const cases: [string, Partial<ReturnType<typeof emptyEnvelope>>][] = [
    ['From: a@x.test\n\n', { from, sender: from, replyTo: from }],
    ['From: a@x.test\nSender:\nReply-To:   \n\n', { from, sender: from, replyTo: from }],
    [
      'From: a@x.test\nSender: s@x.test\nReply-To: r@x.test\n\n',
      {
        from,
        sender: [{ name: null, adl: null, mailbox: 's', host: 'x.test' }],
        replyTo: [{ name: null, adl: null, mailbox: 'r', host: 'x.test' }],
      },
    ],
    // no From: everything NIL
    ['Subject: s\n\n', { subject: 's' }],
    // present but empty strings stay empty strings; empty address lists are NIL
    ['Subject:\nTo: ,\nMessage-ID:\n\n', { subject: '', messageId: '' }],
    // the first occurrence counts
    ['Subject: one\nSubject: two\n\n', { subject: 'one' }],
  ];
  for (const [input, expected] of cases) {
    assert.deepEqual(envelopeFromHeader(header(input)), { ...emptyEnvelope(), ...expected }, input);
  }
});

test('envelopeFromHeader reads only the header block in its range', () => {
  const raw = header('Subject: top\n\nSubject: body text, not a header\n');
  assert.equal(envelopeFromHeader(raw).subject, 'top');
  const start = raw.indexOf('Subject: body');
  assert.equal(envelopeFromHeader(raw, start).subject, 'body text, not a header');
  assert.deepEqual(envelopeFromHeader(Buffer.alloc(0)), emptyEnvelope());
});
