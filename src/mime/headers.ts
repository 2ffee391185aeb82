// Header blocks as bytes: split into fields with offsets, unfold, look up by name, and cut the
// subsets IMAP's BODY[HEADER.FIELDS (...)] returns. Works on the raw Buffer; only the bytes of a
// field that is asked for are turned into a string.
import { decodeUtf8OrLatin1 } from './charset.ts';

const LF = 0x0a;
const CR = 0x0d;
const SP = 0x20;
const HTAB = 0x09;
const COLON = 0x3a;

// RFC 5322 2.2: a field is a name, ":", a body, and the line terminator; 2.2.3: a body may be
// folded onto following lines that begin with WSP. Offsets are absolute positions in the raw
// message. A line without ":" (not allowed, but sent) is kept as a field whose name is the
// whole line and whose value is empty, as Dovecot does, so that nothing is lost or reordered.
export interface HeaderField {
  name: string; // as written, WSP before ":" removed (RFC 5322 4.5.8 obs-optional)
  start: number; // first byte of the field
  valueStart: number; // first byte after ":" (the end of the first line when there is no ":")
  end: number; // after the last line terminator of the field (or the end of the range)
}

// The last LF in [start, end), or -1: found backwards, at the cost of the range's last line.
function lastLf(raw: Buffer, start: number, end: number): number {
  const lf = end > start ? raw.lastIndexOf(LF, end - 1) : -1;
  return lf >= start ? lf : -1;
}

// Position of the byte after the line that starts at pos (after its LF), or end. `last` is the
// range's last LF (lastLf): past it there is none, so the search never runs beyond end, and a
// range inside a large message costs only its own length.
function lineEnd(raw: Buffer, pos: number, end: number, last: number): number {
  return pos > last ? end : raw.indexOf(LF, pos) + 1;
}

// True when the line [pos, next) holds nothing but its terminator: the blank line that ends a
// header block (RFC 5322 2.1). Bare LF is accepted as well as CRLF.
export function isBlankLine(raw: Buffer, pos: number, next: number): boolean {
  const len = next - pos;
  return (len === 1 && raw[pos] === LF) || (len === 2 && raw[pos] === CR && raw[pos + 1] === LF);
}

// Where the header block starting at start ends. headerEnd is the start of the blank line (or
// end when there is none); bodyStart is the byte after the blank line.
export function findHeaderEnd(raw: Buffer, start = 0, end = raw.length): { headerEnd: number; bodyStart: number } {
  const last = lastLf(raw, start, end);
  let pos = start;
  while (pos < end) {
    const next = lineEnd(raw, pos, end, last);
    if (isBlankLine(raw, pos, next)) return { headerEnd: pos, bodyStart: next };
    pos = next;
  }
  return { headerEnd: end, bodyStart: end };
}

// Calls fn for each field of the header block in [start, end), in order, stopping at a blank
// line or when fn returns false. Nothing is collected, so a hostile header of a million lines
// costs one pass and no memory.
export function scanHeader(raw: Buffer, start: number, end: number, fn: (field: HeaderField) => boolean | undefined): void {
  const last = lastLf(raw, start, end);
  let pos = start;
  while (pos < end) {
    const first = lineEnd(raw, pos, end, last);
    if (isBlankLine(raw, pos, first)) return;
    // RFC 5322 2.2.3: following lines that begin with WSP belong to this field.
    let fieldEnd = first;
    while (fieldEnd < end && (raw[fieldEnd] === SP || raw[fieldEnd] === HTAB)) {
      fieldEnd = lineEnd(raw, fieldEnd, end, last);
    }
    let contentEnd = first;
    if (contentEnd > pos && raw[contentEnd - 1] === LF) contentEnd--;
    if (contentEnd > pos && raw[contentEnd - 1] === CR) contentEnd--;
    // The colon is looked for on this line only: a header of many lines without one stays linear.
    let colon = -1;
    for (let i = pos; i < contentEnd; i++) {
      if (raw[i] === COLON) {
        colon = i;
        break;
      }
    }
    let nameEnd = colon === -1 ? contentEnd : colon;
    while (nameEnd > pos && (raw[nameEnd - 1] === SP || raw[nameEnd - 1] === HTAB)) nameEnd--;
    const field: HeaderField = {
      name: raw.toString('latin1', pos, nameEnd),
      start: pos,
      valueStart: colon === -1 ? contentEnd : colon + 1,
      end: fieldEnd,
    };
    if (fn(field) === false) return;
    pos = fieldEnd;
  }
}

// All fields of the header block in [start, end).
export function splitHeader(raw: Buffer, start = 0, end = raw.length): HeaderField[] {
  const fields: HeaderField[] = [];
  scanHeader(raw, start, end, (field) => {
    fields.push(field);
  });
  return fields;
}

// RFC 5322 2.2.3 unfolding: remove the line breaks of folded lines (the WSP that follows them
// stays). A stray CR or LF is removed as well.
export function unfold(value: string): string {
  return value.replace(/\r?\n|\r/g, '');
}

// Leading and trailing SP and HTAB removed, by index: linear however long a run of white space
// the value holds (a regex alternation with "$" rescans the rest of every run).
function trimWsp(value: string): string {
  let start = 0;
  let end = value.length;
  while (start < end && (value.charCodeAt(start) === SP || value.charCodeAt(start) === HTAB)) start++;
  while (end > start && (value.charCodeAt(end - 1) === SP || value.charCodeAt(end - 1) === HTAB)) end--;
  return start === 0 && end === value.length ? value : value.slice(start, end);
}

// The value of a field as text: unfolded, leading and trailing WSP removed, 8-bit bytes read as
// UTF-8 when valid and as windows-1252 otherwise. Encoded-words stay as they are. maxBytes reads
// only the start of an absurdly long field.
export function fieldValue(raw: Buffer, field: HeaderField, maxBytes = Infinity): string {
  const end = Math.min(field.end, field.valueStart + maxBytes);
  return trimWsp(unfold(decodeUtf8OrLatin1(raw.subarray(field.valueStart, end))));
}

// RFC 9051 6.4.5: field names match ASCII case-insensitively but otherwise exactly.
export function sameName(a: string, b: string): boolean {
  return a.length === b.length && a.toLowerCase() === b.toLowerCase();
}

export function findField(fields: readonly HeaderField[], name: string): HeaderField | null {
  for (const field of fields) if (sameName(field.name, name)) return field;
  return null;
}

// The value of the first field with this name, or null when there is none.
export function firstValue(raw: Buffer, fields: readonly HeaderField[], name: string): string | null {
  const field = findField(fields, name);
  return field === null ? null : fieldValue(raw, field);
}

// The values of every field with this name, in order.
export function allValues(raw: Buffer, fields: readonly HeaderField[], name: string): string[] {
  const values: string[] = [];
  for (const field of fields) if (sameName(field.name, name)) values.push(fieldValue(raw, field));
  return values;
}

const CRLF = Buffer.from('\r\n');

// RFC 9051 6.4.5 BODY[HEADER.FIELDS (names)] and BODY[HEADER.FIELDS.NOT (names)] over the header
// range [start, end) (a part's headerStart..bodyStart): the fields whose name is (or, with
// exclude, is not) in names, byte for byte and in message order, followed by the blank line
// that delimits the header. "The blank line is included in all header fetches, except in the
// case of a message which has no body and no blank line": it is appended only when the range
// holds one. A field cut short without a line terminator gets CRLF so the result stays lines.
export function headerFieldsSubset(raw: Buffer, start: number, end: number, names: readonly string[], exclude: boolean): Buffer {
  const wanted = new Set(names.map((n) => n.toLowerCase()));
  const chunks: Buffer[] = [];
  let pos = start;
  scanHeader(raw, start, end, (field) => {
    pos = field.end;
    if (wanted.has(field.name.toLowerCase()) === exclude) return;
    chunks.push(raw.subarray(field.start, field.end));
    if (raw[field.end - 1] !== LF) chunks.push(CRLF);
  });
  if (pos < end) {
    const next = lineEnd(raw, pos, end, lastLf(raw, pos, end));
    if (isBlankLine(raw, pos, next)) chunks.push(raw.subarray(pos, next));
  }
  return Buffer.concat(chunks);
}
