import assert from 'node:assert/strict';
import { test } from 'node:test';
import { normalizeLineEndings } from './line-endings.ts';

test('bare LF becomes CRLF; CRLF input is returned untouched', () => {
  const crlf = Buffer.from('A: b\r\n\r\nbody\r\n');
  assert.equal(normalizeLineEndings(crlf), crlf);
  assert.equal(normalizeLineEndings(Buffer.from('A: b\n\nbody\r\nx\n')).toString(), 'A: b\r\n\r\nbody\r\nx\r\n');
  assert.equal(normalizeLineEndings(Buffer.from('\nx')).toString(), '\r\nx');
});
