import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CredentialCache } from './credential-cache.ts';

test('credential cache: hits only the same password and stored hash within the TTL', () => {
  const c = new CredentialCache(1000, 2);
  c.remember('a@x.test', 'secret one', 'H1', 0);
  assert.equal(c.hit('a@x.test', 'secret one', 'H1', 500), true);
  assert.equal(c.hit('a@x.test', 'secret two', 'H1', 500), false);
  assert.equal(c.hit('b@x.test', 'secret one', 'H1', 500), false);
  assert.equal(c.hit('a@x.test', 'secret one', 'H2', 500), false, 'a password change invalidates');
  assert.equal(c.hit('a@x.test', 'secret one', 'H1', 500), false, 'and the entry is gone');
  c.remember('a@x.test', 'secret one', 'H1', 0);
  assert.equal(c.hit('a@x.test', 'secret one', 'H1', 1000), false, 'expired');
  c.remember('a@x.test', 'p', 'H', 0);
  c.remember('b@x.test', 'p', 'H', 0);
  c.remember('c@x.test', 'p', 'H', 0);
  assert.equal(c.hit('a@x.test', 'p', 'H', 1), false, 'bounded: the oldest is dropped');
  assert.equal(c.hit('c@x.test', 'p', 'H', 1), true);
});
