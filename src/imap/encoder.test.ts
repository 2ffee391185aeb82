import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encodeSequenceSet, formatDateTime, isAtom, ResponseBuilder } from './encoder.ts';

const text = (chunks: (string | Buffer)[]) => chunks.map((c) => c.toString()).join('');

test('strings: quoted when possible, literal for CR/LF/NUL and for 8-bit without UTF8=ACCEPT', () => {
  const cases: [string | null, boolean, string][] = [
    [null, false, 'NIL'],
    ['plain', false, '"plain"'],
    ['', false, '""'],
    ['say "hi" \\o/', false, '"say \\"hi\\" \\\\o/"'],
    ['two\r\nlines', false, '{10}\r\ntwo\r\nlines'],
    ['Grüße', false, '{7}\r\nGrüße'],
    ['Grüße', true, '"Grüße"'],
    ['nul\0', true, '{4}\r\nnul\0'],
  ];
  for (const [input, utf8, want] of cases) {
    assert.equal(text(new ResponseBuilder(utf8).str(input).done()), `${want}\r\n`, JSON.stringify(input));
  }
});

test('astrings are atoms only when every character allows it, and never NIL', () => {
  const cases: [string, string][] = [
    ['INBOX', 'INBOX'],
    ['Sent Items', '"Sent Items"'],
    ['a]b', 'a]b'],
    ['a(b', '"a(b"'],
    ['nil', '"nil"'],
    ['a%', '"a%"'],
    ['', '""'],
  ];
  for (const [input, want] of cases) assert.equal(text(new ResponseBuilder().astr(input).done()), `${want}\r\n`);
  assert.equal(isAtom('FLAGS'), true);
  assert.equal(isAtom('A]'), false);
});

test('literals keep Buffers whole and literal8 is marked', () => {
  const body = Buffer.from([0, 1, 2]);
  const chunks = new ResponseBuilder().raw('* 1 FETCH (BINARY[] ').literal(body, true).raw(')').done();
  assert.equal(chunks[1], body);
  assert.equal(text(chunks), '* 1 FETCH (BINARY[] ~{3}\r\n\0\x01\x02)\r\n');
});

test('sequence sets compress runs', () => {
  assert.equal(encodeSequenceSet([1, 2, 3, 5, 7, 8, 9, 11]), '1:3,5,7:9,11');
  assert.equal(encodeSequenceSet([4]), '4');
  assert.equal(encodeSequenceSet([]), '');
});

test('date-time is RFC 9051 date-time in UTC', () => {
  assert.equal(formatDateTime(Date.UTC(2026, 10, 6, 7, 8, 9)), '"06-Nov-2026 07:08:09 +0000"');
});
