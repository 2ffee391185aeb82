// search-program and search-key (RFC 9051 6.4.4, 9; RFC 3501 6.4.4 for NEW/OLD/RECENT; RFC 7162
// 3.1.5 MODSEQ; RFC 5182 "$") parsed into a tree that search-eval.ts evaluates.
import { ImapUserError } from '../errors.ts';
import type { Parser, SequenceSet } from '../parser.ts';

export type SearchKey =
  | { k: 'all' }
  | { k: 'flag'; flag: string; present: boolean }
  | { k: 'header'; field: string; value: string }
  // FROM, TO, CC, BCC and SUBJECT: served from the header index (src/mime/header-index.ts).
  | { k: 'indexed'; field: IndexedField; value: string }
  | { k: 'body'; value: string }
  | { k: 'text'; value: string }
  | { k: 'date'; sent: boolean; op: 'before' | 'on' | 'since'; day: number }
  | { k: 'size'; larger: boolean; n: number }
  | { k: 'not'; key: SearchKey }
  | { k: 'or'; a: SearchKey; b: SearchKey }
  | { k: 'and'; keys: SearchKey[] }
  | { k: 'set'; uid: boolean; set: SequenceSet }
  | { k: 'modseq'; n: number }
  | { k: 'recent'; present: boolean }
  | { k: 'new' };

const FLAG_KEYS: Record<string, [string, boolean]> = {
  ANSWERED: ['\\Answered', true],
  DELETED: ['\\Deleted', true],
  DRAFT: ['\\Draft', true],
  FLAGGED: ['\\Flagged', true],
  SEEN: ['\\Seen', true],
  UNANSWERED: ['\\Answered', false],
  UNDELETED: ['\\Deleted', false],
  UNDRAFT: ['\\Draft', false],
  UNFLAGGED: ['\\Flagged', false],
  UNSEEN: ['\\Seen', false],
};

export type IndexedField = 'bcc' | 'cc' | 'from' | 'subject' | 'to';
const INDEXED_KEYS: Record<string, IndexedField> = { BCC: 'bcc', CC: 'cc', FROM: 'from', SUBJECT: 'subject', TO: 'to' };
const DATE_KEYS: Record<string, [boolean, 'before' | 'on' | 'since']> = {
  BEFORE: [false, 'before'],
  ON: [false, 'on'],
  SINCE: [false, 'since'],
  SENTBEFORE: [true, 'before'],
  SENTON: [true, 'on'],
  SENTSINCE: [true, 'since'],
};

const MAX_DEPTH = 100;

// The nesting of NOT, OR and parentheses is bounded: a hostile command cannot exhaust the stack.
export function parseSearchKey(p: Parser, depth = 0): SearchKey {
  if (depth > MAX_DEPTH) p.fail('Search program nested too deeply');
  const c = p.peek();
  if (c === 0x28) return { k: 'and', keys: p.list(() => parseSearchKey(p, depth + 1), true) };
  if ((c >= 0x30 && c <= 0x39) || c === 0x2a || c === 0x24) return { k: 'set', uid: false, set: p.sequenceSet() };
  const word = p.atom().toUpperCase();
  const flag = FLAG_KEYS[word];
  if (flag) return { k: 'flag', flag: flag[0], present: flag[1] };
  const indexed = INDEXED_KEYS[word];
  if (indexed) {
    p.sp();
    return { k: 'indexed', field: indexed, value: p.astring() };
  }
  const date = DATE_KEYS[word];
  if (date) {
    p.sp();
    return { k: 'date', sent: date[0], op: date[1], day: p.date() };
  }
  switch (word) {
    case 'ALL':
      return { k: 'all' };
    case 'BODY':
    case 'TEXT':
      p.sp();
      return { k: word === 'BODY' ? 'body' : 'text', value: p.astring() };
    case 'KEYWORD':
    case 'UNKEYWORD':
      p.sp();
      return { k: 'flag', flag: p.atom(), present: word === 'KEYWORD' };
    case 'HEADER': {
      p.sp();
      const field = p.astring().toLowerCase();
      p.sp();
      return { k: 'header', field, value: p.astring() };
    }
    case 'LARGER':
    case 'SMALLER':
      p.sp();
      return { k: 'size', larger: word === 'LARGER', n: p.number64() };
    case 'NOT':
      p.sp();
      return { k: 'not', key: parseSearchKey(p, depth + 1) };
    case 'OR': {
      p.sp();
      const a = parseSearchKey(p, depth + 1);
      p.sp();
      return { k: 'or', a, b: parseSearchKey(p, depth + 1) };
    }
    case 'UID':
      p.sp();
      return { k: 'set', uid: true, set: p.sequenceSet() };
    case 'MODSEQ': {
      // MODSEQ [SP entry-name SP entry-type-req] SP mod-sequence-valzer
      p.sp();
      if (p.peek() === 0x22 || p.peek() === 0x7b) {
        p.string();
        p.sp();
        const type = p.atom().toLowerCase();
        if (!['priv', 'shared', 'all'].includes(type)) p.fail('Invalid MODSEQ entry type');
        p.sp();
      }
      return { k: 'modseq', n: p.number64() };
    }
    // RFC 3501 6.4.4 (gone from rev2, still accepted)
    case 'NEW':
      return { k: 'new' };
    case 'OLD':
      return { k: 'recent', present: false };
    case 'RECENT':
      return { k: 'recent', present: true };
    default:
      p.fail(`Unknown search key ${word.slice(0, 30)}`);
  }
}

export interface SearchProgram {
  // RFC 4731 / RFC 9051 search-return-opts; null when RETURN was not given.
  returns: Set<string> | null;
  key: SearchKey;
}

const RETURN_OPTIONS = new Set(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);
const CHARSETS = new Set(['UTF-8', 'US-ASCII']);

// search-return-opts = SP "RETURN" SP "(" [search-return-opt *(SP search-return-opt)] ")", after
// the word RETURN; `options` are those the command takes.
export function parseReturnOptions(p: Parser, options: ReadonlySet<string> = RETURN_OPTIONS): Set<string> {
  p.sp();
  return new Set(
    p.list(() => {
      const o = p.atom().toUpperCase();
      if (!options.has(o)) p.fail(`Unknown search return option ${o.slice(0, 30)}`);
      return o;
    }),
  );
}

// RFC 9051 6.4.4: BADCHARSET lists what we take.
export function parseCharset(p: Parser): void {
  const charset = p.astring().toUpperCase();
  if (!CHARSETS.has(charset)) throw new ImapUserError('Unsupported charset', 'BADCHARSET (UTF-8 US-ASCII)');
}

// 1*search-key, separated by SP: their conjunction.
export function parseSearchKeys(p: Parser): SearchKey {
  const keys: SearchKey[] = [parseSearchKey(p)];
  while (p.trySp()) keys.push(parseSearchKey(p));
  return keys.length === 1 ? keys[0]! : { k: 'and', keys };
}

// search = "SEARCH" [search-return-opts] SP search-program
export function parseSearch(p: Parser): SearchProgram {
  p.sp();
  let returns: Set<string> | null = null;
  if (p.tryWord('RETURN')) {
    returns = parseReturnOptions(p);
    p.sp();
  }
  if (p.tryWord('CHARSET')) {
    p.sp();
    parseCharset(p);
    p.sp();
  }
  return { returns, key: parseSearchKeys(p) };
}

export function usesModseq(key: SearchKey): boolean {
  switch (key.k) {
    case 'modseq':
      return true;
    case 'not':
      return usesModseq(key.key);
    case 'or':
      return usesModseq(key.a) || usesModseq(key.b);
    case 'and':
      return key.keys.some(usesModseq);
    default:
      return false;
  }
}
