import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { MimePart, Param } from './types.ts';
import {
  displayParam,
  filenameOf,
  mergeRfc2231,
  parseContentType,
  parseDisposition,
  parseLanguage,
  parseParams,
  parseRawParams,
  parseTransferEncoding,
  rfc2231Encode,
} from './params.ts';

test('parseContentType: RFC 2045 5.1 forms', () => {
  const cases: [string, ReturnType<typeof parseContentType>][] = [
    ['text/plain', { type: 'text', subtype: 'plain', params: [] }],
    ['TEXT/HTML; CHARSET="UTF-8"', { type: 'text', subtype: 'html', params: [['charset', 'UTF-8']] }],
    [
      'multipart/mixed;\r\n boundary="----=_Part_1;x"; foo=bar',
      {
        type: 'multipart',
        subtype: 'mixed',
        params: [
          ['boundary', '----=_Part_1;x'],
          ['foo', 'bar'],
        ],
      },
    ],
    // RFC 2045 5.1's own example, with a comment
    ['text/plain; charset=us-ascii (Plain text)', { type: 'text', subtype: 'plain', params: [['charset', 'us-ascii']] }],
    ['(c) text / plain (c) ; a=b', { type: 'text', subtype: 'plain', params: [['a', 'b']] }],
    // lenient: missing ";", value with spaces, quoted value then junk, attribute without value
    ['text/plain charset=utf-8', { type: 'text', subtype: 'plain', params: [['charset', 'utf-8']] }],
    ['application/pdf; name=my file.pdf', { type: 'application', subtype: 'pdf', params: [['name', 'my file.pdf']] }],
    [
      'a/b; x="1" junk; y=2',
      {
        type: 'a',
        subtype: 'b',
        params: [
          ['x', '1'],
          ['y', '2'],
        ],
      },
    ],
    ['a/b; novalue; y=2;;', { type: 'a', subtype: 'b', params: [['y', '2']] }],
    ['a/b; q="unterminated', { type: 'a', subtype: 'b', params: [['q', 'unterminated']] }],
    ['a/b; e=""', { type: 'a', subtype: 'b', params: [['e', '']] }],
    ['text/plain/extra; charset=x', { type: 'text', subtype: 'plain', params: [['charset', 'x']] }],
  ];
  for (const [input, expected] of cases) assert.deepEqual(parseContentType(input), expected, input);
});

test('parseContentType: invalid values are null (RFC 2045 5.2 default applies)', () => {
  for (const input of ['', 'text', 'text/', '/plain', ';charset=x', 'garbage here', '"text"/plain']) {
    assert.equal(parseContentType(input), null, input);
  }
});

test('RFC 2231 3 continuations and RFC 2231 4 charsets, RFC 9051 7.5.2 decoded form', () => {
  const cases: [string, Param[]][] = [
    // plain continuations join into the base name
    ['; name*0="abc"; name*1="def"; name*2=ghi', [['name', 'abcdefghi']]],
    // extended: decoded to UTF-8, attribute keeps its "*"
    ["; filename*=utf-8''%E2%82%AC%20rate.txt", [['filename*', '\u20ac rate.txt']]],
    ["; filename*=iso-8859-1'en'caf%E9", [['filename*', 'caf\u00e9']]],
    // multibyte character split across sections
    ["; name*0*=UTF-8''%E2%82; name*1*=%AC; name*2=.txt", [['name*', '\u20ac.txt']]],
    // sections out of order, plain and extended attribute kept both, positions kept
    [
      "; a=1; title*1*=%20two; title*0*=us-ascii'en'one; title=fallback; z=9",
      [
        ['a', '1'],
        ['title*', 'one two'],
        ['title', 'fallback'],
        ['z', '9'],
      ],
    ],
    // a missing section: left exactly as written (as Dovecot does)
    [
      '; name*0="a"; name*2="c"',
      [
        ['name*0', 'a'],
        ['name*2', 'c'],
      ],
    ],
    // a repeated section: left as written
    [
      '; name*0="a"; name*0="b"',
      [
        ['name*0', 'a'],
        ['name*0', 'b'],
      ],
    ],
    // unknown charset: octets read as UTF-8 when valid, else windows-1252
    ["; f*=x-unknown''%C3%A9", [['f*', '\u00e9']]],
    ["; f*=x-unknown''%E9", [['f*', '\u00e9']]],
    // no charset quotes at all
    ['; f*=plain%20value', [['f*', 'plain value']]],
    // a later section repeating charset'' (broken mailers)
    ["; n*0*=utf-8''a; n*1*=utf-8''%C3%A9", [['n*', 'a\u00e9']]],
    // a bad %-escape stays as it is
    ["; n*=utf-8''100%", [['n*', '100%']]],
  ];
  for (const [input, expected] of cases) assert.deepEqual(parseParams(input), expected, input);
});

test('parseRawParams keeps RFC 2231 attributes as written; mergeRfc2231 is idempotent on plain lists', () => {
  assert.deepEqual(parseRawParams('; a*0*=x; B=Y'), [
    ['a*0*', 'x'],
    ['b', 'Y'],
  ]);
  const plain: Param[] = [['charset', 'utf-8']];
  assert.deepEqual(mergeRfc2231(plain), plain);
});

test('parseDisposition (RFC 2183)', () => {
  assert.deepEqual(parseDisposition('Attachment; filename="a b.pdf"; size=10'), {
    type: 'attachment',
    params: [
      ['filename', 'a b.pdf'],
      ['size', '10'],
    ],
  });
  assert.deepEqual(parseDisposition('inline'), { type: 'inline', params: [] });
  assert.equal(parseDisposition(''), null);
  assert.equal(parseDisposition('; filename=x'), null);
  assert.equal(parseDisposition('filename=x'), null);
});

test('parseTransferEncoding and parseLanguage', () => {
  assert.equal(parseTransferEncoding(' Base64 '), 'Base64');
  assert.equal(parseTransferEncoding('quoted-printable (comment)'), 'quoted-printable');
  assert.equal(parseTransferEncoding('  '), null);
  assert.deepEqual(parseLanguage('en, de-CH (Swiss)'), ['en', 'de-CH']);
  assert.equal(parseLanguage(' , '), null);
});

test('displayParam and filenameOf prefer RFC 2231, decode RFC 2047 in plain values', () => {
  const params: Param[] = [
    ['name', '=?UTF-8?B?w6TDtsO8LnR4dA==?='],
    ['charset', 'us-ascii'],
  ];
  assert.equal(displayParam(params, 'name'), '\u00e4\u00f6\u00fc.txt');
  assert.equal(displayParam(params, 'missing'), null);
  assert.equal(
    displayParam(
      [
        ['name', 'old'],
        ['name*', 'new \u20ac'],
      ],
      'name',
    ),
    'new \u20ac',
  );
  const part = { params, disposition: { type: 'attachment', params: [['filename*', 'd\u00e9.pdf']] } } as unknown as MimePart;
  assert.equal(filenameOf(part), 'd\u00e9.pdf');
  assert.equal(filenameOf({ ...part, disposition: null }), '\u00e4\u00f6\u00fc.txt');
  assert.equal(filenameOf({ ...part, disposition: null, params: [] }), null);
});

test('rfc2231Encode round-trips through parseParams', () => {
  for (const value of ['\u20ac Rechnung f\u00fcr M\u00e4rz.pdf', 'plain.txt', "it's 100% (x)", '\u65e5\u672c']) {
    const encoded = rfc2231Encode(value);
    assert.match(encoded, /^utf-8''[\x21-\x7e]*$/);
    assert.deepEqual(parseParams(`; f*=${encoded}`), [['f*', value]]);
  }
});

test('hostile parameter lists stay linear and bounded', () => {
  const noValues = `a/b${';a'.repeat(200000)};x=1`;
  const started = performance.now();
  assert.deepEqual(parseContentType(noValues)!.params, [['x', '1']]);
  assert.ok(performance.now() - started < 2000, 'linear');
  assert.equal(parseParams(';a=1'.repeat(5000)).length, 1000);
});
