// Content-Transfer-Encoding decoding of a part's body (RFC 2045 6) for IMAP BINARY[] and
// BINARY.SIZE (RFC 3516), and charset decoding of text parts (RFC 2046 4.1.2) for SEARCH.
import type { MimePart } from './types.ts';
import { decodeCharset } from './charset.ts';
import { paramValue } from './params.ts';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HTAB = 0x09;
const EQUALS = 0x3d;

// RFC 2045 6.8 alphabet values; -1 for anything else.
const BASE64 = new Int8Array(256).fill(-1);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'.split('').forEach((c, i) => {
  BASE64[c.charCodeAt(0)] = i;
});

// RFC 2045 6.8 base64. "Any characters outside of the base64 alphabet are to be ignored";
// "=" ends a 4-character quantum early, and decoding goes on after it, so that base64 blocks
// concatenated by broken encoders come out whole. A lone trailing character is dropped.
export function decodeBase64Lenient(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(Math.floor((input.length * 3) / 4) + 3);
  let n = 0;
  let acc = 0;
  let count = 0;
  for (let i = 0; i < input.length; i++) {
    const c = input[i]!;
    const v = BASE64[c]!;
    if (v >= 0) {
      acc = (acc << 6) | v;
      if (++count === 4) {
        out[n++] = (acc >> 16) & 0xff;
        out[n++] = (acc >> 8) & 0xff;
        out[n++] = acc & 0xff;
        acc = 0;
        count = 0;
      }
    } else if (c === EQUALS && count > 0) {
      if (count === 2) out[n++] = (acc >> 4) & 0xff;
      else if (count === 3) {
        out[n++] = (acc >> 10) & 0xff;
        out[n++] = (acc >> 2) & 0xff;
      }
      acc = 0;
      count = 0;
    }
  }
  if (count === 2) out[n++] = (acc >> 4) & 0xff;
  else if (count === 3) {
    out[n++] = (acc >> 10) & 0xff;
    out[n++] = (acc >> 2) & 0xff;
  }
  return out.subarray(0, n);
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57; // lowercase: RFC 2045 6.7 (1) says decoders may accept it
  return -1;
}

// RFC 2045 6.7 quoted-printable: "=XX" is an octet; "=" at the end of a line is a soft line break
// (the line break goes); white space at the end of a line was added in transport and goes
// (rule 3); a "=" not followed by two hex digits stays as it is. Hard line breaks are kept as
// they are written (CRLF or bare LF).
export function decodeQuotedPrintable(input: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(input.length);
  let n = 0;
  let pos = 0;
  const size = input.length;
  while (pos < size) {
    let lineEnd = input.indexOf(LF, pos);
    let next: number;
    if (lineEnd === -1) {
      lineEnd = size;
      next = size;
    } else {
      next = lineEnd + 1;
      if (lineEnd > pos && input[lineEnd - 1] === CR) lineEnd--;
    }
    let contentEnd = lineEnd;
    while (contentEnd > pos && (input[contentEnd - 1] === SP || input[contentEnd - 1] === HTAB)) contentEnd--;
    let soft = false;
    if (contentEnd > pos && input[contentEnd - 1] === EQUALS) {
      soft = true;
      contentEnd--;
    }
    for (let i = pos; i < contentEnd; i++) {
      const c = input[i]!;
      if (c === EQUALS) {
        const hi = i + 1 < contentEnd ? hexValue(input[i + 1]) : -1;
        const lo = i + 2 < contentEnd ? hexValue(input[i + 2]) : -1;
        if (hi >= 0 && lo >= 0) {
          out[n++] = (hi << 4) | lo;
          i += 2;
          continue;
        }
      }
      out[n++] = c;
    }
    if (!soft) for (let i = lineEnd; i < next; i++) out[n++] = input[i]!;
    pos = next;
  }
  return out.subarray(0, n);
}

// The body decoded per a Content-Transfer-Encoding value; null when the encoding is unknown (IMAP
// answers UNKNOWN-CTE, RFC 3516 4.3). 7bit, 8bit and binary are identities (RFC 2045 6.2).
export function decodeTransfer(body: Buffer, encoding: string): Buffer | null {
  switch (encoding.trim().toLowerCase()) {
    case '':
    case '7bit':
    case '8bit':
    case 'binary':
      return body;
    case 'base64':
      return decodeBase64Lenient(body);
    case 'quoted-printable':
      return decodeQuotedPrintable(body);
    default:
      return null;
  }
}

// What decoding a part's body needs of it.
export type BodyPart = Pick<MimePart, 'bodyStart' | 'end' | 'encoding' | 'params'>;

// The body of a part as IMAP BINARY[section] returns it; null for an unknown encoding.
export function decodePartBody(raw: Buffer, part: BodyPart): Buffer | null {
  return decodeTransfer(raw.subarray(part.bodyStart, part.end), part.encoding);
}

// RFC 3516 4.2 BINARY.SIZE: the size of the decoded body; null for an unknown encoding.
export function decodedSize(raw: Buffer, part: MimePart): number | null {
  const body = decodePartBody(raw, part);
  return body === null ? null : body.length;
}

// The text of a part for SEARCH BODY/TEXT: transfer-decoded (left as is when the encoding is
// unknown), then read in its charset (unknown charsets as UTF-8 or windows-1252).
export function decodePartText(raw: Buffer, part: BodyPart): string {
  const body = decodePartBody(raw, part) ?? raw.subarray(part.bodyStart, part.end);
  const charset = paramValue(part.params, 'charset') ?? paramValue(part.params, 'charset*');
  return decodeCharset(body, charset);
}

// The text/* leaves of a part tree in order, inside encapsulated messages too (what SEARCH BODY
// looks through). Iterative, so a deep tree cannot exhaust the stack.
export function textParts(root: MimePart): MimePart[] {
  const out: MimePart[] = [];
  const todo: MimePart[] = [root];
  while (todo.length > 0) {
    const part = todo.pop()!;
    if (part.children.length > 0) {
      for (let i = part.children.length - 1; i >= 0; i--) todo.push(part.children[i]!);
    } else if (part.type === 'text') {
      out.push(part);
    }
  }
  return out;
}
