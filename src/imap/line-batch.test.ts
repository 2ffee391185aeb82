// LineBatch against the text it stands for: numbers of every size, 8-bit text, builder chunks, and
// a batch that outgrows its first buffer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LineBatch } from './line-batch.ts';

test('writes text, numbers and chunks as the same bytes as their strings', () => {
  const b = new LineBatch();
  b.text('* ')
    .num(0)
    .text(' ')
    .num(7)
    .text(' ')
    .num(10)
    .text(' ')
    .num(4_294_967_295)
    .text(' ')
    .num(2 ** 53 - 1);
  b.text(' "Grüße ✉"').chunks(['{3}\r\n', Buffer.from([0xff, 0x00, 0x41]), ')\r\n']);
  const expected = Buffer.concat([Buffer.from(`* 0 7 10 4294967295 ${2 ** 53 - 1} "Grüße ✉"{3}\r\n`), Buffer.from([0xff, 0x00, 0x41]), Buffer.from(')\r\n')]);
  assert.equal(b.length, expected.length);
  assert.deepEqual(b.take(), expected);
  assert.equal(b.length, 0);
});

test('grows past its first buffer without losing what was written, and starts empty after take()', () => {
  const b = new LineBatch();
  let expected = '';
  for (let i = 0; i < 20_000; i++) {
    b.text('* ').num(i).text(' FETCH (FLAGS (\\Seen))\r\n');
    expected += `* ${i} FETCH (FLAGS (\\Seen))\r\n`;
  }
  b.chunks([Buffer.alloc(100_000, 0x61)]);
  expected += 'a'.repeat(100_000);
  assert.equal(b.take().toString('latin1'), expected);
  b.text('OK');
  assert.equal(b.take().toString(), 'OK');
});
