// Date fields to instants and written days (RFC 5322 3.3, 4.3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSentDate } from './date.ts';

test('RFC 5322 date-time with numeric, obsolete and missing zones; the day as written', () => {
  const cases: [string, number, number][] = [
    ['Mon, 1 Jun 2026 09:00:00 +0000', Date.UTC(2026, 5, 1, 9), Date.UTC(2026, 5, 1)],
    ['3 Jun 2026 23:30:00 -0500', Date.UTC(2026, 5, 4, 4, 30), Date.UTC(2026, 5, 3)],
    ['Sat, 15 Jun 2024 09:30:00 +0200', Date.UTC(2024, 5, 15, 7, 30), Date.UTC(2024, 5, 15)],
    ['Tue, 2 Jul 24 08:15 EDT', Date.UTC(2024, 6, 2, 12, 15), Date.UTC(2024, 6, 2)],
    ['2 Jul 99 08:15:01 GMT', Date.UTC(1999, 6, 2, 8, 15, 1), Date.UTC(1999, 6, 2)],
    ['2 July 2024', Date.UTC(2024, 6, 2), Date.UTC(2024, 6, 2)],
    // military zones count as -0000 (RFC 5322 4.3)
    ['2 Jul 2024 10:00:00 A', Date.UTC(2024, 6, 2, 10), Date.UTC(2024, 6, 2)],
  ];
  for (const [value, ms, day] of cases) assert.deepEqual(parseSentDate(value), { ms, day }, value);
  for (const bad of ['', 'yesterday', '32 Jan 2024', '1 Foo 2024 10:00']) assert.equal(parseSentDate(bad), null, bad);
});
