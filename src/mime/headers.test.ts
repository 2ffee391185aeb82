import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allValues, fieldValue, findHeaderEnd, firstValue, headerFieldsSubset, splitHeader, unfold } from './headers.ts';

const raw = (s: string): Buffer => Buffer.from(s, 'latin1');

test('findHeaderEnd: CRLF, bare LF, none, empty header', () => {
  const cases: [string, number, number][] = [
    ['A: 1\r\nB: 2\r\n\r\nbody', 12, 14],
    ['A: 1\nB: 2\n\nbody', 10, 11],
    ['A: 1\r\nB: 2\r\n', 12, 12],
    ['A: 1', 4, 4],
    ['\r\nbody', 0, 2],
    ['', 0, 0],
    // a line of white space is a (folded) continuation, not the blank line
    ['A: 1\r\n \r\n\r\nx', 9, 11],
  ];
  for (const [input, headerEnd, bodyStart] of cases) {
    assert.deepEqual(findHeaderEnd(raw(input)), { headerEnd, bodyStart }, JSON.stringify(input));
  }
});

test('splitHeader: offsets, folding, names, lines without colon', () => {
  const input = 'Subject: a\r\n b\r\nX-Name :  v\r\nno colon here\r\nTo: c\r\n\r\nbody';
  const fields = splitHeader(raw(input));
  assert.deepEqual(
    fields.map((f) => [f.name, input.slice(f.start, f.end), input.slice(f.valueStart, f.end)]),
    [
      ['Subject', 'Subject: a\r\n b\r\n', ' a\r\n b\r\n'],
      ['X-Name', 'X-Name :  v\r\n', '  v\r\n'],
      ['no colon here', 'no colon here\r\n', '\r\n'],
      ['To', 'To: c\r\n', ' c\r\n'],
    ],
  );
});

test('splitHeader stops at the blank line and respects the range', () => {
  const input = 'A: 1\r\n\r\nB: 2\r\n';
  assert.deepEqual(
    splitHeader(raw(input)).map((f) => f.name),
    ['A'],
  );
  assert.deepEqual(
    splitHeader(raw(input), 8).map((f) => f.name),
    ['B'],
  );
  // a field cut by the range end
  const cut = splitHeader(raw('A: 1\r\nB: 22'), 0, 9);
  assert.deepEqual(
    cut.map((f) => [f.name, f.end]),
    [
      ['A', 6],
      ['B', 9],
    ],
  );
});

test('fieldValue unfolds, trims and reads 8-bit bytes as UTF-8 or windows-1252', () => {
  const utf8 = Buffer.concat([Buffer.from('Subject:  Gr\u00fc\u00dfe\r\n\tand more  \r\n', 'utf8')]);
  assert.equal(fieldValue(utf8, splitHeader(utf8)[0]!), 'Gr\u00fc\u00dfe\tand more');
  const latin1 = Buffer.from('From: J\u00f6rg \x80 <j@x>\r\n', 'latin1');
  assert.equal(fieldValue(latin1, splitHeader(latin1)[0]!), 'J\u00f6rg \u20ac <j@x>');
  const empty = raw('X-Empty:\r\n');
  assert.equal(fieldValue(empty, splitHeader(empty)[0]!), '');
});

test('firstValue / allValues match names case-insensitively', () => {
  const input = raw('received: a\r\nReceived: b\r\nSUBJECT: s\r\n\r\n');
  const fields = splitHeader(input);
  assert.equal(firstValue(input, fields, 'Subject'), 's');
  assert.equal(firstValue(input, fields, 'From'), null);
  assert.deepEqual(allValues(input, fields, 'RECEIVED'), ['a', 'b']);
});

test('unfold removes line breaks only', () => {
  assert.equal(unfold('a\r\n b\n\tc\rd'), 'a b\tcd');
});

test('headerFieldsSubset: RFC 9051 6.4.5 HEADER.FIELDS and HEADER.FIELDS.NOT', () => {
  const input = raw('From: a@x\r\nSubject: one\r\n two\r\nTo: b@x\r\nsubject: again\r\nDate: d\r\n\r\nbody\r\n');
  const end = input.indexOf('body');
  const cases: [string[], boolean, string][] = [
    [['SUBJECT'], false, 'Subject: one\r\n two\r\nsubject: again\r\n\r\n'],
    [['to', 'from'], false, 'From: a@x\r\nTo: b@x\r\n\r\n'],
    [['X-None'], false, '\r\n'],
    [['subject', 'date'], true, 'From: a@x\r\nTo: b@x\r\n\r\n'],
    [[], true, 'From: a@x\r\nSubject: one\r\n two\r\nTo: b@x\r\nsubject: again\r\nDate: d\r\n\r\n'],
  ];
  for (const [names, exclude, expected] of cases) {
    assert.equal(headerFieldsSubset(input, 0, end, names, exclude).toString('latin1'), expected, names.join());
  }
});

test('headerFieldsSubset: no blank line without one; bare LF kept; cut field gets CRLF', () => {
  // a header-only message with no blank line: no blank line in the result either
  const headerOnly = raw('Subject: s\r\nFrom: f');
  assert.equal(headerFieldsSubset(headerOnly, 0, headerOnly.length, ['from', 'subject'], false).toString(), 'Subject: s\r\nFrom: f\r\n');
  const lf = raw('Subject: s\nFrom: f\n\nbody');
  assert.equal(headerFieldsSubset(lf, 0, 20, ['subject'], false).toString(), 'Subject: s\n\n');
  // a range that starts inside a message (a part's MIME header)
  const part = raw('--b\r\nContent-Type: text/plain\r\nContent-ID: <x>\r\n\r\ntext');
  assert.equal(headerFieldsSubset(part, 5, part.lastIndexOf('text'), ['content-id'], false).toString(), 'Content-ID: <x>\r\n\r\n');
});
