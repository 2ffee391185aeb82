// The classifier: it learns, untrain takes back exactly what train added, its bytes round-trip,
// the count bound holds, GTUBE is junk whatever was learnt.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prng } from '../../test/support/prng.ts';
import { JunkClassifier, MAX_CLUES, REASONS } from './classifier.ts';
import { judgeMessage, judgeScan, JUNK_THRESHOLD } from './filter.ts';
import { deserializeClassifier, serializeClassifier } from './format.ts';
import { GTUBE } from './gtube.ts';
import { tokenHash } from './hash.ts';

const SHARED = 'the and you for this with have your from are will about time please thanks today'.split(' ');
const SPAMMY = 'viagra pills cheap winner lottery bitcoin urgent verify password prize'.split(' ');
const HAMMY = 'meeting agenda project review lunch kids weekend report draft invoice'.split(' ');

function sample(rand: () => number, from: string[], n: number): string[] {
  return Array.from({ length: n }, () => from[Math.floor(rand() * from.length)]!);
}

// Half spam, half ham: every message holds all SHARED words (so they are exactly as likely in
// both), some words of its side and one word of its own.
function trained(seed = 1, messages = 200): JunkClassifier {
  const rand = prng(seed);
  const classifier = new JunkClassifier();
  for (let i = 0; i < messages; i++) {
    const spam = i % 2 === 0;
    classifier.train([...SHARED, ...sample(rand, spam ? SPAMMY : HAMMY, 4), `unique${i}`], spam);
  }
  return classifier;
}

test('an untrained classifier is unsure (0.5) and gives no reasons', () => {
  assert.deepEqual(new JunkClassifier().classify(['viagra', 'meeting']), { score: 0.5, reasons: [] });
});

test('it learns: spam words score near 1, ham words near 0, shared words say nothing', () => {
  const classifier = trained();
  const spam = classifier.classify(['the', 'you', 'viagra', 'winner', 'bitcoin']);
  const ham = classifier.classify(['the', 'you', 'meeting', 'agenda', 'lunch']);
  assert.ok(spam.score > 0.95, String(spam.score));
  assert.ok(ham.score < 0.05, String(ham.score));
  assert.deepEqual(spam.reasons.map((r) => r.token).sort(), ['bitcoin', 'viagra', 'winner']);
  assert.ok(spam.reasons.every((r) => r.probability > 0.9));
  assert.ok(ham.reasons.every((r) => r.probability < 0.1));
  assert.equal(classifier.classify(['the', 'you', 'please']).score, 0.5);
});

test('reasons are the strongest clues first, at most REASONS of them', () => {
  const classifier = new JunkClassifier();
  const tokens = Array.from({ length: MAX_CLUES + 50 }, (_, i) => `t${i}`);
  for (let i = 0; i < 3; i++) classifier.train(tokens, true);
  classifier.train(['ham'], false);
  classifier.train(['t0'], false);
  const { reasons } = classifier.classify(tokens);
  assert.equal(reasons.length, REASONS);
  assert.ok(!reasons.some((r) => r.token === 't0'), 't0 is weaker than the others');
  for (let i = 1; i < reasons.length; i++) assert.ok(Math.abs(reasons[i - 1]!.probability - 0.5) >= Math.abs(reasons[i]!.probability - 0.5));
});

test('untrain is the exact inverse of train, and moving a message out of Junk retrains it as ham', () => {
  const classifier = trained();
  const before = serializeClassifier(classifier);
  const message = ['viagra', 'meeting', 'the', 'brandnewword', 'brandnewword'];
  classifier.train(message, true);
  assert.notDeepEqual(serializeClassifier(classifier), before);
  classifier.untrain(message, true);
  assert.deepEqual(serializeClassifier(classifier), before);
  // Junk -> INBOX: untrain spam, train ham.
  classifier.train(message, true);
  classifier.untrain(message, true);
  classifier.train(message, false);
  const after = deserializeClassifier(serializeClassifier(classifier));
  assert.equal(after.hamMessages, 101);
  assert.equal(after.spamMessages, 100);
  assert.deepEqual(after.counts.get(tokenHash('brandnewword')), [0, 1]);
});

test('untraining what was never trained changes nothing below 0', () => {
  const classifier = new JunkClassifier();
  classifier.untrain(['never'], true);
  assert.equal(classifier.spamMessages, 0);
  assert.equal(classifier.counts.size, 0);
});

test('serialization round-trips: same counts, same scores, same bytes', () => {
  const classifier = trained(7, 500);
  const bytes = serializeClassifier(classifier);
  const copy = deserializeClassifier(bytes);
  assert.equal(copy.spamMessages, classifier.spamMessages);
  assert.equal(copy.hamMessages, classifier.hamMessages);
  assert.equal(copy.maxTokens, classifier.maxTokens);
  assert.equal(copy.counts.size, classifier.counts.size);
  assert.deepEqual(serializeClassifier(copy), bytes);
  const probe = ['viagra', 'the', 'meeting', 'unique3', 'prize'];
  assert.equal(copy.classify(probe).score, classifier.classify(probe).score);
  assert.ok(bytes.length < 21 + classifier.counts.size * 8, `${bytes.length} bytes for ${classifier.counts.size} tokens`);
});

test('deserialization refuses what it cannot trust', () => {
  const bytes = serializeClassifier(trained());
  const bad = (mutate: (b: Buffer) => Buffer, message: RegExp) => assert.throws(() => deserializeClassifier(mutate(Buffer.from(bytes))), message);
  bad((b) => b.subarray(0, 10), /not a classifier/);
  bad((b) => Buffer.concat([Buffer.from('XXXX'), b.subarray(4)]), /not a classifier/);
  bad((b) => {
    b[4] = 2;
    return b;
  }, /version 2/);
  bad((b) => b.subarray(0, b.length - 1), /cut short/);
  bad((b) => Buffer.concat([b, Buffer.from([0])]), /trailing/);
  bad((b) => {
    b.writeUInt32LE(0xffffffff, 17);
    return b;
  }, /out of bounds/);
  // The second token's hash step made 0: two tokens with one hash.
  const twin = new JunkClassifier();
  twin.train(['a', 'b'], true);
  const twinBytes = serializeClassifier(twin);
  const firstLength = twinBytes.subarray(21).findIndex((byte) => byte < 0x80) + 1 + 2;
  twinBytes[21 + firstLength] = 0;
  assert.throws(() => deserializeClassifier(twinBytes), /out of order/);
});

test('pruning keeps the counts within maxTokens and keeps the tokens that say most', () => {
  const classifier = new JunkClassifier(1000);
  for (let i = 0; i < 300; i++) {
    const spam = i % 2 === 0;
    classifier.train([spam ? 'strongspam' : 'strongham', ...Array.from({ length: 20 }, (_, j) => `rare${i}-${j}`)], spam);
    assert.ok(classifier.counts.size <= 1000, `${classifier.counts.size} tokens`);
  }
  assert.deepEqual(classifier.counts.get(tokenHash('strongspam')), [150, 0]);
  assert.deepEqual(classifier.counts.get(tokenHash('strongham')), [0, 150]);
  assert.ok(classifier.classify(['strongspam']).score > 0.9);
  // Survives a round trip with its bound.
  assert.equal(deserializeClassifier(serializeClassifier(classifier)).maxTokens, 1000);
});

test('GTUBE is junk whatever the classifier has learnt, also inside base64', () => {
  const classifier = new JunkClassifier();
  const words = `Subject: test\r\n\r\nplain friendly words ${GTUBE}\r\n`;
  for (let i = 0; i < 50; i++) classifier.train(['plain', 'friendly', 'words', 'subject:test', GTUBE.toLowerCase()], false);
  const verdict = judgeMessage(classifier, Buffer.from(words));
  assert.equal(verdict.junk, true);
  assert.equal(verdict.score, 1);
  assert.equal(verdict.reasons[0]!.token, 'gtube');
  const encoded = Buffer.from(`Content-Transfer-Encoding: base64\r\n\r\n${Buffer.from(`hello ${GTUBE}`).toString('base64')}\r\n`);
  assert.equal(judgeMessage(classifier, encoded).junk, true);
  const without = judgeMessage(classifier, Buffer.from('Subject: test\r\n\r\nplain friendly words\r\n'));
  assert.ok(without.score < JUNK_THRESHOLD && !without.junk, String(without.score));
});

test("the sender's signals: a junk rule files whatever the words; score points tip only a trained filter's doubt", () => {
  const classifier = trained();
  const scan = { tokens: ['the', 'you', 'viagra', 'meeting', 'agenda', 'winner'], gtube: false };
  const plain = judgeScan(classifier, scan);
  assert.ok(plain.score < JUNK_THRESHOLD && !plain.junk, String(plain.score));
  const tipped = judgeScan(classifier, scan, JUNK_THRESHOLD, { junkRule: null, points: JUNK_THRESHOLD - plain.score + 0.01 });
  assert.deepEqual([tipped.junk, tipped.rule], [true, 'content']);
  const quarantined = judgeScan(classifier, { tokens: ['meeting', 'agenda'], gtube: false }, JUNK_THRESHOLD, { junkRule: 'dmarc', points: 0 });
  assert.deepEqual([quarantined.junk, quarantined.rule, quarantined.reasons[0]?.token], [true, 'sender', 'rule:dmarc']);
  // Points never junk what the filter is not trained to judge.
  const untrained = judgeScan(new JunkClassifier(), scan, JUNK_THRESHOLD, { junkRule: null, points: 0.6 });
  assert.deepEqual([untrained.junk, untrained.rule], [false, 'untrained']);
});
