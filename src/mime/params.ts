// Content-Type, Content-Disposition and the other MIME fields' values: RFC 2045 5.1 type, subtype
// and parameters (tokens and quoted-strings), RFC 2183 dispositions, RFC 2231 parameter
// continuations and charsets.
//
// What BODYSTRUCTURE reports for RFC 2231 parameters. RFC 2231 3 says IMAP servers SHOULD decode
// parameter value continuations; RFC 9051 7.5.2 adds "and parameter value character sets":
// "foo*0*", "foo*1*" are decoded, converted to UTF-8, concatenated and returned as one parameter
// "foo*"; "baz*0", "baz*1" are concatenated and returned as "baz". Dovecot 2.3 (rfc2231-parser.c)
// joins continuations but leaves an extended value still encoded ("foo*" = "utf-8''%E2%82%AC").
// We follow the RFC: params hold ["foo*", "€"]. The attribute's trailing "*" keeps telling the
// encoder that the value came from an extended parameter, so a session that may not receive
// UTF-8 (IMAP4rev1 without UTF8=ACCEPT) can send rfc2231Encode(value) instead, losslessly.
// Continuations with a missing or repeated section number are left as they were (as Dovecot
// does). RFC 2047 encoded-words in parameter values (which broken mailers send in filenames)
// stay raw in params, as any other string; displayParam() decodes them.
import type { Disposition, MimePart, Param } from './types.ts';
import { decodeEncodedWords, decodeOctets, percentDecode, splitExtendedValue } from './encoded-words.ts';

// Bound on parameters kept per field: the header's length bounds them anyway, this bounds what a
// hostile header can make us store.
const MAX_PARAMS = 1000;

function isWsp(c: string | undefined): boolean {
  return c === ' ' || c === '\t' || c === '\r' || c === '\n';
}

// RFC 5322 3.2.2 comment, nested, with quoted-pairs; returns the position after it (or the end of
// the string when it is not closed).
function skipComment(s: string, pos: number): number {
  let depth = 0;
  for (let i = pos; i < s.length; i++) {
    const c = s[i];
    if (c === '\\') i++;
    else if (c === '(') depth++;
    else if (c === ')' && --depth === 0) return i + 1;
  }
  return s.length;
}

function skipCfws(s: string, pos: number): number {
  for (;;) {
    while (pos < s.length && isWsp(s[pos])) pos++;
    if (s[pos] !== '(') return pos;
    pos = skipComment(s, pos);
  }
}

// A run of characters up to one of the stop characters, white space or a comment.
function readToken(s: string, pos: number, stops: string): [token: string, next: number] {
  let end = pos;
  while (end < s.length && !isWsp(s[end]) && s[end] !== '(' && !stops.includes(s[end]!)) end++;
  return [s.slice(pos, end), end];
}

const QUOTED_PAIR_OR_LINE_BREAK = /\\([\s\S])|[\r\n]/g;

// RFC 5322 3.2.4 quoted-string starting at pos (on the quote): its content with quoted-pairs
// resolved and line breaks dropped, and the position after the closing quote (the end when it is
// never closed). The content is cut out once: text built a character at a time costs more per
// character the longer it grows.
function readQuoted(s: string, pos: number): [value: string, next: number] {
  let end = s.length;
  for (let i = pos + 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) i++;
    else if (c === '"') {
      end = i;
      break;
    }
  }
  const span = s.slice(pos + 1, end);
  return [/[\\\r\n]/.test(span) ? span.replace(QUOTED_PAIR_OR_LINE_BREAK, '$1') : span, Math.min(end + 1, s.length)];
}

// Unquoted values run to the next ";". A comment introduced by white space ends them (RFC 2045
// 5.1's own example: charset=us-ascii (Plain text)); other spaces stay, for the broken mailers
// that send name=my file.pdf.
function readUnquoted(s: string, pos: number): [value: string, next: number] {
  let end = s.indexOf(';', pos);
  if (end === -1) end = s.length;
  let value = s.slice(pos, end);
  const comment = value.search(/[ \t\r\n]\(/);
  if (comment >= 0) value = value.slice(0, comment);
  return [value.replace(/[\r\n]/g, '').trim(), end];
}

function indexOrEnd(s: string, c: string, from: number): number {
  const i = s.indexOf(c, from);
  return i === -1 ? s.length : i;
}

// RFC 2045 5.1 parameter list: *(";" attribute "=" value), attributes lowercased, as written in
// the header (no RFC 2231 processing). Lenient: the ";" may be missing, an attribute without "="
// is skipped, text after a quoted value up to the next ";" is ignored.
export function parseRawParams(s: string, pos = 0): Param[] {
  const params: Param[] = [];
  // The next "=" and ";" at or after pos (s.length for none), searched again only once passed,
  // so that "a;a;a;...;x=1" stays linear.
  let eq = -1;
  let semi = -1;
  while (params.length < MAX_PARAMS) {
    pos = skipCfws(s, pos);
    while (s[pos] === ';') pos = skipCfws(s, pos + 1);
    if (pos >= s.length) break;
    if (eq < pos) eq = indexOrEnd(s, '=', pos);
    if (semi < pos) semi = indexOrEnd(s, ';', pos);
    if (eq === s.length) break;
    if (semi < eq) {
      // no value: skip to the next parameter
      pos = semi;
      continue;
    }
    const attribute = s
      .slice(pos, eq)
      .replace(/[\r\n]/g, '')
      .trim()
      .toLowerCase();
    pos = skipCfws(s, eq + 1);
    let value: string;
    if (s[pos] === '"') {
      [value, pos] = readQuoted(s, pos);
      const next = s.indexOf(';', pos);
      pos = next === -1 ? s.length : next;
    } else {
      [value, pos] = readUnquoted(s, pos);
    }
    if (attribute !== '' && !/[\s"]/.test(attribute)) params.push([attribute, value]);
  }
  return params;
}

// One piece of an RFC 2231 3 continued parameter (name*0, name*1*, ...).
interface Rfc2231Piece {
  at: number; // position in the raw list
  base: string;
  index: number;
  extended: boolean;
  value: string;
}

// RFC 2231 3 "name*0", "name*1" continuations and RFC 2231 4 "name*" / "name*0*" charset and
// language encoding, merged per the decision at the top of this file.
export function mergeRfc2231(raw: readonly Param[]): Param[] {
  const sections = new Map<string, Rfc2231Piece[]>();
  const plain: { at: number; param: Param }[] = [];
  raw.forEach(([attribute, value], at) => {
    const m = /^([^*]+)\*(?:(\d{1,5})(\*)?)?$/.exec(attribute);
    if (m === null) {
      plain.push({ at, param: [attribute, value] });
      return;
    }
    const base = m[1]!;
    const section: Rfc2231Piece = {
      at,
      base,
      index: m[2] === undefined ? 0 : Number(m[2]),
      extended: m[2] === undefined || m[3] !== undefined,
      value,
    };
    const list = sections.get(base);
    if (list === undefined) sections.set(base, [section]);
    else list.push(section);
  });
  if (sections.size === 0) return raw.slice();
  const out: { at: number; param: Param }[] = plain;
  for (const [base, list] of sections) {
    list.sort((a, b) => a.index - b.index);
    const complete = list.every((s, i) => s.index === i);
    if (!complete) {
      for (const s of list) out.push({ at: s.at, param: raw[s.at]!.slice() as Param });
      continue;
    }
    const at = Math.min(...list.map((s) => s.at));
    if (!list.some((s) => s.extended)) {
      out.push({ at, param: [base, list.map((s) => s.value).join('')] });
      continue;
    }
    let charset = '';
    const chunks: Buffer[] = [];
    list.forEach((s, i) => {
      if (!s.extended) {
        chunks.push(Buffer.from(s.value, 'utf8'));
      } else if (i === 0 || /^[^'%]*'[^'%]*'/.test(s.value)) {
        // RFC 2231 4: only the first section carries charset'language'; some mailers repeat it.
        const split = splitExtendedValue(s.value);
        if (i === 0) charset = split.charset;
        chunks.push(split.bytes);
      } else {
        chunks.push(percentDecode(s.value));
      }
    });
    out.push({ at, param: [`${base}*`, decodeOctets(Buffer.concat(chunks), charset)] });
  }
  out.sort((a, b) => a.at - b.at);
  return out.map((o) => o.param);
}

// The parameter list of a Content-Type or Content-Disposition value, RFC 2231 merged.
export function parseParams(s: string, pos = 0): Param[] {
  return mergeRfc2231(parseRawParams(s, pos));
}

export interface ContentType {
  type: string; // lowercase
  subtype: string; // lowercase
  params: Param[];
}

// RFC 2045 5.1: content := "Content-Type" ":" type "/" subtype *(";" parameter). Null when the
// value is not of that form; RFC 2045 5.2 then has the part read as the default type.
export function parseContentType(value: string): ContentType | null {
  const [type, typeEnd] = readToken(value, skipCfws(value, 0), '/;');
  let pos = skipCfws(value, typeEnd);
  if (value[pos] !== '/') return null;
  pos = skipCfws(value, pos + 1);
  const [subtype, subtypeEnd] = readToken(value, pos, '/;');
  if (type === '' || subtype === '' || /["=]/.test(type + subtype)) return null;
  return { type: type.toLowerCase(), subtype: subtype.toLowerCase(), params: parseParams(value, subtypeEnd) };
}

// RFC 2183 2: disposition := "Content-Disposition" ":" disposition-type *(";" disposition-parm).
// The type is lowercased (it is case-insensitive). Null when there is no type.
export function parseDisposition(value: string): Disposition | null {
  const [type, end] = readToken(value, skipCfws(value, 0), ';');
  if (type === '' || /[="]/.test(type)) return null;
  return { type: type.toLowerCase(), params: parseParams(value, end) };
}

// RFC 2045 6.1: encoding := "Content-Transfer-Encoding" ":" mechanism. The token as written
// (comments and white space removed); null when empty.
export function parseTransferEncoding(value: string): string | null {
  const [token] = readToken(value, skipCfws(value, 0), ';');
  return token === '' ? null : token;
}

// Each "(" up to the next ")" replaced by a space (RFC 5322 3.2.2 comments, unnested); an unclosed
// "(" stays. One scan: a regular expression would search on from every "(" of an unclosed run.
function blankComments(value: string): string {
  let out = '';
  let pos = 0;
  for (;;) {
    const open = value.indexOf('(', pos);
    const close = open === -1 ? -1 : value.indexOf(')', open + 1);
    if (close === -1) return out + value.slice(pos);
    out += `${value.slice(pos, open)} `;
    pos = close + 1;
  }
}

// RFC 3282 2: Content-Language := Language-List, comma separated language tags. Null when empty.
export function parseLanguage(value: string): string[] | null {
  const tags: string[] = [];
  for (const piece of blankComments(value).split(',')) {
    const tag = piece.trim();
    if (tag !== '' && tags.length < MAX_PARAMS) tags.push(tag);
  }
  return tags.length === 0 ? null : tags;
}

// The value of the first parameter with this attribute, as stored.
export function paramValue(params: readonly Param[], attribute: string): string | null {
  const wanted = attribute.toLowerCase();
  for (const [a, v] of params) if (a === wanted) return v;
  return null;
}

// A parameter for display and SEARCH: the RFC 2231 form ("filename*", already UTF-8) when
// present, otherwise the plain one with any RFC 2047 encoded-words decoded.
export function displayParam(params: readonly Param[], attribute: string): string | null {
  const extended = paramValue(params, `${attribute}*`);
  if (extended !== null) return extended;
  const plain = paramValue(params, attribute);
  return plain === null ? null : decodeEncodedWords(plain);
}

// The file name of a part for display: Content-Disposition's filename (RFC 2183 2.3), else
// Content-Type's older name parameter; decoded per displayParam. Null when neither is there.
export function filenameOf(part: MimePart): string | null {
  const fromDisposition = part.disposition === null ? null : displayParam(part.disposition.params, 'filename');
  return fromDisposition ?? displayParam(part.params, 'name');
}

// RFC 2231 4 attribute-char: US-ASCII printable except SPACE, "*", "'", "%" and tspecials.
const ATTRIBUTE_CHAR = /^[!#$&+\-.0-9A-Z^_`a-z{|}~]$/;

// An RFC 2231 extended value "utf-8''..." for a UTF-8 string: what an IMAP4rev1 session sends
// for a parameter whose attribute ends in "*" (see the top of this file).
export function rfc2231Encode(value: string): string {
  let out = "utf-8''";
  for (const byte of Buffer.from(value, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += ATTRIBUTE_CHAR.test(c) ? c : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}
