// A body's header record (bodies database, sha256 + 0x02, beside its meta and raw records): what
// SEARCH's header keys (RFC 9051 6.4.4 BCC, CC, FROM, SUBJECT, TO, SENT*), SORT (RFC 5256 3,
// RFC 5957) and THREAD (RFC 5256 4) read of a message, without the MIME tree of the full parse.
// Stored as one msgpack array (addresses flattened four values each), so a record carries no
// field names: a fraction of the parse's bytes, and decoded many times faster (docs/store.md).
import { buildHeaderIndex, messageIds, MIME_FORMAT_VERSION, type Address, type MessageStructure, type ParsedMessage } from '../mime/index.ts';

export interface HeaderRecord {
  subject: string | null; // decoded (RFC 2047); null without a Subject field
  // src/mime/header-index.ts: base subject and reply marker, sent date and day, references.
  baseSubject: string;
  reply: boolean;
  date: number | null;
  sentDay: number | null;
  references: string[];
  messageId: string | null; // the first valid id of the Message-ID field
  from: Address[] | null;
  to: Address[] | null;
  cc: Address[] | null;
  bcc: Address[] | null;
}

type Flat = (string | null)[] | null;
export type StoredHeaderRecord = [string | null, string, boolean, number | null, number | null, string[], string | null, Flat, Flat, Flat, Flat];

// From a parse; a stored one (without its index) or one made by a parser older than the header
// index reads the raw message.
export function headerRecord(parsed: MessageStructure | ParsedMessage, raw: () => Buffer | undefined): HeaderRecord {
  const e = parsed.envelope;
  let index = 'headers' in parsed && parsed.version >= MIME_FORMAT_VERSION ? parsed.headers : undefined;
  if (!index) {
    const bytes = raw();
    if (!bytes) throw new Error('header record of an old parse without the raw message');
    index = buildHeaderIndex(bytes, parsed.root.headerStart, parsed.root.bodyStart, e);
  }
  return {
    ...index,
    subject: index.subject ?? e.subject,
    messageId: messageIds(e.messageId)[0] ?? null,
    from: e.from,
    to: e.to,
    cc: e.cc,
    bcc: e.bcc,
  };
}

export const flattenAddresses = (list: Address[] | null): Flat => (list === null ? null : list.flatMap((a) => [a.name, a.adl, a.mailbox, a.host]));

export function unflattenAddresses(flat: Flat): Address[] | null {
  if (!flat) return null;
  const out: Address[] = [];
  for (let i = 0; i < flat.length; i += 4)
    out.push({ name: flat[i] ?? null, adl: flat[i + 1] ?? null, mailbox: flat[i + 2] ?? null, host: flat[i + 3] ?? null });
  return out;
}

export function encodeHeaderRecord(h: HeaderRecord): StoredHeaderRecord {
  return [
    h.subject,
    h.baseSubject,
    h.reply,
    h.date,
    h.sentDay,
    h.references,
    h.messageId,
    flattenAddresses(h.from),
    flattenAddresses(h.to),
    flattenAddresses(h.cc),
    flattenAddresses(h.bcc),
  ];
}

export function decodeHeaderRecord(s: StoredHeaderRecord): HeaderRecord {
  const [subject, baseSubject, reply, date, sentDay, references, messageId, from, to, cc, bcc] = s;
  return {
    subject,
    baseSubject,
    reply,
    date,
    sentDay,
    references,
    messageId,
    from: unflattenAddresses(from),
    to: unflattenAddresses(to),
    cc: unflattenAddresses(cc),
    bcc: unflattenAddresses(bcc),
  };
}
