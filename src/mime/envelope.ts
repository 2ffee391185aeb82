// RFC 9051 7.5.2 / RFC 3501 7.4.2 ENVELOPE from a message's header fields.
import type { Address, Envelope } from './types.ts';
import { parseAddressList } from './address.ts';
import { fieldValue, scanHeader } from './headers.ts';

// The header fields ENVELOPE reads, lowercased.
export const ENVELOPE_FIELDS = ['date', 'subject', 'from', 'sender', 'reply-to', 'to', 'cc', 'bcc', 'in-reply-to', 'message-id'] as const;

export type EnvelopeField = (typeof ENVELOPE_FIELDS)[number];

const ENVELOPE_FIELD_SET: ReadonlySet<string> = new Set(ENVELOPE_FIELDS);

export function emptyEnvelope(): Envelope {
  return {
    date: null,
    subject: null,
    from: null,
    sender: null,
    replyTo: null,
    to: null,
    cc: null,
    bcc: null,
    inReplyTo: null,
    messageId: null,
  };
}

// NIL when the field is absent or holds no address (RFC 9051 7.5.2 "address structures" are a
// parenthesized list of at least one address).
function addresses(value: string | null): Address[] | null {
  if (value === null) return null;
  const list = parseAddressList(value);
  return list.length === 0 ? null : list;
}

// RFC 9051 7.5.2: date, subject, in-reply-to and message-id are the raw field values (unfolded;
// encoded-words left as they are); the address fields are parsed. "If the Sender or Reply-To
// header lines are absent in the [RFC-5322] header, or are present but empty, the server sets
// the corresponding member of the envelope to be the same value as the from member." The first
// occurrence of a field counts (RFC 5322 3.6 allows only one).
export function buildEnvelope(get: (field: EnvelopeField) => string | null): Envelope {
  const from = addresses(get('from'));
  // copies, so that the stored envelope is a tree of its own (no shared references)
  const fromCopy = (): Address[] | null => from?.map((a) => ({ ...a })) ?? null;
  return {
    date: get('date'),
    subject: get('subject'),
    from,
    sender: addresses(get('sender')) ?? fromCopy(),
    replyTo: addresses(get('reply-to')) ?? fromCopy(),
    to: addresses(get('to')),
    cc: addresses(get('cc')),
    bcc: addresses(get('bcc')),
    inReplyTo: get('in-reply-to'),
    messageId: get('message-id'),
  };
}

// The envelope of the header block in [start, end) of raw.
export function envelopeFromHeader(raw: Buffer, start = 0, end = raw.length): Envelope {
  const values = new Map<string, string>();
  scanHeader(raw, start, end, (field) => {
    const name = field.name.toLowerCase();
    if (ENVELOPE_FIELD_SET.has(name) && !values.has(name)) values.set(name, fieldValue(raw, field));
  });
  return buildEnvelope((name) => values.get(name) ?? null);
}
