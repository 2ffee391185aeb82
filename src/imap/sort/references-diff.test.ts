// THREAD=REFERENCES over the typed-array Forest against the object-per-node implementation it
// replaced (test/support/thread-oracle.ts), on seeded random mailboxes that exercise every step:
// references to earlier, later and absent messages, duplicate and missing Message-IDs, loops,
// subjects shared by several threads with and without reply markers, and ties in date.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseSubject } from '../../mime/base-subject.ts';
import { prng } from '../../../test/support/prng.ts';
import { asColumns, formatNodes, type ThreadMessage, threadReferencesByNodes } from '../../../test/support/thread-oracle.ts';
import { LineBatch } from '../line-batch.ts';
import { threadReferences } from './references.ts';
import { formatThreads } from './thread-tree.ts';

function mailbox(seed: number, count: number): ThreadMessage[] {
  const random = prng(seed);
  const pick = (n: number) => Math.floor(random() * n);
  const subjects = ['lunch', 'budget', 'garden', 'trip', '', 'news'];
  const markers = ['', '', 'Re: ', 'Fwd: ', 'RE: [list] '];
  return Array.from({ length: count }, (_, i) => {
    // ids from a range a little larger than the mailbox: some referenced ids never arrive
    const id = pick(10) === 0 ? null : `m${pick(10) === 0 ? pick(i + 1) : i}`;
    const references = Array.from({ length: pick(4) }, () => (pick(8) === 0 ? `x${pick(20)}` : `m${pick(Math.floor(count * 1.1))}`));
    const { base, reply } = baseSubject(`${markers[pick(markers.length)]}${subjects[pick(subjects.length)]}`);
    return { n: i + 1, seq: i + 1, date: pick(40), baseSubject: base, reply, messageId: id, references };
  });
}

const tick = async () => {};

test('REFERENCES on the Forest threads as the object implementation did: 40 random mailboxes', async () => {
  for (let seed = 1; seed <= 40; seed++) {
    const messages = mailbox(seed, seed <= 30 ? 60 : 1500);
    const expected = new LineBatch();
    await formatNodes(await threadReferencesByNodes(messages, tick), expected, tick);
    const actual = new LineBatch();
    await formatThreads(await threadReferences(asColumns(messages), tick), actual, tick);
    assert.equal(actual.take().toString(), expected.take().toString(), `seed ${seed}`);
  }
});
