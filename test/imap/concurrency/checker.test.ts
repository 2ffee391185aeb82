// The checker catches what it is for: crafted transcripts break each rule once, and a clean one
// breaks none.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { countByRule, parseFetch, ViewChecker } from './checker.ts';

// A SELECT of three messages with keyword $a known, then the given exchange.
function transcript(exchange: [string, string[]][]): ViewChecker {
  const c = new ViewChecker();
  const all: [string, string[]][] = [
    [
      'SELECT INBOX (CONDSTORE)',
      ['* FLAGS (\\Seen $a)', '* 3 EXISTS', '* OK [PERMANENTFLAGS (\\Seen $a \\*)] Flags permitted', 'c1 OK [READ-WRITE] SELECT completed'],
    ],
    [
      'FETCH 1:* (UID FLAGS MODSEQ)',
      ['* 1 FETCH (UID 4 FLAGS ($a) MODSEQ (10))', '* 2 FETCH (UID 5 FLAGS () MODSEQ (11))', '* 3 FETCH (UID 9 FLAGS () MODSEQ (12))', 'c2 OK done'],
    ],
    ...exchange,
  ];
  for (const [command, lines] of all) {
    c.command(command);
    for (const l of lines) c.line(l);
  }
  return c;
}

const broken = (c: ViewChecker) => Object.entries(countByRule(c.violations)).filter(([, n]) => n > 0);

test('a consistent exchange breaks no rule', () => {
  const c = transcript([
    ['NOOP', ['* 2 EXPUNGE', '* 3 EXISTS', '* FLAGS (\\Seen $a $b)', '* 3 FETCH (FLAGS ($b) MODSEQ (14))', 'c3 OK NOOP completed']],
    ['STORE 1 +FLAGS ($a)', ['* 1 FETCH (FLAGS ($a) MODSEQ (15))', 'c4 OK done']],
  ]);
  assert.deepEqual(broken(c), []);
  assert.equal(c.count, 3);
  assert.deepEqual(c.uids, [4, 9, null]);
});

test('a decreasing MODSEQ and an unannounced keyword are caught', () => {
  const c = transcript([['NOOP', ['* 1 FETCH (FLAGS ($a) MODSEQ (9))', '* 2 FETCH (FLAGS ($k17) MODSEQ (20))', 'c3 OK NOOP completed']]]);
  assert.deepEqual(broken(c), [
    ['modseq-decreased', 1],
    ['keyword-unannounced', 1],
  ]);
  assert.match(c.violations[0]!.detail, /MODSEQ \(9\)\) \(NOOP\) after \* 1 FETCH \(UID 4 FLAGS \(\$a\) MODSEQ \(10\)\)/);
  assert.match(c.violations[1]!.detail, /\$k17 not announced/);
});

test('sequence arithmetic: EXPUNGE beyond the count, EXPUNGE during FETCH, EXISTS going down, FETCH beyond the count', () => {
  const c = transcript([
    ['FETCH 1 (FLAGS)', ['* 1 EXPUNGE', '* 1 FETCH (FLAGS ())', 'c3 OK done']],
    ['NOOP', ['* 5 EXPUNGE', '* 1 EXISTS', '* 4 FETCH (FLAGS ())', 'c4 OK done']],
  ]);
  assert.deepEqual(broken(c), [
    ['expunge-out-of-range', 1],
    ['expunge-during-fetch', 1],
    ['exists-decreased', 1],
    ['fetch-out-of-range', 1],
  ]);
});

test('UIDs: a changed UID, UIDs out of order, VANISHED of an unknown UID, a BAD', () => {
  const c = transcript([
    ['NOOP', ['* 1 FETCH (UID 6 FLAGS ())', '* VANISHED 7', 'c3 OK done']],
    ['FETCH 9 (FLAGS)', ['c4 BAD Invalid message sequence number']],
  ]);
  assert.deepEqual(broken(c), [
    ['uid-mismatch', 2],
    ['bad-response', 1],
  ]);
});

test('VANISHED of a UID not fetched yet takes one of the unknown messages where it belongs', () => {
  const c = transcript([['NOOP', ['* 6 EXISTS', '* 6 FETCH (UID 20 FLAGS ())', '* VANISHED 5,12', 'c3 OK done']]]);
  assert.deepEqual(broken(c), []);
  assert.deepEqual(c.uids, [4, 9, null, 20]);
  // Which of the two messages after UID 9 went is unknown: the one left is not held to a MODSEQ.
  const d = transcript([
    ['NOOP', ['* 5 EXISTS', '* 4 FETCH (FLAGS () MODSEQ (30))', '* 5 FETCH (FLAGS () MODSEQ (31))', '* VANISHED 13', 'c3 OK done']],
    ['NOOP', ['* 4 FETCH (FLAGS () MODSEQ (20))', 'c4 OK done']],
  ]);
  assert.deepEqual(broken(d), []);
});

test('the final comparison: a view that missed a change is caught', () => {
  const c = transcript([]);
  c.startFinal();
  for (const l of ['* 1 FETCH (UID 4 FLAGS ($a) MODSEQ (10))', '* 2 FETCH (UID 5 FLAGS (\\Seen) MODSEQ (13))', '* 3 FETCH (UID 9 FLAGS () MODSEQ (12))'])
    c.line(l);
  c.endFinal();
  assert.deepEqual(broken(c), [['final-mismatch', 1]]);
  assert.match(c.violations[0]!.detail, /^seq 2:/);
});

test('a literal in a FETCH cannot pass for a data item', () => {
  const f = parseFetch('* 2 FETCH (BODY[HEADER.FIELDS (SUBJECT)] {28}\r\nSubject: FLAGS ($x) MODSEQ\r\n UID 3)');
  assert.deepEqual(f, { seq: 2, uid: 3, flags: null, modseq: null });
});
