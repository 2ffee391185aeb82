import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DECISIONS_KEPT, DecisionRing, shortSubject } from './decisions.ts';

test('the ring keeps the newest decisions per account; a message gone loses its place', () => {
  const ring = new DecisionRing();
  const d = (uid: number) => ({ at: uid, rule: 'gtube', score: 1, reasons: [], subject: null, mailboxId: 7, mailbox: 'Junk', uid });
  for (let uid = 1; uid <= DECISIONS_KEPT + 5; uid++) ring.add(1, d(uid));
  ring.add(2, d(1));
  const kept = ring.recent(1);
  assert.equal(kept.length, DECISIONS_KEPT);
  assert.deepEqual([kept[0]!.uid, kept.at(-1)!.uid], [DECISIONS_KEPT + 5, 6]);
  ring.gone(1, 7, [DECISIONS_KEPT + 5]);
  ring.gone(1, 8, [DECISIONS_KEPT + 4]);
  assert.deepEqual([kept[0]!.uid, kept[1]!.uid], [null, DECISIONS_KEPT + 4]);
  ring.drop(1);
  assert.deepEqual([ring.recent(1), ring.recent(2).length], [[], 1]);
});

test('subjects are cut short', () => {
  assert.equal(shortSubject(null), null);
  assert.equal(shortSubject('short'), 'short');
  assert.equal(shortSubject('x'.repeat(200))!.length, 80);
});
