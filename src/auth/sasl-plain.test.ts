import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeBase64, parsePlain } from './sasl-plain.ts';

describe('decodeBase64 (RFC 4648 4, strict as RFC 5034 4 asks)', () => {
  const good: [string, string][] = [
    ['', ''],
    ['YQ==', 'a'],
    ['YWI=', 'ab'],
    ['YWJj', 'abc'],
  ];
  for (const [text, plain] of good) it(`accepts ${JSON.stringify(text)}`, () => assert.equal(decodeBase64(text)?.toString(), plain));
  for (const bad of ['YQ', 'YQ=', 'Y===', 'YW Jj', 'YWJj\n', '*', '=', 'YQ==YQ==', 'a-b_'])
    it(`refuses ${JSON.stringify(bad)}`, () => assert.equal(decodeBase64(bad), null));
});

describe('parsePlain (RFC 4616 2)', () => {
  const b = (s: string) => Buffer.from(s);
  it('reads authzid, authcid and password', () => {
    assert.deepEqual(parsePlain(b('\0user@example.test\0pass word')), { authzid: '', authcid: 'user@example.test', password: 'pass word' });
    assert.deepEqual(parsePlain(b('admin\0user\0pw')), { authzid: 'admin', authcid: 'user', password: 'pw' });
  });
  it('reads UTF-8', () => {
    assert.equal(parsePlain(b('\0us\u00e9r\0p\u00e4ss'))?.password, 'p\u00e4ss');
  });
  for (const [name, raw] of [
    ['no NUL', b('userpass')],
    ['one NUL', b('user\0pass')],
    ['three NULs', b('\0user\0pass\0')],
    ['empty authcid', b('\0\0pass')],
    ['empty password', b('\0user\0')],
    ['invalid UTF-8', Buffer.from([0, 0x75, 0, 0xff, 0xfe])],
  ] as const) {
    it(`refuses ${name}`, () => assert.equal(parsePlain(raw), null));
  }
});
