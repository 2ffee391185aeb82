// Content-Transfer-Encoding decoding: lenient base64 (RFC 2045 6.8), quoted-printable, and the
// decoded parts IMAP BINARY and SEARCH see.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeBase64Lenient, decodePartBody, decodePartText, decodeQuotedPrintable, decodeTransfer, decodedSize, textParts } from './decode.ts';
import { parseMessage } from './parse.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

test('RFC 2045 6.8 base64: whitespace and garbage ignored, padding, concatenated blocks', () => {
  const cases: [string, string][] = [
    ['aGVsbG8=', 'hello'],
    ['aGVs\r\nbG8=\r\n', 'hello'],
    ['aGVs bG8', 'hello'],
    ['a*G!V$s\tb-G8', 'hello'],
    ['aGk=aGk=', 'hihi'],
    ['aGVsbG8gd29ybGQ', 'hello world'],
    ['YQ', 'a'],
    ['Y', ''],
    ['', ''],
    ['====', ''],
  ];
  for (const [input, expected] of cases) assert.equal(decodeBase64Lenient(b(input)).toString('latin1'), expected, input);
});

test('base64 round trip of every byte value', () => {
  const all = Buffer.from(Array.from({ length: 256 * 3 + 1 }, (_, i) => (i * 7) & 0xff));
  const lines = all.toString('base64').replace(/.{76}/g, '$&\r\n');
  assert.deepEqual(decodeBase64Lenient(b(lines)), all);
});

test('RFC 2045 6.7 quoted-printable: escapes, soft breaks, trailing white space, bad escapes', () => {
  const cases: [string, string][] = [
    ['caf=E9', 'caf\xe9'],
    ['caf=e9', 'caf\xe9'],
    ['a=\r\nb', 'ab'],
    ['a=\nb', 'ab'],
    ['a=  \r\nb', 'ab'],
    ['line  \r\nnext\t\r\n', 'line\r\nnext\r\n'],
    ['bare\nlf\n', 'bare\nlf\n'],
    ['=3D=20=', '= '],
    ['100% =ZZ =4', '100% =ZZ =4'],
    ['=', ''],
    ['', ''],
  ];
  for (const [input, expected] of cases) {
    assert.equal(decodeQuotedPrintable(b(input)).toString('latin1'), expected, JSON.stringify(input));
  }
});

test('decodeTransfer: identities, known encodings, unknown is null', () => {
  const body = b('aGk=');
  for (const e of ['7bit', '8BIT', 'binary', '', ' 7bit ']) assert.equal(decodeTransfer(body, e), body, e);
  assert.equal(decodeTransfer(body, 'BASE64')!.toString(), 'hi');
  assert.equal(decodeTransfer(b('a=3Db'), 'Quoted-Printable')!.toString(), 'a=b');
  assert.equal(decodeTransfer(body, 'x-uuencode'), null);
});

test('decodePartBody, decodedSize and decodePartText on parsed parts', () => {
  const raw = b(
    [
      'Content-Type: multipart/mixed; boundary=x',
      '',
      '--x',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'caf=E9 =',
      'cr=E8me',
      '--x',
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: base64',
      '',
      'AAEC/w==',
      '--x',
      'Content-Type: application/x-thing',
      'Content-Transfer-Encoding: x-uuencode',
      '',
      'begin 644 x',
      '--x',
      'Content-Type: text/html; charset=utf-8',
      '',
      '<p>\xc3\xa9</p>',
      '--x--',
      '',
    ].join('\r\n'),
  );
  const parsed = parseMessage(raw);
  const [qp, bin, unknown, html] = parsed.root.children;
  assert.equal(decodePartBody(raw, qp!)!.toString('latin1'), 'caf\xe9 cr\xe8me');
  assert.equal(decodePartText(raw, qp!), 'caf\u00e9 cr\u00e8me');
  assert.deepEqual(decodePartBody(raw, bin!), Buffer.from([0, 1, 2, 255]));
  assert.equal(decodedSize(raw, bin!), 4);
  assert.equal(decodePartBody(raw, unknown!), null);
  assert.equal(decodedSize(raw, unknown!), null);
  assert.equal(decodePartText(raw, unknown!), 'begin 644 x');
  assert.equal(decodePartText(raw, html!), '<p>\u00e9</p>');
  assert.deepEqual(textParts(parsed.root), [qp, html]);
});

test('textParts looks inside encapsulated messages, in order', () => {
  const raw = b(
    'Content-Type: multipart/mixed; boundary=o\r\n\r\n--o\r\nContent-Type: text/plain\r\n\r\none\r\n--o\r\n' +
      'Content-Type: message/rfc822\r\n\r\nSubject: in\r\n\r\ntwo\r\n--o\r\nContent-Type: image/png\r\n\r\nxx\r\n--o--\r\n',
  );
  const parsed = parseMessage(raw);
  assert.deepEqual(
    textParts(parsed.root).map((p) => decodePartText(raw, p)),
    ['one', 'two'],
  );
});
