// The harness's own rewriting and comparison: what it treats as equal, and that it reports what
// is not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { diffLines, unexpectedDifferences, type AllowedDifference } from './compare.ts';
import { normalizeStep, Renamer, responseLines } from './normalize.ts';
import type { StepResult } from './runner.ts';

const lines = (responses: string[], renamer = new Renamer('V')) => normalizeStep(responses.flatMap((r) => responseLines(r, renamer)));

test('status texts, capabilities, UIDVALIDITY and mod-sequences are normalized', () => {
  assert.deepEqual(lines(['* OK [CAPABILITY IMAP4rev1 IDLE] Dovecot ready.', 'a1 OK [READ-WRITE] Select completed (0.001 + 0.000 secs).']), [
    '* OK [CAPABILITY <capabilities>]',
    'a1 OK [READ-WRITE]',
  ]);
  const r = new Renamer('V');
  assert.deepEqual(lines(['* OK [UIDVALIDITY 1700000000] x', 'a2 OK [COPYUID 1700000001 1:2 3:4] done', '* STATUS X (UIDVALIDITY 1700000000)'], r), [
    '* OK [UIDVALIDITY <uidvalidity V1>]',
    'a2 OK [COPYUID <uidvalidity V2> 1:2 3:4]',
    '* STATUS X (UIDVALIDITY <uidvalidity V1>)',
  ]);
  assert.deepEqual(lines(['* 1 FETCH (MODSEQ (12) UID 3)', '* SEARCH 1 2 (MODSEQ 9)', 'a3 BAD Error in IMAP command: unknown']), [
    '* 1 FETCH (MODSEQ (<modseq>) UID 3)',
    '* SEARCH 1 2 (MODSEQ <modseq>)',
    'a3 BAD',
  ]);
});

test('string forms, FETCH item order, flag order and EXPUNGE order are normalized; content is not', () => {
  const a = lines(['* 2 FETCH (UID 7 FLAGS (\\Seen \\Answered) ENVELOPE ({5}\r\nhello NIL) BODY[1] ~{4}\r\nab\r\n)']);
  const b = lines(['* 2 FETCH (ENVELOPE ("hello" NIL) FLAGS (\\Answered \\Seen) BODY[1] {4}\r\nab\r\n UID 7)']);
  assert.deepEqual(a, b);
  assert.deepEqual(a, ['* 2 FETCH (BODY[1] {4}', '| ab', '   ENVELOPE ("hello" NIL) FLAGS (\\Answered \\Seen) UID 7)']);
  // Different octets stay different, line ends included.
  assert.notDeepEqual(lines(['* 1 FETCH (BODY[] {4}\r\na\r\nb)']), lines(['* 1 FETCH (BODY[] {4}\r\na\nbc)']));
  // A literal8 that holds NUL stays one.
  assert.deepEqual(lines(['* 1 FETCH (BINARY[1] ~{3}\r\na\0b)']), ['* 1 FETCH (BINARY[1] ~{3}', '| a\\x00b <no line end>', '  )']);
  // The same two messages removed, in either order and numbering.
  assert.deepEqual(lines(['* 1 EXPUNGE', '* 2 EXPUNGE', 'a1 OK']), lines(['* 3 EXPUNGE', '* 1 EXPUNGE', 'a1 OK done']));
  assert.notDeepEqual(lines(['* 1 EXPUNGE', '* 1 EXPUNGE']), lines(['* 1 EXPUNGE', '* 2 EXPUNGE']));
  assert.deepEqual(lines(['* LIST (\\Sent \\HasNoChildren) "/" Sent', '* LIST () "/" INBOX', '* STATUS INBOX (UIDNEXT 4 MESSAGES 3)']), [
    '* LIST () "/" INBOX',
    '* STATUS INBOX (MESSAGES 3 UIDNEXT 4)',
    '* LIST (\\HasNoChildren \\Sent) "/" Sent',
  ]);
});

test('differences are found by position and only allowed ones pass', () => {
  assert.deepEqual(diffLines(['a', 'b', 'c'], ['a', 'c', 'd']), { onlyA: ['b'], onlyB: ['d'] });
  assert.deepEqual(diffLines(['x', 'y'], ['y', 'x']), { onlyA: ['x'], onlyB: ['x'] });
  const step = (s: string, l: string[]): StepResult => ({ step: s, lines: l, raw: [] });
  const h = [step('a: NOOP', ['* 3 RECENT', 'a1 OK']), step('a: EXPUNGE', ['* 9 RECENT', 'a2 OK'])];
  const d = [step('a: NOOP', ['a1 OK']), step('a: EXPUNGE', ['a2 OK'])];
  const entry: AllowedDifference = { script: 's', step: /EXPUNGE/, homepost: /^\* \d+ RECENT$/, reason: 'test' };
  const used = new Set<AllowedDifference>();
  const diffs = unexpectedDifferences('s', h, d, [entry], used);
  assert.deepEqual(diffs, [{ index: 0, step: 'a: NOOP', side: 'homepost', line: '* 3 RECENT' }]);
  assert.ok(used.has(entry));
  assert.equal(unexpectedDifferences('other', h, d, [entry], new Set()).length, 2, 'an entry applies to its script only');
});
