// Protocol lines written straight into bytes, for responses of many short lines (IMAP FETCH of
// the mailbox index, SEARCH and THREAD results; POP3 LIST and UIDL): no string is built per line,
// and what was written goes to the socket as one Buffer (take()).
const INITIAL_BYTES = 32 * 1024;
const HEX = Buffer.from('0123456789abcdef');

export class ByteLines {
  protected buf = Buffer.allocUnsafe(INITIAL_BYTES);
  protected at = 0;

  // Bytes written since the last take().
  get length(): number {
    return this.at;
  }

  // Protocol text the caller guarantees is well-formed. ASCII is copied by a plain loop, cheaper
  // than a native call for the few characters of a line's fields; 8-bit text goes out as UTF-8.
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

  // An unsigned 32-bit integer as 8 lower-case hex digits, zeros in front.
  hex8(n: number): this {
    this.room(8);
    const buf = this.buf;
    for (let i = 7, x = n >>> 0; i >= 0; i--, x >>>= 4) buf[this.at + i] = HEX[x & 15]!;
    this.at += 8;
    return this;
  }

  // The bytes written, handed over; the lines start again empty.
  take(): Buffer {
    const out = this.buf.subarray(0, this.at);
    this.buf = Buffer.allocUnsafe(Math.max(INITIAL_BYTES, this.at));
    this.at = 0;
    return out;
  }

  protected room(bytes: number): void {
    if (this.at + bytes <= this.buf.length) return;
    const bigger = Buffer.allocUnsafe(Math.max(2 * this.buf.length, this.at + bytes));
    this.buf.copy(bigger, 0, 0, this.at);
    this.buf = bigger;
  }
}
