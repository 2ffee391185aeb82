// Response lines written straight into bytes, for responses of many short lines (FETCH of what the
// mailbox index and the header cache hold, ENVELOPE included): no string is built per line, and
// the batch goes to the socket as one Buffer. Strings are quoted or sent as literals by the rules
// of ResponseBuilder (encoder.ts), whose output for the same calls is the same bytes (tested).
import { needsLiteral, type ResponseWriter } from './encoder.ts';

const INITIAL_BYTES = 32 * 1024;
const QUOTE = 0x22;
// What a string between quotes cannot hold as it is: '"' and '\\' (escaped), NUL, CR and LF
// (literal only), 8-bit (UTF-8, or a literal).
const SPECIAL = /[\0\r\n"\\\u0080-\uffff]/;

export class LineBatch implements ResponseWriter {
  private buf = Buffer.allocUnsafe(INITIAL_BYTES);
  private at = 0;
  // Whether the client may receive UTF-8 in quoted strings (RFC 6855 3), for str().
  private utf8: boolean;

  constructor(utf8 = false) {
    this.utf8 = utf8;
  }

  // Bytes written since the last take().
  get length(): number {
    return this.at;
  }

  // Protocol text the caller guarantees is well-formed. ASCII is copied by a plain loop, cheaper
  // than a native call for the few characters of a FETCH item; 8-bit text goes out as UTF-8.
  text(s: string): this {
    this.room(s.length);
    const buf = this.buf;
    let at = this.at;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      if (c > 0x7f) {
        this.room(Buffer.byteLength(s));
        this.at += this.buf.write(s, this.at, 'utf8');
        return this;
      }
      buf[at++] = c;
    }
    this.at = at;
    return this;
  }

  raw(s: string): this {
    return this.text(s);
  }

  sp(): this {
    this.room(1);
    this.buf[this.at++] = 0x20;
    return this;
  }

  // string / nstring (RFC 9051 4.3) as ResponseBuilder.str() writes it: NIL, a quoted string
  // ('"' and '\\' escaped), or a literal when the text holds NUL, CR, LF or 8-bit the client has
  // not accepted. Copied by a native write: for strings of this length (names, addresses,
  // subjects) it is several times faster than text()'s loop.
  str(s: string | null): this {
    if (s === null) return this.text('NIL');
    // Most strings need neither an escape nor a literal and are 7-bit: one scan tells (a regular
    // expression scans faster than a loop here), and they are copied as they are.
    if (!SPECIAL.test(s)) {
      this.room(s.length + 2);
      this.buf[this.at++] = QUOTE;
      this.at += this.buf.write(s, this.at, 'latin1');
      this.buf[this.at++] = QUOTE;
      return this;
    }
    if (needsLiteral(s, this.utf8)) {
      const bytes = Buffer.from(s, 'utf8');
      this.text(`{${bytes.length}}\r\n`);
      this.room(bytes.length);
      this.at += bytes.copy(this.buf, this.at);
      return this;
    }
    const quoted = s.includes('"') || s.includes('\\') ? s.replace(/[\\"]/g, '\\$&') : s;
    // At most three bytes of UTF-8 per UTF-16 unit, and the quotes.
    this.room(3 * quoted.length + 2);
    this.buf[this.at++] = QUOTE;
    this.at += this.buf.write(quoted, this.at, 'utf8');
    this.buf[this.at++] = QUOTE;
    return this;
  }

  // A non-negative integer in decimal.
  num(n: number): this {
    let digits = 1;
    for (let x = n; x >= 10; x = Math.floor(x / 10)) digits++;
    this.room(digits);
    const buf = this.buf;
    for (let i = this.at + digits - 1, x = n; i >= this.at; i--, x = Math.floor(x / 10)) buf[i] = 0x30 + (x % 10);
    this.at += digits;
    return this;
  }

  // The bytes written, handed over; the batch starts again empty.
  take(): Buffer {
    const out = this.buf.subarray(0, this.at);
    this.buf = Buffer.allocUnsafe(Math.max(INITIAL_BYTES, this.at));
    this.at = 0;
    return out;
  }

  private room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.at + bytes));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}
