import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeXtext, parseParams } from './esmtp-params.ts';

test('esmtp-param grammar (RFC 5321 4.1.2)', () => {
  const cases: [string, Record<string, string | true> | null][] = [
    ['', {}],
    ['SIZE=100', { SIZE: '100' }],
    ['size=100 body=8BITMIME', { SIZE: '100', BODY: '8BITMIME' }],
    ['SMTPUTF8', { SMTPUTF8: true }],
    ['AUTH=<>', { AUTH: '<>' }],
    ['X-1=a', { 'X-1': 'a' }],
    ['SIZE=', null], // esmtp-value is 1*char
    ['SIZE=a=b', null], // "=" is not in esmtp-value
    ['-SIZE=1', null], // keyword starts with ALPHA / DIGIT
    ['SIZE=1  BODY=7BIT', null], // one SP between parameters
    ['SIZE=1 SIZE=2', null], // once each
    ['SIZE=\x01', null],
  ];
  for (const [input, expected] of cases) {
    if (expected === null) assert.throws(() => parseParams(input), { name: 'ParamSyntaxError' }, input);
    else assert.deepEqual(parseParams(input), expected, input);
  }
});

test('xtext (RFC 3461 4)', () => {
  assert.equal(decodeXtext('a+2Bb'), 'a+b');
  assert.equal(decodeXtext('plain'), 'plain');
  assert.equal(decodeXtext('a+2b'), null);
  assert.equal(decodeXtext('a=b'), null);
});
