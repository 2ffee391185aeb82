// A cursor over one framed command (framer.ts): its lines and the literals between them. Each
// method reads one piece of the RFC 9051 9 grammar and throws ImapBadSyntax when the input does
// not match; command modules compose them to parse their own arguments.
import { ImapBadSyntax } from './errors.ts';
import { literalAtEnd } from './framer.ts';

const SP = 0x20;
const DQUOTE = 0x22;
const BACKSLASH = 0x5c;

// RFC 9051 9: atom-specials = "(" / ")" / "{" / SP / CTL / list-wildcards / quoted-specials /
// resp-specials. ATOM-CHAR is any CHAR (7-bit) except those.
const ATOM_CHAR = new Uint8Array(256);
for (let c = 0x21; c < 0x7f; c++) ATOM_CHAR[c] = 1;
for (const c of '(){%*"\\]') ATOM_CHAR[c.charCodeAt(0)] = 0;

export const isAtomChar = (c: number) => ATOM_CHAR[c] === 1;
const isAstringChar = (c: number) => ATOM_CHAR[c] === 1 || c === 0x5d;
// list-char = ATOM-CHAR / list-wildcards / resp-specials
const isListChar = (c: number) => isAstringChar(c) || c === 0x25 || c === 0x2a;
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

// A sequence-set (RFC 9051 9) before it is resolved against a mailbox: "*" is null; "$" is the
// saved search result (RFC 5182, part of IMAP4rev2).
export type SeqRange = [from: number | null, to: number | null];
export type SequenceSet = { saved: true } | { saved: false; ranges: SeqRange[] };

export class Parser {
  private parts: Buffer[];
  private index = 0; // always a line (even index)
  pos = 0;
  // Once a client has enabled UTF8=ACCEPT, 8-bit bytes are taken in astrings written as atoms
  // (Python's imaplib sends mailbox names that way; the session checks they are valid UTF-8).
  utf8Atoms = false;

  constructor(parts: Buffer[]) {
    this.parts = parts;
  }

  private get line(): Buffer {
    return this.parts[this.index]!;
  }

  // The byte at the cursor, or -1 at the end of the current line.
  peek(): number {
    return this.pos < this.line.length ? this.line[this.pos]! : -1;
  }

  atEnd(): boolean {
    return this.pos >= this.line.length && this.index === this.parts.length - 1;
  }

  end(): void {
    if (!this.atEnd()) throw new ImapBadSyntax('Unexpected extra arguments');
  }

  fail(what: string): never {
    throw new ImapBadSyntax(what);
  }

  sp(): void {
    if (this.peek() !== SP) this.fail('Missing space');
    this.pos++;
  }

  trySp(): boolean {
    if (this.peek() !== SP) return false;
    this.pos++;
    return true;
  }

  char(ch: string): void {
    if (!this.tryChar(ch)) this.fail(`Expected ${ch}`);
  }

  tryChar(ch: string): boolean {
    if (this.peek() !== ch.charCodeAt(0)) return false;
    this.pos++;
    return true;
  }

  // A case-insensitive keyword at the cursor, if followed by a non-atom byte.
  tryWord(word: string): boolean {
    const end = this.pos + word.length;
    if (end > this.line.length) return false;
    if (this.line.toString('latin1', this.pos, end).toUpperCase() !== word) return false;
    if (end < this.line.length && isAtomChar(this.line[end]!)) return false;
    this.pos = end;
    return true;
  }

  // The bytes from the cursor while pred holds, as latin1 text (possibly empty).
  take(pred: (c: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.line.length && pred(this.line[this.pos]!)) this.pos++;
    return this.line.toString('latin1', start, this.pos);
  }

  // atom = 1*ATOM-CHAR
  atom(): string {
    const s = this.take(isAtomChar);
    if (!s) this.fail('Expected an atom');
    return s;
  }

  // An atom up to "[" or "<", upper-cased: the name of a FETCH item or a keyword.
  word(): string {
    const s = this.take((c) => isAtomChar(c) && c !== 0x5b && c !== 0x3c);
    if (!s) this.fail('Expected a keyword');
    return s.toUpperCase();
  }

  // tag = 1*<any ASTRING-CHAR except "+">
  tag(): string {
    const s = this.take((c) => isAstringChar(c) && c !== 0x2b);
    if (!s) this.fail('Missing tag');
    return s;
  }

  // number = 1*DIGIT (32 bit); number64 up to 2^63-1 (as a JS number: exact to 2^53).
  number(max = 0xffffffff): number {
    const s = this.take(isDigit);
    if (!s) this.fail('Expected a number');
    const n = Number(s);
    if (n > max) this.fail('Number out of range');
    return n;
  }

  nzNumber(max = 0xffffffff): number {
    const n = this.number(max);
    if (n === 0) this.fail('Expected a non-zero number');
    return n;
  }

  number64(): number {
    return this.number(Number.MAX_SAFE_INTEGER);
  }

  // string = quoted / literal, as bytes; binary tells a literal8.
  stringBytes(allowBinary = false): { data: Buffer; binary: boolean } {
    const c = this.peek();
    if (c === DQUOTE) return { data: this.quotedBytes(), binary: false };
    if (c === 0x7b || c === 0x7e) return this.literal(allowBinary);
    this.fail('Expected a string');
  }

  string(): string {
    return this.stringBytes().data.toString('utf8');
  }

  // astring = 1*ASTRING-CHAR / string
  astringBytes(): Buffer {
    const c = this.peek();
    if (c === DQUOTE || c === 0x7b) return this.stringBytes().data;
    const start = this.pos;
    this.take(this.utf8Atoms ? (b) => isAstringChar(b) || b >= 0x80 : isAstringChar);
    if (start === this.pos) this.fail('Expected a string or atom');
    return this.line.subarray(start, this.pos);
  }

  astring(): string {
    return this.astringBytes().toString('utf8');
  }

  // nstring = string / NIL
  nstring(): string | null {
    if (this.tryWord('NIL')) return null;
    return this.string();
  }

  // list-mailbox = 1*list-char / string (LIST patterns with wildcards)
  listMailbox(): Buffer {
    const c = this.peek();
    if (c === DQUOTE || c === 0x7b) return this.stringBytes().data;
    const start = this.pos;
    this.take(this.utf8Atoms ? (b) => isListChar(b) || b >= 0x80 : isListChar);
    if (start === this.pos) this.fail('Expected a mailbox pattern');
    return this.line.subarray(start, this.pos);
  }

  // "(" [item *(SP item)] ")"; with nonEmpty at least one item.
  list<T>(item: () => T, nonEmpty = false): T[] {
    this.char('(');
    const out: T[] = [];
    if (this.tryChar(')')) {
      if (nonEmpty) this.fail('Empty list');
      return out;
    }
    for (;;) {
      out.push(item());
      if (this.tryChar(')')) return out;
      this.sp();
    }
  }

  // One item or a parenthesized list of them.
  oneOrList<T>(item: () => T): T[] {
    return this.peek() === 0x28 ? this.list(item, true) : [item()];
  }

  // sequence-set = (seq-number / seq-range) ["," sequence-set]; "$" alone (RFC 5182)
  sequenceSet(): SequenceSet {
    if (this.tryChar('$')) return { saved: true };
    const ranges: SeqRange[] = [];
    do {
      const from = this.seqNumber();
      ranges.push([from, this.tryChar(':') ? this.seqNumber() : from]);
    } while (this.tryChar(','));
    return { saved: false, ranges };
  }

  private seqNumber(): number | null {
    if (this.tryChar('*')) return null;
    return this.nzNumber();
  }

  // flag = "\Answered" / "\Flagged" / "\Deleted" / "\Seen" / "\Draft" / flag-keyword /
  // flag-extension; returned as written (the store canonicalizes system flags).
  flag(): string {
    if (this.tryChar('\\')) {
      const name = this.atom();
      return `\\${name}`;
    }
    return this.atom();
  }

  // date = date-text / DQUOTE date-text DQUOTE; date-text = date-day "-" date-month "-" date-year
  // As midnight UTC of that day, in ms.
  date(): number {
    const quoted = this.tryChar('"');
    const m = /^(\d{1,2})-([A-Za-z]{3})-(\d{4})/.exec(this.line.toString('latin1', this.pos, this.pos + 11));
    if (!m) this.fail('Invalid date');
    this.pos += m[0].length;
    if (quoted) this.char('"');
    const month = MONTH_INDEX.get(m[2]!.toLowerCase());
    const day = Number(m[1]);
    if (month === undefined || day < 1 || day > 31) this.fail('Invalid date');
    return Date.UTC(Number(m[3]), month, day);
  }

  // date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE
  dateTime(): number {
    const text = this.line.toString('latin1', this.pos, this.pos + 28);
    const m = /^"([ \d]\d)-([A-Za-z]{3})-(\d{4}) (\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)"/.exec(text);
    if (!m) this.fail('Invalid date-time');
    this.pos += m[0].length;
    const month = MONTH_INDEX.get(m[2]!.toLowerCase());
    const [day, hh, mm, ss] = [m[1]!, m[4]!, m[5]!, m[6]!].map((v) => Number(v.trim()));
    if (month === undefined || day! < 1 || day! > 31 || hh! > 23 || mm! > 59 || ss! > 60) this.fail('Invalid date-time');
    const offset = (m[7] === '-' ? -1 : 1) * (Number(m[8]) * 60 + Number(m[9])) * 60_000;
    return Date.UTC(Number(m[3]), month, day!, hh!, mm!, ss!) - offset;
  }

  // quoted = DQUOTE *QUOTED-CHAR DQUOTE; QUOTED-CHAR allows UTF-8 (RFC 9051 9) and "\" only
  // before DQUOTE or "\". One pass to the closing quote, then one copy without the escapes (bytes
  // pushed one by one onto an array cost more per byte the longer the string).
  private quotedBytes(): Buffer {
    const line = this.line;
    const start = ++this.pos;
    let escapes = 0;
    for (;;) {
      if (this.pos >= line.length) this.fail('Unterminated quoted string');
      const c = line[this.pos++]!;
      if (c === DQUOTE) break;
      if (c === BACKSLASH) {
        const n = line[this.pos++];
        if (n !== DQUOTE && n !== BACKSLASH) this.fail('Invalid escape in quoted string');
        escapes++;
      } else if (c === 0) {
        this.fail('NUL in quoted string');
      }
    }
    const end = this.pos - 1;
    const out = Buffer.allocUnsafe(end - start - escapes);
    for (let i = start, o = 0; i < end; i++, o++) out[o] = line[i] === BACKSLASH ? line[++i]! : line[i]!;
    return out;
  }

  // literal = "{" number64 ["+"] "}" CRLF *CHAR8; literal8 = "~{" number64 "}" CRLF *OCTET.
  // The framer ended the line right after the announcement and put the data in the next part.
  private literal(allowBinary: boolean): { data: Buffer; binary: boolean } {
    const rest = this.line.subarray(this.pos);
    const lit = literalAtEnd(rest);
    if (!lit || !LITERAL_ONLY.test(rest.toString('latin1'))) this.fail('Invalid literal');
    if (lit.binary && !allowBinary) this.fail('literal8 not allowed here');
    const data = this.parts[this.index + 1];
    if (data === undefined || data.length !== lit.size) this.fail('Missing literal data');
    if (!lit.binary && data.includes(0)) this.fail('NUL in literal');
    this.index += 2;
    this.pos = 0;
    return { data, binary: lit.binary };
  }
}

const LITERAL_ONLY = /^~?\{\d{1,20}\+?\}$/;
const MONTH_INDEX = new Map(['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'].map((m, i) => [m, i]));
