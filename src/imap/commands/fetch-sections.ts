// BODY[section]<partial> and BINARY[section] (RFC 9051 6.4.5, RFC 3516): the IMAP syntax of
// section specifiers; src/mime resolves them to bytes through the stored part tree's offsets,
// never by parsing the message again.
import { decodePartBody, findPart, type MessageStructure, type Section, type SectionText } from '../../mime/index.ts';
import type { Parser } from '../parser.ts';

// section = "[" [section-spec] "]"; section-spec = section-msgtext / (section-part ["."
// section-text]); section-text = section-msgtext / "MIME". The parser is after "[".
export function parseSection(p: Parser, binary: boolean): Section {
  const token = p.take((c) => c !== 0x5d && c !== 0x20);
  const pieces = token ? token.split('.') : [];
  const part: number[] = [];
  let i = 0;
  for (; i < pieces.length && /^\d+$/.test(pieces[i]!); i++) {
    const n = Number(pieces[i]);
    if (n < 1 || n > 0xffffffff) p.fail('Invalid section part');
    part.push(n);
  }
  const rest = pieces.slice(i).join('.').toUpperCase();
  let text: SectionText | null = null;
  let fields: string[] = [];
  if (rest) {
    if (binary) p.fail('BINARY takes part numbers only');
    if (!['HEADER', 'HEADER.FIELDS', 'HEADER.FIELDS.NOT', 'TEXT', 'MIME'].includes(rest)) p.fail('Invalid section');
    text = rest as SectionText;
    if (text === 'MIME' && !part.length) p.fail('MIME needs a part number');
    if (text === 'HEADER.FIELDS' || text === 'HEADER.FIELDS.NOT') {
      p.sp();
      fields = p.list(() => p.astring(), true);
    }
  } else if (token.endsWith('.') || (token && !part.length)) {
    p.fail('Invalid section');
  }
  p.char(']');
  return { path: part, text, fields };
}

// The text of a section in a response label: "1.2.HEADER.FIELDS (FROM TO)".
export function sectionLabel(s: Section, encodeField: (f: string) => string): string {
  const parts = [...s.path.map(String), ...(s.text ? [s.text] : [])].join('.');
  return s.fields?.length ? `${parts} (${s.fields.map(encodeField).join(' ')})` : parts;
}

// RFC 3516 BINARY[part]: the body with its Content-Transfer-Encoding removed; null when the part
// does not exist, 'unknown' for an encoding we cannot decode (UNKNOWN-CTE). BINARY[] and a
// multipart or message part are sent as stored: there is no single encoding to remove.
export function binaryBytes(raw: Buffer, msg: MessageStructure, path: readonly number[]): Buffer | null | 'unknown' {
  if (!path.length) return raw;
  const part = findPart(msg, path);
  if (!part) return null;
  if (part.children.length) return raw.subarray(part.bodyStart, part.end);
  return decodePartBody(raw, part) ?? 'unknown';
}
