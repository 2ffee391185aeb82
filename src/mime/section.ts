// IMAP section specifiers (RFC 9051 6.4.5, RFC 3501 6.4.5) resolved to parts and byte ranges of
// the raw message: BODY[1.2], BODY[3.HEADER], BODY[4.1.MIME], BODY[TEXT], BINARY[2] ...
import type { MimePart, MessageStructure } from './types.ts';
import { headerFieldsSubset } from './headers.ts';

export type SectionText = 'HEADER' | 'HEADER.FIELDS' | 'HEADER.FIELDS.NOT' | 'TEXT' | 'MIME';

export interface SectionRange {
  part: MimePart; // the part whose bytes these are (for HEADER/TEXT: the message's top part)
  start: number;
  end: number;
}

function isMessage(part: MimePart): boolean {
  return part.type === 'message' && (part.subtype === 'rfc822' || part.subtype === 'global') && part.children.length === 1;
}

// RFC 9051 6.4.5: "Non-[MIME-IMB] messages, and non-multipart [MIME-IMB] messages with no
// encapsulated message, only have a part 1"; a multipart's parts are numbered from 1. So the
// numbered parts of a message whose top part is `top` are top's parts when it is a multipart,
// else top itself as part 1.
function numberedParts(top: MimePart): readonly MimePart[] {
  return top.type === 'multipart' ? top.children : [top];
}

// The parts a numeric specifier below `part` counts: a multipart's parts; for message/rfc822 and
// message/global "parts of the MESSAGE part's body" (the encapsulated message's numbered parts);
// nothing for any other part.
function subParts(part: MimePart): readonly MimePart[] {
  if (part.type === 'multipart') return part.children;
  if (isMessage(part)) return numberedParts(part.children[0]!);
  return [];
}

// The part a numeric section path names (BODY[1.2] is [1, 2]; BINARY[n] decodes this part), or
// null when there is no such part. The empty path names no part.
export function findPart(message: MessageStructure, path: readonly number[]): MimePart | null {
  if (path.length === 0) return null;
  let parts = numberedParts(message.root);
  let part: MimePart | null = null;
  for (const n of path) {
    if (!Number.isInteger(n) || n < 1 || n > parts.length) return null;
    part = parts[n - 1]!;
    parts = subParts(part);
  }
  return part;
}

// The bytes a section names, as a range of the raw message, or null when the section does not
// exist. text is the section-text after the numbers (null for none):
// - [] alone: the whole message. [] + HEADER / HEADER.FIELDS[.NOT] / TEXT: the message's header
//   (with its blank line) or body.
// - path alone: the part's body (for message/rfc822, the whole encapsulated message).
// - path + HEADER / HEADER.FIELDS[.NOT] / TEXT: only for message/rfc822 and message/global
//   parts: the encapsulated message's header or body.
// - path + MIME: the part's own MIME header; MIME needs a path ("MUST be prefixed by one or more
//   numeric part specifiers").
// For HEADER.FIELDS[.NOT] the range is the whole header; headerFieldsSubset cuts it (or use
// sectionBytes).
export function sectionRange(message: MessageStructure, path: readonly number[], text: SectionText | null): SectionRange | null {
  let top: MimePart;
  if (path.length === 0) {
    if (text === 'MIME') return null;
    if (text === null) return { part: message.root, start: 0, end: message.size };
    top = message.root;
  } else {
    const part = findPart(message, path);
    if (part === null) return null;
    if (text === null) return { part, start: part.bodyStart, end: part.end };
    if (text === 'MIME') return { part, start: part.headerStart, end: part.bodyStart };
    if (!isMessage(part)) return null;
    top = part.children[0]!;
  }
  if (text === 'TEXT') return { part: top, start: top.bodyStart, end: top.end };
  return { part: top, start: top.headerStart, end: top.bodyStart };
}

export interface Section {
  path: readonly number[];
  text: SectionText | null;
  fields?: readonly string[]; // HEADER.FIELDS[.NOT] names
}

// The bytes BODY[section] returns (before any <partial>), or null when the section does not
// exist.
export function sectionBytes(raw: Buffer, message: MessageStructure, section: Section): Buffer | null {
  const range = sectionRange(message, section.path, section.text);
  if (range === null) return null;
  if (section.text === 'HEADER.FIELDS' || section.text === 'HEADER.FIELDS.NOT') {
    return headerFieldsSubset(raw, range.start, range.end, section.fields ?? [], section.text === 'HEADER.FIELDS.NOT');
  }
  return raw.subarray(range.start, range.end);
}
