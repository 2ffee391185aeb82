import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeEncodedWords, decodeRfc2231Value, percentDecode, splitExtendedValue } from './encoded-words.ts';

test('RFC 2047 B and Q in several charsets', () => {
  const cases: [string, string][] = [
    ['=?UTF-8?B?w4RwZmVs?=', '\u00c4pfel'],
    ['=?utf-8?b?w4RwZmVs?=', '\u00c4pfel'],
    ['=?ISO-8859-1?Q?Caf=E9_cr=E8me?=', 'Caf\u00e9 cr\u00e8me'],
    ['=?iso-8859-1?q?caf=e9?=', 'caf\u00e9'],
    ['=?iso-2022-jp?B?GyRCRnxLXDhsGyhC?=', '\u65e5\u672c\u8a9e'],
    ['=?windows-1251?Q?=CF=F0=E8=E2=E5=F2?=', '\u041f\u0440\u0438\u0432\u0435\u0442'],
    ['=?koi8-r?B?8NLJ18XU?=', '\u041f\u0440\u0438\u0432\u0435\u0442'],
    ['=?gb2312?B?1tDOxA==?=', '\u4e2d\u6587'],
    ['=?shift_jis?B?k/qWe4zq?=', '\u65e5\u672c\u8a9e'],
    // RFC 2231 5 language suffix on the charset
    ['=?US-ASCII*EN?Q?Keith_Moore?=', 'Keith Moore'],
  ];
  for (const [input, expected] of cases) assert.equal(decodeEncodedWords(input), expected, input);
});

test('RFC 2047 6.2 white space between adjacent encoded-words goes, other text stays', () => {
  const cases: [string, string][] = [
    ['=?utf-8?q?a?= =?utf-8?q?b?=', 'ab'],
    ['=?utf-8?q?a?=\r\n =?utf-8?q?b?=', 'ab'],
    ['=?utf-8?q?a?= b =?utf-8?q?c?=', 'a b c'],
    ['Re: =?utf-8?q?x?= (y)', 'Re: x (y)'],
    // a multibyte character split across two words in one charset
    ['=?UTF-8?B?4oI=?= =?UTF-8?B?rA==?=', '\u20ac'],
    // different charsets side by side
    ['=?iso-8859-1?q?=E9?= =?utf-8?q?=C3=A9?=', '\u00e9\u00e9'],
    // lenient: glued to other text
    ['abc=?utf-8?q?d?=ef', 'abcdef'],
  ];
  for (const [input, expected] of cases) assert.equal(decodeEncodedWords(input), expected, input);
});

test('unknown charsets and malformed words are left as they are', () => {
  const cases: [string, string][] = [
    ['=?x-unknown?q?abc?=', '=?x-unknown?q?abc?='],
    ['=?iso-2022-kr?q?abc?=', '=?iso-2022-kr?q?abc?='],
    ['=?utf-8?x?abc?=', '=?utf-8?x?abc?='],
    ['=?utf-8?q?no end', '=?utf-8?q?no end'],
    ['plain text', 'plain text'],
    ['', ''],
    // the unknown word breaks adjacency: the space after it stays
    ['=?x-unknown?q?a?= =?utf-8?q?b?=', '=?x-unknown?q?a?= b'],
    // lenient payloads: bad Q escapes kept, base64 without padding
    ['=?utf-8?q?100=ZZ?=', '100=ZZ'],
    ['=?utf-8?b?w6k?=', '\u00e9'],
  ];
  for (const [input, expected] of cases) assert.equal(decodeEncodedWords(input), expected, input);
});

test('RFC 2231 extended values', () => {
  assert.deepEqual(splitExtendedValue("utf-8'en'%E2%82%AC"), {
    charset: 'utf-8',
    language: 'en',
    bytes: Buffer.from('\u20ac'),
  });
  assert.deepEqual(splitExtendedValue('%41B'), { charset: '', language: '', bytes: Buffer.from('AB') });
  assert.deepEqual(percentDecode('%4g%41%'), Buffer.from('%4gA%'));
  assert.equal(decodeRfc2231Value("iso-8859-1''caf%E9"), 'caf\u00e9');
  assert.equal(decodeRfc2231Value("''%C3%A9"), '\u00e9');
});
