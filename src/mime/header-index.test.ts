// The header index stored with every parse: what SEARCH, SORT and THREAD read.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonical } from './base-subject.ts';
import { parseMessage } from './parse.ts';

const raw = (header: string) => Buffer.from(`${header.replace(/\n/g, '\r\n')}\r\n\r\nbody\r\n`, 'utf8');

test('decoded subject, base subject, date and references', () => {
  const p = parseMessage(
    raw(`Subject: Re: =?utf-8?q?Gr=C3=BC=C3=9Fe?= (fwd)
Date: Tue, 2 Jul 2024 23:15:00 -0400
Message-ID: <m3@example.test>
In-Reply-To: <m2@example.test>
References: <m1@example.test>
 <m2@example.test> garbage <not-an-id>`),
  );
  assert.deepEqual(p.headers, {
    subject: 'Re: Grüße (fwd)',
    baseSubject: canonical('Grüße'),
    reply: true,
    date: Date.UTC(2024, 6, 3, 3, 15),
    sentDay: Date.UTC(2024, 6, 2),
    references: ['m1@example.test', 'm2@example.test'],
  });
});

test('a plain subject is not stored twice; In-Reply-To stands in for missing References', () => {
  const p = parseMessage(raw('Subject: lunch\nIn-Reply-To: <a@x> <b@x>\nReferences: nothing valid'));
  assert.equal(p.envelope.subject, 'lunch');
  assert.deepEqual(p.headers, { subject: null, baseSubject: 'LUNCH', reply: false, date: null, sentDay: null, references: ['a@x'] });
  assert.deepEqual(parseMessage(raw('X-Other: 1')).headers, { subject: null, baseSubject: '', reply: false, date: null, sentDay: null, references: [] });
});
