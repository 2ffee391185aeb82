// THREAD's keys: whole numbers below 2^53, the same for the same string, apart for 300,000 different
// Message-ID-like strings; their columns survive encoding, and rows can be picked from them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EMPTY_SUBJECT, selectKeys, ThreadKeys, threadKey } from './thread-key.ts';

test('keys are 53-bit whole numbers, equal for equal strings, and apart for 300,000 different ones', () => {
  const seen = new Set<number>();
  for (let i = 0; i < 300_000; i++) {
    const k = threadKey(`${i}.${i % 97}@mail${i % 13}.example.org`);
    assert.ok(Number.isSafeInteger(k) && k >= 0);
    seen.add(k);
  }
  assert.equal(seen.size, 300_000);
  assert.equal(threadKey('a@b'), threadKey('a@b'));
  assert.notEqual(threadKey('ab'), threadKey('ba'));
  assert.notEqual(threadKey(''), threadKey('\0'));
  assert.equal(EMPTY_SUBJECT, threadKey(''));
});

test('columns survive encoding; rows are picked by position, a missing one empty', () => {
  const keys = ThreadKeys.of([
    { baseSubject: 'lunch', messageId: 'a@x', references: [] },
    { baseSubject: 'lunch', messageId: null, references: ['a@x', 'b@x'] },
    { baseSubject: '', messageId: 'c@x', references: ['b@x'] },
  ]);
  const decoded = ThreadKeys.decode(keys.encode());
  assert.deepEqual(decoded, keys);
  assert.ok(Number.isNaN(decoded.id[1]!));
  const picked = selectKeys(keys, 3, (i) => [2, -1, 1][i]!);
  assert.deepEqual([...picked.subject], [EMPTY_SUBJECT, EMPTY_SUBJECT, threadKey('lunch')]);
  assert.deepEqual(
    [...picked.id].map((x) => (Number.isNaN(x) ? null : x)),
    [threadKey('c@x'), null, null],
  );
  assert.deepEqual([...picked.start], [0, 1, 1, 3]);
  assert.deepEqual([...picked.refs], [threadKey('b@x'), threadKey('a@x'), threadKey('b@x')]);
});
