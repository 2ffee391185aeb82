// search-program and search-key (RFC 9051 6.4.4, 9; RFC 3501 6.4.4 for NEW/OLD/RECENT; RFC 7162
// 3.1.5 MODSEQ; RFC 5182 "$") parsed into a tree that search-eval.ts evaluates.
import { ImapUserError } from '../errors.ts';
import type { Parser, SequenceSet } from '../parser.ts';

export type SearchKey =
  | { k: 'all' }
  | { k: 'flag'; flag: string; present: boolean }
  | { k: 'header'; field: string; value: string }
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

const HEADER_KEYS: Record<string, string> = { BCC: 'bcc', CC: 'cc', FROM: 'from', SUBJECT: 'subject', TO: 'to' };
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
  const header = HEADER_KEYS[word];
  if (header) {
    p.sp();
    return { k: 'header', field: header, value: p.astring() };
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

// search = "SEARCH" [search-return-opts] SP search-program
export function parseSearch(p: Parser): SearchProgram {
  p.sp();
  let returns: Set<string> | null = null;
  if (p.tryWord('RETURN')) {
    p.sp();
    returns = new Set(
      p.list(() => {
        const o = p.atom().toUpperCase();
        if (!RETURN_OPTIONS.has(o)) p.fail(`Unknown search return option ${o.slice(0, 30)}`);
        return o;
      }),
    );
    p.sp();
  }
  if (p.tryWord('CHARSET')) {
    p.sp();
    const charset = p.astring().toUpperCase();
    // RFC 9051 6.4.4: BADCHARSET lists what we take.
    if (!CHARSETS.has(charset)) throw new ImapUserError('Unsupported charset', 'BADCHARSET (UTF-8 US-ASCII)');
    p.sp();
  }
  const keys: SearchKey[] = [parseSearchKey(p)];
  while (p.trySp()) keys.push(parseSearchKey(p));
  return { returns, key: keys.length === 1 ? keys[0]! : { k: 'and', keys } };
}

// True when evaluating the key needs the message text (so the body must be loaded).
export function needsContent(key: SearchKey): boolean {
  switch (key.k) {
    case 'header':
    case 'body':
    case 'text':
      return true;
    case 'date':
      return key.sent;
    case 'not':
      return needsContent(key.key);
    case 'or':
      return needsContent(key.a) || needsContent(key.b);
    case 'and':
      return key.keys.some(needsContent);
    default:
      return false;
  }
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
