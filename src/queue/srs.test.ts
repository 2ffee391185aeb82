import assert from 'node:assert/strict';
import { test } from 'node:test';
import { srsDecode, srsEncode } from './srs.ts';

const SECRET = 'test secret';
const DAY = 86_400_000;

test('an SRS0 address round-trips, case-insensitively, for 21 days', () => {
  const now = Date.UTC(2026, 10, 26);
  const a = srsEncode('Someone@outside.example', 'example.test', SECRET, now)!;
  assert.match(a, /^SRS0=[a-z2-7]{6}=[a-z2-7]{2}=outside\.example=Someone@example\.test$/);
  assert.equal(srsDecode(a, SECRET, now), 'Someone@outside.example');
  assert.equal(srsDecode(a.toLowerCase(), SECRET, now + 21 * DAY), 'someone@outside.example');
  assert.equal(srsDecode(a, SECRET, now + 22 * DAY), null, 'expired');
  assert.equal(srsDecode(a, 'another secret', now), null, 'not ours');
  assert.equal(srsDecode(a.replace('outside', 'elsewhere'), SECRET, now), null, 'tampered');
  assert.equal(srsDecode('plain@example.test', SECRET, now), null);
});

test('a sender too long for a local part is not rewritten', () => {
  assert.equal(srsEncode(`${'x'.repeat(40)}@${'y'.repeat(30)}.example`, 'example.test', SECRET, 0), null);
});
