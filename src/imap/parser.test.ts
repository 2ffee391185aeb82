// Table-driven tests of the parser, grouped by the RFC 9051 9 rule they exercise.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ImapBadSyntax } from './errors.ts';
import { Parser } from './parser.ts';

const lines = (...parts: string[]) => parts.map((p) => Buffer.from(p, 'utf8'));
const P = (...parts: string[]) => new Parser(lines(...parts));

function bad(fn: () => unknown, what: string): void {
  assert.throws(fn, ImapBadSyntax, what);
}

describe('tag', () => {
  test('ASTRING-CHARs except "+"', () => {
    assert.equal(P('a1.x] NOOP').tag(), 'a1.x]');
    assert.equal(P('A+1 NOOP').tag(), 'A');
    bad(() => P('+tag').tag(), 'plus');
    bad(() => P('(x').tag(), 'paren');
    bad(() => P('').tag(), 'empty');
  });
});

describe('atom and keywords', () => {
  test('atom stops at atom-specials', () => {
    const p = P('FETCH(1');
    assert.equal(p.atom(), 'FETCH');
    assert.equal(p.peek(), 0x28);
    bad(() => P(' x').atom(), 'leading space');
    bad(() => P('%').atom(), 'wildcard');
  });
  test('tryWord needs a word boundary', () => {
    assert.equal(P('NILS').tryWord('NIL'), false);
    assert.equal(P('nil)').tryWord('NIL'), true);
  });
});

describe('number', () => {
  test('32-bit numbers and number64', () => {
    assert.equal(P('4294967295').number(), 4294967295);
    bad(() => P('4294967296').number(), 'too big');
    assert.equal(P('9007199254740991').number64(), Number.MAX_SAFE_INTEGER);
    bad(() => P('0').nzNumber(), 'zero');
    bad(() => P('x').number(), 'not a number');
  });
});

describe('string', () => {
  test('quoted with escapes', () => {
    assert.equal(P('"a \\"b\\" \\\\c"').string(), 'a "b" \\c');
    assert.equal(P('"Grüße"').string(), 'Grüße');
    bad(() => P('"unterminated').string(), 'unterminated');
    bad(() => P('"bad \\n escape"').string(), 'escape');
  });
  test('literals come from the next part', () => {
    const p = P('{5}', 'hello', ' rest');
    assert.equal(p.string(), 'hello');
    p.sp();
    assert.equal(p.atom(), 'rest');
    assert.ok(p.atEnd());
  });
  test('non-synchronizing and binary literals', () => {
    assert.equal(P('{3+}', 'abc', '').string(), 'abc');
    const lit8 = new Parser([Buffer.from('~{2}'), Buffer.from([0, 1]), Buffer.alloc(0)]);
    assert.deepEqual(lit8.stringBytes(true), { data: Buffer.from([0, 1]), binary: true });
    bad(() => new Parser([Buffer.from('~{2}'), Buffer.from([0, 1]), Buffer.alloc(0)]).string(), 'literal8 where a string is expected');
    bad(() => new Parser([Buffer.from('{2}'), Buffer.from([0, 1]), Buffer.alloc(0)]).string(), 'NUL in literal');
    bad(() => P('{5}x').string(), 'text after literal');
  });
  test('astring and nstring', () => {
    assert.equal(P('INBOX]').astring(), 'INBOX]');
    assert.equal(P('"with space"').astring(), 'with space');
    assert.equal(P('NIL').nstring(), null);
    bad(() => P(')').astring(), 'nothing');
  });
});

describe('list', () => {
  test('parenthesized lists', () => {
    const p = P('(a b c)');
    assert.deepEqual(
      p.list(() => p.atom()),
      ['a', 'b', 'c'],
    );
    const q = P('()');
    assert.deepEqual(
      q.list(() => q.atom()),
      [],
    );
    bad(() => {
      const r = P('()');
      r.list(() => r.atom(), true);
    }, 'empty not allowed');
    bad(() => {
      const r = P('(a  b)');
      r.list(() => r.atom());
    }, 'double space');
    bad(() => {
      const r = P('(a');
      r.list(() => r.atom());
    }, 'unclosed');
  });
});

describe('sequence-set', () => {
  test('numbers, ranges, "*" and "$"', () => {
    assert.deepEqual(P('1,3:5,7:*').sequenceSet(), {
      saved: false,
      ranges: [
        [1, 1],
        [3, 5],
        [7, null],
      ],
    });
    assert.deepEqual(P('*').sequenceSet(), { saved: false, ranges: [[null, null]] });
    assert.deepEqual(P('$').sequenceSet(), { saved: true });
    bad(() => P('0').sequenceSet(), 'zero');
    bad(() => P('1,').sequenceSet(), 'trailing comma');
    bad(() => P(':3').sequenceSet(), 'missing start');
  });
});

describe('flag', () => {
  test('system flags and keywords', () => {
    assert.equal(P('\\Seen').flag(), '\\Seen');
    assert.equal(P('$Forwarded').flag(), '$Forwarded');
    bad(() => P('\\').flag(), 'backslash alone');
  });
});

describe('date and date-time', () => {
  test('date with or without quotes', () => {
    assert.equal(P('1-Feb-2024').date(), Date.UTC(2024, 1, 1));
    assert.equal(P('"01-feb-2024"').date(), Date.UTC(2024, 1, 1));
    bad(() => P('1-Foo-2024').date(), 'month');
    bad(() => P('2024-02-01').date(), 'iso');
  });
  test('date-time with zone', () => {
    assert.equal(P('"17-Jul-1996 02:44:25 -0700"').dateTime(), Date.UTC(1996, 6, 17, 9, 44, 25));
    assert.equal(P('" 7-Jul-1996 02:44:25 +0000"').dateTime(), Date.UTC(1996, 6, 7, 2, 44, 25));
    bad(() => P('"17-Jul-1996 25:44:25 -0700"').dateTime(), 'hour');
    bad(() => P('17-Jul-1996 02:44:25 -0700').dateTime(), 'unquoted');
  });
});

describe('end', () => {
  test('extra arguments are an error', () => {
    bad(() => P('x').end(), 'left over');
    P('').end();
  });
});
