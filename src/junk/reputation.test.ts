import assert from 'node:assert/strict';
import { test } from 'node:test';
import { storeWithAccount } from '../../test/support/temp-store.ts';
import { JunkClassifier } from './classifier.ts';
import { type Author, JUNK_THRESHOLD, judgeScan, MIN_TRAINED } from './filter.ts';
import { silentLogger } from '../log/log.ts';
import { flushHistory, GOOD_HAM, goodHistory, historyEntry, recordHistory, trustOf } from './reputation.ts';

// A classifier that has seen enough of both, where "prize" is spam and "meeting" ham.
function trained(): JunkClassifier {
  const c = new JunkClassifier();
  for (let i = 0; i < MIN_TRAINED * 2; i++) {
    c.train(['prize', 'winner', `s${i}`], true);
    c.train(['meeting', 'agenda', `h${i}`], false);
  }
  return c;
}

const spammy = { tokens: ['prize', 'winner'], gtube: false };

test('reputation: a good history is GOOD_HAM ham at least and one spam in twenty at most', () => {
  assert.equal(goodHistory(null), false);
  assert.equal(goodHistory({ ham: GOOD_HAM - 1, spam: 0, seen: 0 }), false);
  assert.equal(goodHistory({ ham: GOOD_HAM, spam: 0, seen: 0 }), true);
  assert.equal(goodHistory({ ham: 20, spam: 1, seen: 0 }), true);
  assert.equal(goodHistory({ ham: 20, spam: 2, seen: 0 }), false);
});

test('reputation: trust keeps a spammy message out of Junk as rule reputation; GTUBE and sender marks still win', () => {
  const c = trained();
  const plain = judgeScan(c, spammy);
  assert.deepEqual([plain.junk, plain.rule, plain.byContent], [true, 'content', true]);
  const trusted = judgeScan(c, spammy, JUNK_THRESHOLD, { junkRule: null, points: 0, trust: 'correspondent' });
  assert.deepEqual([trusted.junk, trusted.rule, trusted.byContent, trusted.reasons[0]?.token], [false, 'reputation', true, 'trust:correspondent']);
  assert.equal(trusted.score, plain.score);
  const gtube = judgeScan(c, { tokens: [], gtube: true }, JUNK_THRESHOLD, { junkRule: null, points: 0, trust: 'domain' });
  assert.deepEqual([gtube.junk, gtube.rule], [true, 'gtube']);
  const marked = judgeScan(c, spammy, JUNK_THRESHOLD, { junkRule: 'dmarc', points: 0, trust: 'domain' });
  assert.deepEqual([marked.junk, marked.rule], [true, 'sender']);
  const untrained = judgeScan(new JunkClassifier(), spammy, JUNK_THRESHOLD, { junkRule: null, points: 0, trust: 'domain' });
  assert.deepEqual([untrained.junk, untrained.rule, untrained.byContent], [false, 'reputation', null]);
});

test('reputation: trust from the store, and the history entries a verdict makes', async () => {
  const { store, close, account } = await storeWithAccount();
  try {
    const author: Author = { address: 'bob@example.org', domain: 'example.org', dkimAligned: true };
    assert.equal(trustOf(store, account.id, author), null);
    assert.equal(trustOf(store, account.id, null), null);
    const ham = judgeScan(trained(), { tokens: ['meeting', 'agenda'], gtube: false });
    await store.reputation.recordDomain(Array.from({ length: GOOD_HAM }, () => historyEntry(account.id, author, ham)!));
    assert.equal(trustOf(store, account.id, author), 'domain');
    assert.equal(trustOf(store, account.id, { ...author, address: 'eve@example.org' }), 'domain');
    assert.equal(trustOf(store, account.id, { ...author, dkimAligned: false }), null, 'the domain history needs aligned DKIM');
    await store.reputation.recordSent(account.id, ['bob@example.org']);
    assert.equal(trustOf(store, account.id, { ...author, dkimAligned: false }), 'correspondent');
    const spam = judgeScan(trained(), spammy);
    assert.deepEqual(historyEntry(account.id, author, spam), { accountId: account.id, domain: 'example.org', spam: true });
    assert.equal(historyEntry(account.id, { ...author, dkimAligned: false }, spam), null);
    assert.equal(historyEntry(account.id, author, judgeScan(new JunkClassifier(), spammy)), null, 'an untrained filter says nothing of the domain');
    await store.reputation.recordDomain([historyEntry(account.id, author, spam)!]);
    assert.equal(trustOf(store, account.id, { ...author, address: 'eve@example.org' }), null, 'one spam in ten ham is too many');
  } finally {
    await close();
  }
});

test('reputation: history entries wait in memory and are written together', async () => {
  const { store, close, account } = await storeWithAccount();
  try {
    const entry = { accountId: account.id, domain: 'example.org', spam: false };
    recordHistory(store, [entry], silentLogger);
    recordHistory(store, [entry, { ...entry, spam: true }], silentLogger);
    assert.equal(store.reputation.domain(account.id, 'example.org'), null);
    await flushHistory(store, silentLogger);
    assert.deepEqual([store.reputation.domain(account.id, 'example.org')?.ham, store.reputation.domain(account.id, 'example.org')?.spam], [2, 1]);
    await flushHistory(store, silentLogger);
    assert.equal(store.reputation.domain(account.id, 'example.org')?.ham, 2, 'nothing waits twice');
  } finally {
    await close();
  }
});
