// LineBatch against the text it stands for: numbers of every size, 8-bit text, strings as
// ResponseBuilder writes them, and a batch that outgrows its first buffer.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ResponseBuilder } from './encoder.ts';
import { LineBatch } from './line-batch.ts';

test('writes text and numbers as the same bytes as their strings', () => {
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
  b.text(' "Grüße ✉"\r\n');
  const expected = Buffer.from(`* 0 7 10 4294967295 ${2 ** 53 - 1} "Grüße ✉"\r\n`);
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
  b.text('a'.repeat(100_000));
  expected += 'a'.repeat(100_000);
  assert.equal(b.take().toString('latin1'), expected);
  b.text('OK');
  assert.equal(b.take().toString(), 'OK');
});

test('str(): NIL, quoted strings and literals, byte for byte as ResponseBuilder writes them', () => {
  const strings = [null, '', 'plain', 'NIL', 'a "quoted" word and a \\ backslash', 'Grüße ✉', 'ü "and" \\', 'two\r\nlines', 'nul\0', '\u{1F600} emoji'];
  for (const utf8 of [false, true]) {
    for (const s of strings) {
      const chunks = new ResponseBuilder(utf8).sp().str(s).take();
      const expected = Buffer.concat(chunks.map((c) => (typeof c === 'string' ? Buffer.from(c, 'utf8') : c)));
      assert.deepEqual(new LineBatch(utf8).sp().str(s).take(), expected, `${JSON.stringify(s)} utf8=${utf8}`);
    }
  }
});
