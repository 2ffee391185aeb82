// THREAD=REFERENCES and THREAD=ORDEREDSUBJECT (RFC 5256 3) on small mailboxes built for each step
// of the algorithms, written out as the THREAD response's thread-lists (RFC 5256 4).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { baseSubject } from '../../mime/base-subject.ts';
import { orderedSubject } from './ordered-subject.ts';
import { threadReferences } from './references.ts';
import { LineBatch } from '../line-batch.ts';
import { type Forest, formatThreads, ThreadMessages } from './thread-tree.ts';

interface Spec {
  id?: string;
  refs?: string[];
  subject?: string;
  date?: number;
}

function mailbox(specs: Spec[]): ThreadMessages {
  const out = new ThreadMessages(specs.length);
  specs.forEach((s, i) => {
    const { base, reply } = baseSubject(s.subject ?? `subject ${i + 1}`);
    out.push(i + 1, s.date ?? i, reply, base, s.id ?? null, s.refs ?? []);
  });
  return out;
}

const tick = async () => {};
const format = async (forest: Forest) => {
  const out = new LineBatch();
  await formatThreads(forest, out, tick);
  return out.take().toString();
};
const references = async (specs: Spec[]) => format(await threadReferences(mailbox(specs), tick));
const ordered = async (specs: Spec[]) => format(await orderedSubject(mailbox(specs), tick));

test('REFERENCES (1): references link messages; a missing one is a dummy', async () => {
  assert.equal(await references([{ id: 'a' }, { id: 'b', refs: ['a'] }, { id: 'c', refs: ['a', 'b'] }]), '(1 2 3)');
  // a reply whose References lacks the middle of the thread still hangs under its last reference
  assert.equal(await references([{ id: 'a' }, { id: 'c', refs: ['a', 'b'] }, { id: 'b', refs: ['a'] }]), '(1 3 2)');
  // siblings under one parent, in sent-date order
  assert.equal(await references([{ id: 'a' }, { id: 'b', refs: ['a'], date: 9 }, { id: 'c', refs: ['a'], date: 5 }]), '(1 (3)(2))');
  // thread-members continue after a single child; nested lists after a branch
  assert.equal(await references([{ id: 'a' }, { id: 'b', refs: ['a'] }, { id: 'c', refs: ['a'] }, { id: 'd', refs: ['a', 'c'] }]), '(1 (2)(3 4))');
});

test('REFERENCES (1.B): the message itself says who its parent is; loops are not made', async () => {
  // b's References made x its parent's parent; c's own References move it
  assert.equal(await references([{ id: 'a' }, { id: 'b', refs: ['x', 'c'] }, { id: 'c', refs: ['a'] }]), '(1 3 2)');
  // a and b reference each other: the second link would close a loop
  assert.equal(
    await references([
      { id: 'a', refs: ['b'] },
      { id: 'b', refs: ['a'] },
    ]),
    '(2 1)',
  );
  // a message referencing itself
  assert.equal(await references([{ id: 'a', refs: ['a'] }]), '(1)');
});

test('REFERENCES: messages without or with a duplicate Message-ID are each a message of their own', async () => {
  assert.equal(await references([{ id: 'a' }, { id: 'a' }, {}, { refs: ['a'] }]), '(1 4)(2)(3)');
});

test('REFERENCES (4): dummies are pruned, kept at the root only for two or more children', async () => {
  assert.equal(await references([{ id: 'a', refs: ['x'] }]), '(1)');
  assert.equal(
    await references([
      { id: 'a', refs: ['x'] },
      { id: 'b', refs: ['x'] },
    ]),
    '((1)(2))',
  );
  // a dummy inside a thread gives its children to its parent
  assert.equal(await references([{ id: 'a' }, { id: 'b', refs: ['a', 'x'] }, { id: 'c', refs: ['a', 'x'] }]), '(1 (2)(3))');
});

test('REFERENCES (5): threads with the same base subject are gathered', async () => {
  // a reply goes under the original
  assert.equal(
    await references([
      { id: 'a', subject: 'lunch' },
      { id: 'b', subject: 'Re: lunch' },
    ]),
    '(1 2)',
  );
  assert.equal(
    await references([
      { id: 'b', subject: 'Re: lunch', date: 5 },
      { id: 'a', subject: 'lunch', date: 9 },
    ]),
    '(2 1)',
  );
  // two originals: a dummy holds both
  assert.equal(
    await references([
      { id: 'a', subject: 'lunch' },
      { id: 'b', subject: 'LUNCH' },
    ]),
    '((1)(2))',
  );
  // a root dummy takes the other thread's message as a child
  assert.equal(
    await references([
      { id: 'a', refs: ['x'], subject: 'Re: lunch' },
      { id: 'b', refs: ['x'], subject: 'Re: lunch' },
      { id: 'c', subject: 'lunch' },
    ]),
    '((1)(2)(3))',
  );
  // empty subjects are never gathered
  assert.equal(
    await references([
      { id: 'a', subject: '' },
      { id: 'b', subject: 'Re:' },
    ]),
    '(1)(2)',
  );
});

test('REFERENCES (6): threads in sent-date order of their first message, ties in mailbox order', async () => {
  assert.equal(
    await references([
      { id: 'a', date: 7 },
      { id: 'b', date: 3 },
      { id: 'c', date: 7 },
    ]),
    '(2)(1)(3)',
  );
  // a dummy sorts by its first child
  assert.equal(
    await references([
      { id: 'a', date: 5 },
      { id: 'b', refs: ['x'], date: 8 },
      { id: 'c', refs: ['x'], date: 2 },
    ]),
    '((3)(2))(1)',
  );
});

test('a reply chain as long as a hostile mailbox can make is threaded and written without recursion', async () => {
  const n = 20_000;
  const specs = Array.from({ length: n }, (_, i): Spec => ({ id: `m${i}`, refs: i ? [`m${i - 1}`] : [] }));
  const out = await references(specs);
  assert.equal(out, `(${Array.from({ length: n }, (_, i) => i + 1).join(' ')})`);
  // every message a reply to the first, each with one reply: n/2 branches
  const wide = Array.from({ length: n }, (_, i): Spec => ({ id: `m${i}`, refs: i === 0 ? [] : i % 2 ? ['m0'] : ['m0', `m${i - 1}`] }));
  assert.match(await references(wide), /^\(1 \(2 3\)\(4 5\)/);
});

test('ORDEREDSUBJECT: grouped by base subject, each thread its first message and the others as children', async () => {
  assert.equal(
    await ordered([
      { subject: 'b', date: 1 },
      { subject: 'a', date: 4 },
      { subject: 'Re: b', date: 3 },
      { subject: 'Re: a', date: 2 },
      { subject: 'a', date: 5 },
      { subject: 'c', date: 0 },
      { subject: 'fwd: b', date: 2 },
    ]),
    '(6)(1 (7)(3))(4 (2)(5))',
  );
  assert.equal(
    await ordered([
      { subject: 'x', date: 1 },
      { subject: 'x', date: 1 },
    ]),
    '(1 2)',
  );
  assert.equal(await ordered([]), '');
});
