import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DECISIONS_KEPT, DecisionRing, readJunkField, shortSubject } from './decisions.ts';
import { junkField } from './filing.ts';

const RETURN_PATH = 'Return-Path: <a@example.org>\r\n';
const message = (field: string) => Buffer.from(`${RETURN_PATH}${field}Subject: hi\r\n\r\nbody\r\n`, 'latin1');

test('the verdict comes back from the field filing.ts writes, tokens decoded', () => {
  const reasons = [
    { token: 'viagra', probability: 0.9912 },
    { token: 'subject:fr;e,e (100%)', probability: 0.9804 },
    { token: 'wörd', probability: 0.1234 },
  ];
  const verdict = { score: 0.9731, junk: true, rule: 'content' as const, reasons, byContent: true };
  assert.deepEqual(readJunkField(message(junkField(verdict))), { rule: 'content', score: 0.9731, reasons });
  assert.deepEqual(readJunkField(message(junkField({ score: 0.5, junk: false, rule: 'untrained', reasons: [], byContent: null }))), {
    rule: 'untrained',
    score: 0.5,
    reasons: [],
  });
});

test('no field, a cut-off one, or a malformed one: no verdict', () => {
  assert.equal(readJunkField(message('')), null);
  assert.equal(readJunkField(Buffer.from(`${RETURN_PATH}X-Homepost-Junk: score=1.0000; rule=gtube; reasons=`, 'latin1')), null);
  assert.equal(readJunkField(message('X-Homepost-Junk: whatever\r\n')), null);
  // Beyond the first 4 KB: not ours (ours is right below Return-Path).
  assert.equal(readJunkField(message(`X-Pad: ${'x'.repeat(5000)}\r\nX-Homepost-Junk: score=1.0000; rule=gtube; reasons=none\r\n`)), null);
});

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
