// Bounded fuzzing of parseMessage: the mime-message target (test/fuzz/mime.ts), its seed corpus
// mutated for a fixed number of cases with a fixed seed, then a linearity check per hostile
// family. Whatever the bytes, parseMessage answers, its tree keeps every invariant, and the
// helpers that run on the tree (sections, decoding, header subsets) answer too.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMessage } from './parse.ts';
import { prng } from '../../test/support/prng.ts';
import { fuzzTests } from '../../test/support/fuzz.ts';
import { mimeMessageTarget, mutateMessage } from '../../test/fuzz/mime.ts';

fuzzTests(mimeMessageTarget, { cases: 3000, seed: 0x5eed });

test('the mutations keep most multiparts intact, so that the cases reach nested parts', () => {
  const rnd = prng(0x5eed);
  let parts = 0;
  for (let round = 0; round < 300; round++) {
    parts += parseMessage(mutateMessage(mimeMessageTarget.seeds[round % mimeMessageTarget.seeds.length]!, rnd)).root.children.length;
  }
  assert.ok(parts > 300, `${parts} top-level parts in 300 messages`);
});
