import { test } from 'node:test';
import assert from 'node:assert/strict';
import { charsetDecoder, decodeCharset, decodeUtf8OrLatin1, isKnownCharset } from './charset.ts';

test('charset labels through TextDecoder, unknown and replacement labels rejected', () => {
  for (const label of [
    'utf-8',
    'UTF8',
    'iso-8859-15',
    'windows-1252',
    'koi8-r',
    'shift_jis',
    'euc-jp',
    'iso-2022-jp',
    'gb18030',
    'big5',
    'euc-kr',
    'us-ascii*en',
  ]) {
    assert.ok(isKnownCharset(label), label);
  }
  for (const label of ['', 'x-unknown', 'utf-7', 'iso-2022-kr', 'hz-gb-2312']) {
    assert.equal(charsetDecoder(label), null, label);
  }
});

test('decodeUtf8OrLatin1', () => {
  assert.equal(decodeUtf8OrLatin1(Buffer.from('plain')), 'plain');
  assert.equal(decodeUtf8OrLatin1(Buffer.from('K\u00f6ln \u2603', 'utf8')), 'K\u00f6ln \u2603');
  assert.equal(decodeUtf8OrLatin1(Buffer.from([0x4b, 0xf6, 0x6c, 0x6e, 0x80])), 'K\u00f6ln\u20ac');
});

test('decodeCharset: named charsets, us-ascii holding UTF-8, unknown fallback', () => {
  assert.equal(decodeCharset(Buffer.from([0xe9]), 'iso-8859-1'), '\u00e9');
  assert.equal(decodeCharset(Buffer.from('\u00e9', 'utf8'), 'us-ascii'), '\u00e9');
  assert.equal(decodeCharset(Buffer.from('\u00e9', 'utf8'), null), '\u00e9');
  assert.equal(decodeCharset(Buffer.from([0xe9]), 'x-unknown'), '\u00e9');
  assert.equal(decodeCharset(Buffer.from([0x1b, 0x24, 0x42, 0x46, 0x7c, 0x1b, 0x28, 0x42]), 'ISO-2022-JP'), '\u65e5');
});
