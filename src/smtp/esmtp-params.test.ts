import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeUnitext, decodeXtext, encodeUtf8AddrXtext, encodeXtext, parseDsnMailParams, parseDsnRcptParams, parseParams } from './esmtp-params.ts';

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

test('RFC 3461 MAIL parameters: RET and ENVID', () => {
  assert.deepEqual(parseDsnMailParams({}), { ret: null, envid: null });
  assert.deepEqual(parseDsnMailParams({ RET: 'full', ENVID: 'a+2Bb' }), { ret: 'full', envid: 'a+b' });
  assert.deepEqual(parseDsnMailParams({ RET: 'HDRS' }).ret, 'hdrs');
  const bad: Record<string, string | true>[] = [{ RET: 'BODY' }, { RET: true }, { ENVID: 'x'.repeat(101) }, { ENVID: 'a+zz' }, { ENVID: true }];
  for (const params of bad) {
    assert.throws(() => parseDsnMailParams(params), { name: 'ParamSyntaxError' }, JSON.stringify(params));
  }
});

test('RFC 3461 RCPT parameters: NOTIFY and ORCPT (utf-8 addresses with SMTPUTF8, RFC 6533)', () => {
  assert.deepEqual(parseDsnRcptParams({ NOTIFY: 'never' }, false), { notify: [], orcpt: null });
  assert.deepEqual(parseDsnRcptParams({ NOTIFY: 'Success,DELAY', ORCPT: 'RFC822;a+2Bb@x.example' }, false), {
    notify: ['success', 'delay'],
    orcpt: 'rfc822;a+b@x.example',
  });
  assert.deepEqual(parseDsnRcptParams({ ORCPT: 'utf-8;j\\x{F6}rg@x.example' }, true).orcpt, 'utf-8;jörg@x.example');
  assert.deepEqual(parseDsnRcptParams({ ORCPT: 'utf-8;jörg@x.example' }, true).orcpt, 'utf-8;jörg@x.example');
  const bad: [Record<string, string | true>, boolean][] = [
    [{ NOTIFY: 'NEVER,SUCCESS' }, false],
    [{ NOTIFY: 'SOMETIMES' }, false],
    [{ NOTIFY: 'DELAY,DELAY' }, false],
    [{ NOTIFY: true }, false],
    [{ ORCPT: 'rfc822' }, false],
    [{ ORCPT: ';a@b' }, false],
    [{ ORCPT: 'rfc 822;a@b' }, false],
    [{ ORCPT: 'rfc822;' }, false],
    [{ ORCPT: 'utf-8;a@b' }, false],
    [{ ORCPT: 'utf-8;\\x{D800}@b' }, true],
    [{ ORCPT: `rfc822;${'a'.repeat(500)}` }, false],
  ];
  for (const [params, utf8] of bad) assert.throws(() => parseDsnRcptParams(params, utf8), { name: 'ParamSyntaxError' }, JSON.stringify(params));
});

test('xtext and utf-8-addr-xtext encoding round-trip', () => {
  for (const s of ['plain@example.org', 'a+b=c@example.org', 'sp ace@x']) assert.equal(decodeXtext(encodeXtext(s)), s);
  assert.equal(encodeXtext('a+b=c'), 'a+2Bb+3Dc');
  assert.equal(encodeUtf8AddrXtext('jörg+x@example.org'), 'j\\x{F6}rg\\x{2B}x@example.org');
  assert.equal(decodeUnitext(encodeUtf8AddrXtext('jörg+x@example.org')), 'jörg+x@example.org');
});
