import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DNSBL_REFUSED, markRefused, refusedWarnings } from './refused.ts';

test('refused marks: written at most hourly per zone, shown for a day and only for chosen zones', () => {
  const values = new Map<string, unknown>();
  const source = { get: <T>(k: string, f: T) => (values.has(k) ? (values.get(k) as T) : f) };
  const hour = 60 * 60_000;
  const first = markRefused(source, 'zen.example', '127.255.255.254', 0);
  assert.deepEqual(first, { 'zen.example': { at: 0, answer: '127.255.255.254' } });
  values.set(DNSBL_REFUSED.key, first);
  assert.equal(markRefused(source, 'zen.example', '127.255.255.254', hour / 2), null, 'recent enough: no write');
  const second = markRefused(source, 'other.example', '127.255.255.255', hour);
  assert.deepEqual(Object.keys(second!), ['zen.example', 'other.example']);
  values.set(DNSBL_REFUSED.key, second);
  const warnings = refusedWarnings(source, ['zen.example'], 2 * hour);
  assert.equal(warnings.length, 1, 'other.example is not chosen');
  assert.match(warnings[0]!, /zen\.example refused to answer \(127\.255\.255\.254\).*public DNS resolvers/);
  assert.deepEqual(refusedWarnings(source, ['zen.example'], 25 * hour), [], 'a day later it is old news');
  assert.equal(DNSBL_REFUSED.check({ 'x.example': { at: 'then' } }), undefined);
});
