// The MIME header fields of one part (RFC 2045 5, 6, 7, 8; RFC 2183; RFC 3282; RFC 2557; RFC
// 1864) read into the descriptive fields of a MimePart, plus the boundary a multipart needs and,
// for a message's own header, the envelope. One pass over the header's fields; only the fields
// used are turned into strings.
import type { Disposition, Envelope, Param } from './types.ts';
import { ENVELOPE_FIELDS, buildEnvelope } from './envelope.ts';
import { type HeaderField, fieldValue, scanHeader } from './headers.ts';
import { splitExtendedValue } from './encoded-words.ts';
import { paramValue, parseContentType, parseRawParams, parseDisposition, parseLanguage, parseTransferEncoding } from './params.ts';

export interface PartHeader {
  type: string;
  subtype: string;
  params: Param[];
  id: string | null;
  description: string | null;
  encoding: string;
  md5: string | null;
  disposition: Disposition | null;
  language: string[] | null;
  location: string | null;
  // multipart/* only: the boundary as latin1 text, one character per byte of the delimiter lines
  // in the body; null when missing or empty.
  boundary: string | null;
  envelope: Envelope | null;
}

const CONTENT_FIELDS = [
  'content-type',
  'content-transfer-encoding',
  'content-id',
  'content-description',
  'content-md5',
  'content-disposition',
  'content-language',
  'content-location',
];

// What is read of one field's value: the parsed form is stored with every message, and no real
// field comes near this (a To: of 10000 recipients is about 400 KB).
const MAX_FIELD_BYTES = 1024 * 1024;

const CONTENT_FIELD_SET: ReadonlySet<string> = new Set(CONTENT_FIELDS);
const ENVELOPE_FIELD_SET: ReadonlySet<string> = new Set(ENVELOPE_FIELDS);

export interface PartHeaderOptions {
  // RFC 2046 5.1.5: inside multipart/digest the default type is message/rfc822.
  digestChild: boolean;
  // Read the RFC 5322 fields ENVELOPE needs (the top-level message and encapsulated messages).
  envelope: boolean;
}

// The boundary parameter read byte for byte: the field is taken as latin1 so that the string maps
// back to exactly the bytes the delimiter lines carry, whatever 8-bit bytes it holds. An RFC 2231
// extended boundary ("boundary*=utf-8''%C3%A9x", seen only in tests of parsers) gives its octets.
function boundaryOf(raw: Buffer, field: HeaderField): string | null {
  const end = Math.min(field.end, field.valueStart + MAX_FIELD_BYTES);
  const value = raw.toString('latin1', field.valueStart, end).replace(/\r?\n/g, '');
  const ct = parseContentType(value);
  if (ct === null) return null;
  let boundary = paramValue(ct.params, 'boundary');
  if (boundary === null) {
    const extended = paramValue(parseRawParams(value, value.indexOf(';') + 1), 'boundary*');
    if (extended !== null) boundary = splitExtendedValue(extended).bytes.toString('latin1');
  }
  return boundary === null || boundary === '' ? null : boundary;
}

// The part's MIME fields from the header block in [start, end). The first occurrence of each
// field counts. Content-* fields are honoured without MIME-Version (as mail clients and Dovecot
// do). RFC 2045 5.2: a missing or syntactically invalid Content-Type means text/plain;
// charset=us-ascii (message/rfc822 inside multipart/digest); RFC 2046 4.1.2: text/* without
// charset means us-ascii, which BODYSTRUCTURE then reports explicitly.
export function readPartHeader(raw: Buffer, start: number, end: number, options: PartHeaderOptions): PartHeader {
  const content = new Map<string, HeaderField>();
  const envelopeValues = new Map<string, string>();
  scanHeader(raw, start, end, (field) => {
    const name = field.name.toLowerCase();
    if (CONTENT_FIELD_SET.has(name)) {
      if (!content.has(name)) content.set(name, field);
    } else if (options.envelope && ENVELOPE_FIELD_SET.has(name) && !envelopeValues.has(name)) {
      envelopeValues.set(name, fieldValue(raw, field, MAX_FIELD_BYTES));
    }
  });
  const value = (name: string): string | null => {
    const field = content.get(name);
    return field === undefined ? null : fieldValue(raw, field, MAX_FIELD_BYTES);
  };

  const ctField = content.get('content-type');
  const ct = ctField === undefined ? null : parseContentType(fieldValue(raw, ctField, MAX_FIELD_BYTES));
  let type: string;
  let subtype: string;
  let params: Param[];
  if (ct !== null) {
    ({ type, subtype, params } = ct);
  } else if (options.digestChild) {
    [type, subtype, params] = ['message', 'rfc822', []];
  } else {
    [type, subtype, params] = ['text', 'plain', []];
  }
  if (type === 'text' && paramValue(params, 'charset') === null && paramValue(params, 'charset*') === null) {
    params.push(['charset', 'us-ascii']);
  }

  const cte = value('content-transfer-encoding');
  const disposition = value('content-disposition');
  const language = value('content-language');
  return {
    type,
    subtype,
    params,
    id: value('content-id'),
    description: value('content-description'),
    encoding: (cte === null ? null : parseTransferEncoding(cte)) ?? '7bit',
    md5: value('content-md5'),
    disposition: disposition === null ? null : parseDisposition(disposition),
    language: language === null ? null : parseLanguage(language),
    location: value('content-location'),
    boundary: type === 'multipart' && ctField !== undefined ? boundaryOf(raw, ctField) : null,
    envelope: options.envelope ? buildEnvelope((name) => envelopeValues.get(name) ?? null) : null,
  };
}
