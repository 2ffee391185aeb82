// ByteLines against the strings it stands for: decimal and hex numbers at their edges, 8-bit text,
// and take() handing over what was written.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ByteLines } from './byte-lines.ts';

test('hex8 writes 8 lower-case digits, zeros in front, for the whole 32-bit range', () => {
  const out = new ByteLines();
  for (const n of [0, 1, 0xf, 0x10, 0xabcdef, 0x7fffffff, 0x80000000, 0xffffffff]) out.hex8(n).text(' ');
  assert.equal(out.take().toString('latin1'), '00000000 00000001 0000000f 00000010 00abcdef 7fffffff 80000000 ffffffff ');
});

test('num and text write what their strings hold, and take() starts again empty', () => {
  const out = new ByteLines();
  out.num(0).text(' ').num(9).text(' ').num(10).text(' ').num(4_294_967_295).text(' Grüße\r\n');
  assert.equal(out.length, Buffer.byteLength('0 9 10 4294967295 Grüße\r\n'));
  assert.equal(out.take().toString('utf8'), '0 9 10 4294967295 Grüße\r\n');
  assert.equal(out.length, 0);
  assert.equal(out.num(42).take().toString(), '42');
});
