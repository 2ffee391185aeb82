// The header index of a message (types.ts HeaderIndex) from its top-level header and envelope.
// Made at parse time, and by SEARCH for a body still stored by an older parser.
import { baseSubject } from './base-subject.ts';
import { parseSentDate } from './date.ts';
import { decodeEncodedWords } from './encoded-words.ts';
import { fieldValue, scanHeader } from './headers.ts';
import { messageIds } from './message-ids.ts';
import type { Envelope, HeaderIndex } from './types.ts';

// What is read of a References field (a thread of thousands of ids is a few hundred KB).
const MAX_REFERENCES_BYTES = 256 * 1024;

function referencesField(raw: Buffer, start: number, end: number): string | null {
  let value: string | null = null;
  scanHeader(raw, start, end, (f) => {
    if (f.name.length !== 10 || f.name.toLowerCase() !== 'references') return true;
    value = fieldValue(raw, f, MAX_REFERENCES_BYTES);
    return false;
  });
  return value;
}

export function buildHeaderIndex(raw: Buffer, headerStart: number, headerEnd: number, envelope: Envelope): HeaderIndex {
  const decoded = envelope.subject === null ? null : decodeEncodedWords(envelope.subject);
  const { base, reply } = baseSubject(decoded ?? '');
  const date = envelope.date === null ? null : parseSentDate(envelope.date);
  // RFC 5256 3 REFERENCES (1): "If a message does not have a References header line, or the
  // References header line does not contain any valid Message IDs, then use the first (if any)
  // valid Message ID found in the In-Reply-To header line as the only reference".
  let references = messageIds(referencesField(raw, headerStart, headerEnd));
  if (references.length === 0) references = messageIds(envelope.inReplyTo).slice(0, 1);
  return {
    subject: decoded === envelope.subject ? null : decoded,
    baseSubject: base,
    reply,
    date: date?.ms ?? null,
    sentDay: date?.day ?? null,
    references,
  };
}
