import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filedCopies, type JunkFiling, junkField } from './filing.ts';

test('X-Homepost-Junk: US-ASCII, one reason a folded line, separators and other characters percent-encoded', () => {
  const field = junkField({
    score: 0.97312,
    junk: true,
    rule: 'content',
    reasons: [
      { token: 'subject:free!!', probability: 0.99 },
      { token: 'grüße;(a),%', probability: 0.987654 },
      { token: `x${'y'.repeat(100)}`, probability: 0.01 },
    ],
    byContent: true,
  });
  assert.equal(
    field,
    'X-Homepost-Junk: score=0.9731; rule=content; reasons=\r\n' +
      ' subject:free!! (0.9900),\r\n' +
      ' gr%C3%BC%C3%9Fe%3B%28a%29%2C%25 (0.9877),\r\n' +
      ` x${'y'.repeat(39)} (0.0100)\r\n`,
  );
  assert.ok(field.split('\r\n').every((line) => line.length <= 78));
  assert.equal(
    junkField({ score: 0.5, junk: false, rule: 'untrained', reasons: [], byContent: null }),
    'X-Homepost-Junk: score=0.5000; rule=untrained; reasons=none\r\n',
  );
});

test('filed copies: one per distinct field, below the first bytes given (Return-Path)', () => {
  const raw = Buffer.from('Return-Path: <a@example.org>\r\nSubject: hi\r\n\r\nbody\r\n');
  const at = 'Return-Path: <a@example.org>\r\n'.length;
  const verdict = { score: 0.5, junk: false, rule: 'untrained' as const, reasons: [], byContent: null };
  const filing = (mailbox: string, field: string): JunkFiling => ({ mailbox, flags: [], field, verdict });
  const copies = filedCopies(
    raw,
    at,
    [1, 2, 3],
    new Map([
      [1, filing('Junk', 'X-Homepost-Junk: a\r\n')],
      [2, filing('INBOX', 'X-Homepost-Junk: b\r\n')],
      [3, filing('Junk', 'X-Homepost-Junk: a\r\n')],
    ]),
  );
  assert.deepEqual(
    copies.map((c) => [c.raw.toString(), c.inserted, c.targets.map((t) => [t.accountId, t.mailbox])]),
    [
      [
        'Return-Path: <a@example.org>\r\nX-Homepost-Junk: a\r\nSubject: hi\r\n\r\nbody\r\n',
        20,
        [
          [1, 'Junk'],
          [3, 'Junk'],
        ],
      ],
      ['Return-Path: <a@example.org>\r\nX-Homepost-Junk: b\r\nSubject: hi\r\n\r\nbody\r\n', 20, [[2, 'INBOX']]],
    ],
  );
});
