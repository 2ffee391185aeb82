import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeMutf7, encodeMutf7 } from './mutf7.ts';

// RFC 3501 5.1.3 examples and edge cases.
const PAIRS: [string, string][] = [
  ['INBOX', 'INBOX'],
  ['~peter/mail/台北/日本語', '~peter/mail/&U,BTFw-/&ZeVnLIqe-'],
  ['Entwürfe', 'Entw&APw-rfe'],
  ['a&b', 'a&-b'],
  ['&', '&-'],
  ['Ünïcödé', '&ANw-n&AO8-c&APY-d&AOk-'],
  ['😀', '&2D3eAA-'],
];

test('encode and decode are inverse on the RFC examples', () => {
  for (const [name, wire] of PAIRS) {
    assert.equal(encodeMutf7(name), wire, name);
    assert.equal(decodeMutf7(wire), name, wire);
  }
});

test('malformed modified UTF-7 is refused', () => {
  for (const bad of ['&', '&Jjo', '&AGE-' /* encodes ASCII "a" */, '&Jjo-&AQE-' /* adjacent shifts */, '&!!-', 'a\x01b', 'Ä', '&2D0-' /* lone surrogate */]) {
    assert.equal(decodeMutf7(bad), null, JSON.stringify(bad));
  }
});
