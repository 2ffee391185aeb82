// IMAP response lines written straight into bytes (net/byte-lines.ts), for responses of many short
// lines (FETCH of what the mailbox index and the header cache hold, ENVELOPE included; SEARCH and
// THREAD results). Strings are quoted or sent as literals by the rules of ResponseBuilder
// (encoder.ts), whose output for the same calls is the same bytes (tested).
import { ByteLines } from '../net/byte-lines.ts';
import { needsLiteral, type ResponseWriter } from './encoder.ts';

const QUOTE = 0x22;
// What a string between quotes cannot hold as it is: '"' and '\\' (escaped), NUL, CR and LF
// (literal only), 8-bit (UTF-8, or a literal).
const SPECIAL = /[\0\r\n"\\\u0080-\uffff]/;

export class LineBatch extends ByteLines implements ResponseWriter {
  // Whether the client may receive UTF-8 in quoted strings (RFC 6855 3), for str().
  private utf8: boolean;

  constructor(utf8 = false) {
    super();
    this.utf8 = utf8;
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
}
