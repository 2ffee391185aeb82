// RFC 5256 2.1 base subject extraction, step by step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseSubject, canonical } from './base-subject.ts';

test('reply and forward leaders, blobs, trailers and [fwd: ...] are removed, repeatedly', () => {
  const cases: [string, string, boolean][] = [
    ['Hello', 'HELLO', false],
    ['Re: Hello', 'HELLO', true],
    ['RE: re: Fwd: hello', 'HELLO', true],
    ['Fw:hello', 'HELLO', true],
    ['Re [list]: hello', 'HELLO', true],
    ['[list] Re: hello', 'HELLO', true],
    ['[list] hello', 'HELLO', false],
    // (4): a blob is kept when nothing would be left
    ['[list]', '[LIST]', false],
    ['hello (fwd)', 'HELLO', true],
    ['hello (fwd) (FWD)  ', 'HELLO', true],
    ['[Fwd: Re: hello]', 'HELLO', true],
    ['[fwd: [list] hello (fwd)]', 'HELLO', true],
    // (1): folding and tabs become one space
    ['Re:\thello \r\n  world', 'HELLO WORLD', true],
    ['   ', '', false],
    ['Re:', '', true],
    ['Reply: hello', 'REPLY: HELLO', false],
    ['Rex: hello', 'REX: HELLO', false],
    ['Re', 'RE', false],
    ['[a] [b] Fwd [c]: x', 'X', true],
    ['[a [b] x', '[A [B] X', false],
    ['x [fwd: y]', 'X [FWD: Y]', false],
  ];
  for (const [subject, base, reply] of cases) assert.deepEqual(baseSubject(subject), { base, reply }, subject);
});

test('the comparison form folds case beyond ASCII and decomposes', () => {
  assert.equal(canonical('grüße'), canonical('GRÜSSE'));
  assert.equal(canonical('ﬁle'), canonical('FILE'));
  assert.notEqual(canonical('a'), canonical('b'));
});

test('hostile subjects of many blobs, leaders or trailers cost one pass', () => {
  const n = 50_000;
  assert.deepEqual(baseSubject(`${'[a]'.repeat(n)}x`), { base: 'X', reply: false });
  assert.deepEqual(baseSubject(`${'[a]'.repeat(n)}`), { base: '[A]', reply: false });
  assert.deepEqual(baseSubject(`x${'(fwd) '.repeat(n)}`), { base: 'X', reply: true });
  assert.deepEqual(baseSubject(`${'Re: [l] '.repeat(n)}x`), { base: 'X', reply: true });
  assert.deepEqual(baseSubject(`${'[fwd: '.repeat(n)}x${']'.repeat(n)}`), { base: 'X', reply: true });
});
