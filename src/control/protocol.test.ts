import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { readLines } from './protocol.ts';

function feed(chunks: string[], max: number): { lines: string[]; overflows: number } {
  const socket = new EventEmitter();
  const out = { lines: [] as string[], overflows: 0 };
  readLines(
    socket as unknown as Socket,
    max,
    (l) => out.lines.push(l),
    () => out.overflows++,
  );
  for (const c of chunks) socket.emit('data', Buffer.from(c));
  return out;
}

test('lines split across chunks and several in one chunk', () => {
  assert.deepEqual(feed(['{"a"', ':1}\n{"b":2}\n{"c"', '', ':3}\n'], 100), { lines: ['{"a":1}', '{"b":2}', '{"c":3}'], overflows: 0 });
});

test('multi-byte characters split between chunks survive', () => {
  const bytes = Buffer.from('{"n":"é"}\n');
  const socket = new EventEmitter();
  const lines: string[] = [];
  readLines(
    socket as unknown as Socket,
    100,
    (l) => lines.push(l),
    () => {},
  );
  socket.emit('data', bytes.subarray(0, 7));
  socket.emit('data', bytes.subarray(7));
  assert.deepEqual(lines, ['{"n":"é"}']);
});

test('a line of exactly the limit passes; one byte more overflows once, then nothing is read', () => {
  assert.deepEqual(feed([`${'x'.repeat(10)}\n`], 10), { lines: ['x'.repeat(10)], overflows: 0 });
  assert.deepEqual(feed(['x'.repeat(6), 'x'.repeat(5), '\nok\n'], 10), { lines: [], overflows: 1 });
  assert.deepEqual(feed([`ok\n${'x'.repeat(11)}\nlater\n`], 10), { lines: ['ok'], overflows: 1 });
});
