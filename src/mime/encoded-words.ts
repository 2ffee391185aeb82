// RFC 2047 encoded-words ("=?charset?B|Q?text?=") and RFC 2231 extended parameter values
// ("charset'language'%XX..."), decoded to UTF-8 strings for SEARCH and for display. IMAP's
// ENVELOPE and BODYSTRUCTURE keep the raw forms; these are never applied to stored fields.
import { charsetDecoder, decodeUtf8OrLatin1 } from './charset.ts';

// RFC 2047 2: encoded-word = "=?" charset "?" encoding "?" encoded-text "?="; encoded-text has
// no "?" and no white space. charset may carry an RFC 2231 5 language suffix ("*en").
const ENCODED_WORD = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;

const HEX = /^[0-9A-Fa-f]{2}$/;

// Decoded octets, written into one buffer sized for the worst case (a UTF-16 unit is at most three
// UTF-8 bytes): numbers pushed one by one onto an array cost more per byte once it is large.
class OctetWriter {
  private buf: Buffer;
  private n = 0;

  constructor(maxChars: number) {
    this.buf = Buffer.allocUnsafe(maxChars * 3);
  }

  byte(b: number): void {
    this.buf[this.n++] = b;
  }

  // A character above 0x7f as its UTF-8 bytes (a lone surrogate as U+FFFD's).
  char(c: string): void {
    this.n += this.buf.write(c, this.n, 'utf8');
  }

  done(): Buffer {
    return this.buf.subarray(0, this.n);
  }
}

// RFC 2047 4.2 "Q": "_" is space, "=XX" a byte, anything else itself. Lenient: a "=" not
// followed by two hex digits stays as it is; characters above 0xff (a UTF-8 header carrying
// raw text inside an encoded-word) become their UTF-8 bytes.
function decodeQ(text: string): Buffer {
  const out = new OctetWriter(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5f) {
      out.byte(0x20);
    } else if (c === 0x3d && HEX.test(text.slice(i + 1, i + 3))) {
      out.byte(parseInt(text.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      out.byte(c);
    } else {
      out.char(text[i]!);
    }
  }
  return out.done();
}

// RFC 2047 4.1 "B" is base64 (RFC 2045 6.8); Node's decoder skips characters outside the
// alphabet and tolerates missing padding, which is the leniency broken mailers need.
function decodeB(text: string): Buffer {
  return Buffer.from(text, 'base64');
}

interface Word {
  start: number;
  end: number;
  charset: string;
  bytes: Buffer;
}

// RFC 2047 decoding of a header value (or display name). Encoded-words separated only by white
// space are joined without that space (RFC 2047 6.2); runs of adjacent words in the same charset
// are decoded together, so a multibyte character split across two words survives. A word in an
// unknown charset is left as it is. Words glued to other text are decoded too (lenient, as
// mail clients are).
export function decodeEncodedWords(value: string): string {
  if (!value.includes('=?')) return value;
  const words: Word[] = [];
  for (const m of value.matchAll(ENCODED_WORD)) {
    const charset = m[1]!;
    if (charsetDecoder(charset) === null) continue;
    const bytes = m[2] === 'B' || m[2] === 'b' ? decodeB(m[3]!) : decodeQ(m[3]!);
    words.push({ start: m.index, end: m.index + m[0].length, charset: charset.toLowerCase(), bytes });
  }
  if (words.length === 0) return value;
  let out = '';
  let pos = 0;
  let i = 0;
  while (i < words.length) {
    out += value.slice(pos, words[i]!.start);
    // The chain of words separated only by white space.
    let j = i;
    while (j + 1 < words.length && /^[ \t\r\n]*$/.test(value.slice(words[j]!.end, words[j + 1]!.start))) j++;
    // Within the chain, each run of one charset is decoded as one byte sequence.
    let k = i;
    while (k <= j) {
      const charset = words[k]!.charset;
      const run: Buffer[] = [];
      while (k <= j && words[k]!.charset === charset) run.push(words[k++]!.bytes);
      out += charsetDecoder(charset)!.decode(Buffer.concat(run));
    }
    pos = words[j]!.end;
    i = j + 1;
  }
  return out + value.slice(pos);
}

// RFC 2231 4: extended-initial-value = [charset] "'" [language] "'" extended-other-values, where
// the values are %XX-encoded octets. Returns the charset, language and the octets; a value
// without the two quotes is taken as plain octets with no charset.
export function splitExtendedValue(value: string): { charset: string; language: string; bytes: Buffer } {
  const q1 = value.indexOf("'");
  const q2 = q1 === -1 ? -1 : value.indexOf("'", q1 + 1);
  if (q2 === -1) return { charset: '', language: '', bytes: percentDecode(value) };
  return {
    charset: value.slice(0, q1),
    language: value.slice(q1 + 1, q2),
    bytes: percentDecode(value.slice(q2 + 1)),
  };
}

// RFC 2231 4 %XX octets; a "%" not followed by two hex digits stays as it is. Characters above
// 0x7f (8-bit header bytes already read as text) become their UTF-8 bytes.
export function percentDecode(value: string): Buffer {
  const out = new OctetWriter(value.length);
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && HEX.test(value.slice(i + 1, i + 3))) {
      out.byte(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else if (c < 0x80) {
      out.byte(c);
    } else {
      out.char(value[i]!);
    }
  }
  return out.done();
}

// Octets in a charset named by RFC 2231 (or RFC 2047) to text; an unknown or missing charset
// reads them as UTF-8 when valid and windows-1252 otherwise, so the result is always text.
export function decodeOctets(bytes: Buffer, charset: string): string {
  const decoder = charset === '' ? null : charsetDecoder(charset);
  return decoder === null ? decodeUtf8OrLatin1(bytes) : decoder.decode(bytes);
}

// RFC 2231 extended value ("utf-8'en'%E2%82%AC") to text.
export function decodeRfc2231Value(value: string): string {
  const { charset, bytes } = splitExtendedValue(value);
  return decodeOctets(bytes, charset);
}
