// What to do when the peer lacks an extension the message was received with.
// - RFC 6152 3 (8BITMIME): an 8-bit body is converted to 7 bits before it is sent: each leaf part
//   with 8-bit octets under an identity encoding (7bit, 8bit, binary) is re-encoded,
//   quoted-printable for text/* and base64 otherwise (RFC 2045 6), and multipart and message/rfc822
//   containers around them say 7bit (RFC 2046 5.2.1 allows no other encoding for message/rfc822,
//   so its inside is converted instead). Header fields are left as they are: 8-bit octets there
//   are not valid without SMTPUTF8 and cannot be converted without knowing their charset.
// - RFC 6531 3.2 (SMTPUTF8): a message that needs it (a UTF-8 address in the envelope, or UTF-8
//   in the header) is not sent to a peer without it; the recipient fails with 553 5.6.7 for an
//   address or 554 5.6.9 for the header (RFC 6531 3.5, RFC 6533 3). A message that was received
//   with SMTPUTF8 but needs none of it travels without.
// Signing (DKIM) happens after this, on the bytes that are sent (RFC 6376 5.3).
import { isAscii as isAsciiBytes } from 'node:buffer';
import { findHeaderEnd, splitHeader, findField } from '../mime/headers.ts';
import type { MimePart, MessageStructure } from '../mime/types.ts';

// True when the bytes need 8BITMIME (or SMTPUTF8) to travel (a native scan).
export function has8bit(b: Buffer): boolean {
  return !isAsciiBytes(b);
}

const IDENTITY = new Set(['7bit', '8bit', 'binary']);

function range8bit(raw: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (raw[i] > 0x7f) return true;
  return false;
}

// RFC 2045 6.7 quoted-printable: lines of at most 76 characters, CRLF line breaks kept as hard
// breaks, space and tab encoded at the end of a line, "=" and every octet outside 33-126 encoded.
export function encodeQuotedPrintable(body: Buffer): string {
  const out: string[] = [];
  const text = body.toString('latin1');
  const lines = text.split('\r\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n];
    let current = '';
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      const last = i === line.length - 1;
      let token: string;
      if ((c >= 33 && c <= 126 && c !== 61) || ((c === 32 || c === 9) && !last)) token = line[i];
      else token = `=${c.toString(16).toUpperCase().padStart(2, '0')}`;
      if (current.length + token.length > 75) {
        out.push(`${current}=`);
        current = '';
      }
      current += token;
    }
    out.push(current);
  }
  return out.join('\r\n');
}

export function encodeBase64(body: Buffer): string {
  return (body.toString('base64').match(/.{1,76}/g) ?? []).join('\r\n');
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

// The Content-Transfer-Encoding field of a part set to `value` (replaced, or added at the end of
// its header).
function setEncoding(raw: Buffer, part: MimePart, value: string, edits: Edit[]): void {
  const { headerEnd } = findHeaderEnd(raw, part.headerStart, part.bodyStart);
  const field = findField(splitHeader(raw, part.headerStart, headerEnd), 'Content-Transfer-Encoding');
  if (field) edits.push({ start: field.start, end: field.end, text: `Content-Transfer-Encoding: ${value}\r\n` });
  else edits.push({ start: headerEnd, end: headerEnd, text: `Content-Transfer-Encoding: ${value}\r\n` });
}

// Collects the edits that make the part 7-bit; returns whether it had 8-bit content.
function convert(raw: Buffer, part: MimePart, edits: Edit[]): boolean {
  if (part.children.length) {
    let any = false;
    for (const child of part.children) any = convert(raw, child, edits) || any;
    if (any && part.encoding !== '7bit' && part.headerStart !== part.bodyStart) setEncoding(raw, part, '7bit', edits);
    return any;
  }
  if (!IDENTITY.has(part.encoding) || !range8bit(raw, part.bodyStart, part.end)) return false;
  // A part without a header of its own (a placeholder body) cannot say how it is encoded.
  if (part.headerStart === part.bodyStart) return false;
  const body = raw.subarray(part.bodyStart, part.end);
  const qp = part.type === 'text';
  edits.push({ start: part.bodyStart, end: part.end, text: qp ? encodeQuotedPrintable(body) : encodeBase64(body) });
  setEncoding(raw, part, qp ? 'quoted-printable' : 'base64', edits);
  return true;
}

// The message with 7-bit content; the same Buffer when it has no 8-bit octets in its body.
export function to7bit(raw: Buffer, parsed: MessageStructure): Buffer {
  const edits: Edit[] = [];
  convert(raw, parsed.root, edits);
  if (edits.length === 0) return raw;
  edits.sort((a, b) => a.start - b.start || a.end - b.end);
  const pieces: Buffer[] = [];
  let pos = 0;
  for (const e of edits) {
    pieces.push(raw.subarray(pos, e.start), Buffer.from(e.text, 'latin1'));
    pos = Math.max(pos, e.end);
  }
  pieces.push(raw.subarray(pos));
  return Buffer.concat(pieces);
}

// Does the message's header (top level) hold UTF-8 (RFC 6532)?
export function headerNeedsUtf8(raw: Buffer): boolean {
  const { headerEnd } = findHeaderEnd(raw);
  return has8bit(raw.subarray(0, headerEnd));
}

export function isAscii(s: string): boolean {
  return !/[^\x00-\x7f]/.test(s);
}
