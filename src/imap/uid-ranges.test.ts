import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clipRanges, encodeRanges } from './uid-ranges.ts';

test('UID ranges clipped to a client set and encoded (RFC 7162 3.2.10)', () => {
  const gone: [number, number][] = [
    [2, 3],
    [6, 6],
    [9, 1_000_000],
  ];
  assert.equal(encodeRanges(gone), '2:3,6,9:1000000');
  assert.deepEqual(clipRanges(gone, [[1, null]]), gone, '1:* keeps all');
  assert.deepEqual(
    clipRanges(gone, [[null, 5]]),
    [
      [6, 6],
      [9, 1_000_000],
    ],
    '*:5 is 5:*',
  );
  // Unsorted, overlapping and reversed ranges of the client's set.
  assert.deepEqual(
    clipRanges(gone, [
      [20, 10],
      [3, 3],
      [12, 30],
      [999_999, null],
    ]),
    [
      [3, 3],
      [10, 30],
      [999_999, 1_000_000],
    ],
  );
  assert.deepEqual(clipRanges(gone, [[4, 5]]), []);
});
