// Server responses (RFC 9051 7, RFC 3501 7): a builder that picks the right form for every
// string it sends (atom, quoted or literal) and keeps literals as Buffers so that a large body
// goes to the socket as it is stored, never copied into a string.
// RFC 9051 4.3: a quoted string cannot hold CR, LF or NUL; 8-bit text is only quoted once the
// client has enabled UTF8=ACCEPT (RFC 6855 3), otherwise it goes as a literal.

export type Chunk = string | Buffer;

const CRLF = '\r\n';

// RFC 9051 9 ATOM-CHAR: any CHAR except atom-specials ( ) { SP CTL % * " \ ]
const ATOM_SPECIALS = /[(){ \x00-\x1f\x7f%*"\\\]]/;
// ASTRING-CHAR = ATOM-CHAR / resp-specials ("]")
const ASTRING_SPECIALS = /[(){ \x00-\x1f\x7f%*"\\]/;

export function isAtom(s: string): boolean {
  return s.length > 0 && !ATOM_SPECIALS.test(s) && !/[^\x00-\x7f]/.test(s);
}

// An astring that can go as an atom: ASTRING-CHARs only, and not the word NIL.
export function isAstringAtom(s: string): boolean {
  return s.length > 0 && !ASTRING_SPECIALS.test(s) && !/[^\x00-\x7f]/.test(s) && s.toUpperCase() !== 'NIL';
}

// Characters that force a literal: NUL, CR, LF always; 8-bit without UTF8=ACCEPT.
export function needsLiteral(s: string, utf8: boolean): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0 || c === 0x0a || c === 0x0d) return true;
    if (c >= 0x80 && !utf8) return true;
  }
  return false;
}

export function quote(s: string): string {
  return s.includes('"') || s.includes('\\') ? `"${s.replace(/[\\"]/g, (m) => `\\${m}`)}"` : `"${s}"`;
}

// What ENVELOPE is written with (fetch-structure.ts): a ResponseBuilder, or a LineBatch that
// writes bytes directly (line-batch.ts).
export interface ResponseWriter {
  raw(s: string): this;
  sp(): this;
  str(s: string | null): this;
}

export class ResponseBuilder implements ResponseWriter {
  private chunks: Chunk[] = [];
  private taken = 0; // characters and bytes in chunks
  private text = '';
  private utf8: boolean;

  constructor(utf8 = false, start = '') {
    this.utf8 = utf8;
    this.text = start;
  }

  // Whether the client may receive UTF-8 in quoted strings (RFC 6855 3).
  get utf8Accepted(): boolean {
    return this.utf8;
  }

  // Protocol text the caller guarantees is well-formed.
  raw(s: string): this {
    this.text += s;
    return this;
  }

  sp(): this {
    this.text += ' ';
    return this;
  }

  num(n: number): this {
    this.text += String(n);
    return this;
  }

  // string / nstring: NIL for null, quoted when possible, otherwise a literal.
  str(s: string | null): this {
    if (s === null) return this.raw('NIL');
    if (needsLiteral(s, this.utf8)) return this.literal(Buffer.from(s, 'utf8'));
    return this.raw(quote(s));
  }

  // astring: an atom when the text allows it (and is not NIL), else as str().
  astr(s: string): this {
    return isAstringAtom(s) ? this.raw(s) : this.str(s);
  }

  // RFC 9051 4.3 literal, or RFC 3516 literal8 ("~{n}") for content that may hold NUL.
  literal(data: Buffer, binary = false): this {
    this.text += `${binary ? '~' : ''}{${data.length}}${CRLF}`;
    this.taken += this.text.length + data.length;
    this.chunks.push(this.text, data);
    this.text = '';
    return this;
  }

  // A parenthesized list of the items, each written by fn.
  list<T>(items: readonly T[] | null, fn: (item: T, b: this) => void): this {
    if (items === null) return this.raw('NIL');
    this.text += '(';
    items.forEach((item, i) => {
      if (i > 0) this.text += ' ';
      fn(item, this);
    });
    this.text += ')';
    return this;
  }

  // Characters and literal bytes written since the last take() or done().
  get length(): number {
    return this.text.length + this.taken;
  }

  // What was written, as chunks, without a final CRLF: lines the caller ended itself.
  take(): Chunk[] {
    if (this.text) this.chunks.push(this.text);
    const out = this.chunks;
    this.chunks = [];
    this.text = '';
    this.taken = 0;
    return out;
  }

  // The response line, CRLF-terminated, as chunks.
  done(): Chunk[] {
    this.chunks.push(this.text + CRLF);
    const out = this.chunks;
    this.chunks = [];
    this.text = '';
    this.taken = 0;
    return out;
  }
}

// RFC 9051 9 sequence-set of the numbers in the order given: runs of consecutive ascending
// numbers become "a:b" ("1:3,5,7:9"); an ESORT's ALL keeps its sort order (RFC 5267 3.2).
export function encodeSequenceSet(numbers: readonly number[]): string {
  const out: string[] = [];
  for (let i = 0; i < numbers.length; ) {
    let j = i;
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++;
    out.push(j === i ? String(numbers[i]) : `${numbers[i]}:${numbers[j]}`);
    i = j + 1;
  }
  return out.join(',');
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number, w = 2) => String(n).padStart(w, '0');

// RFC 9051 9 date-time: "dd-Mon-yyyy hh:mm:ss +zzzz", in UTC (the store keeps ms since the epoch).
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `"${pad(d.getUTCDate())}-${MONTHS[d.getUTCMonth()]}-${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000"`;
}

export { MONTHS };
