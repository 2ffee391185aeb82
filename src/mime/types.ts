// The parsed form of a message, computed once at delivery or APPEND and stored beside the body
// (docs/store.md). IMAP's ENVELOPE, BODYSTRUCTURE and BODY[section] are answered from
// it without re-parsing; byte offsets point into the raw message as stored.

// Bump when the shape or meaning of ParsedMessage changes; stored records carry the version they
// were made with. `homepost serve` parses older ones again at start (src/store/reparse.ts, in the
// background) and `homepost verify` counts those still waiting.
// 2: line counts are the body's line breaks (an unterminated last line no longer counts).
// 3: the header index (`headers`) SEARCH, SORT and THREAD read.
export const MIME_FORMAT_VERSION = 3;

// RFC 9051 7.5.2 / RFC 3501 7.4.2 address structure. Group syntax (RFC 5322 3.4) is encoded the
// IMAP way: a start marker { mailbox: group name, host: null } and an end marker
// { mailbox: null, host: null }. `name` is the raw display name: encoded-words stay encoded,
// quotes removed, as IMAP sends it.
export interface Address {
  name: string | null;
  adl: string | null;
  mailbox: string | null;
  host: string | null;
}

// RFC 9051 7.5.2 ENVELOPE: raw header values (unfolded, encoded-words left as they are).
// Sender and reply-to already default to from when absent, as the server must send them.
export interface Envelope {
  date: string | null;
  subject: string | null;
  from: Address[] | null;
  sender: Address[] | null;
  replyTo: Address[] | null;
  to: Address[] | null;
  cc: Address[] | null;
  bcc: Address[] | null;
  inReplyTo: string | null;
  messageId: string | null;
}

// A MIME parameter as BODYSTRUCTURE reports it (attribute lowercased, value as decoded from
// RFC 2045 quoting and RFC 2231 continuations). An RFC 2231 extended parameter ("name*0*=...")
// is reported as "name*" with its value decoded to UTF-8, as RFC 9051 7.5.2 asks (params.ts).
export type Param = [attribute: string, value: string];

export interface Disposition {
  type: string;
  params: Param[];
}

export interface MimePart {
  // Byte offsets into the raw message: headers start, body start (after the blank line), body end.
  headerStart: number;
  bodyStart: number;
  end: number;
  type: string; // lowercase, "text"
  subtype: string; // lowercase, "plain"
  params: Param[];
  id: string | null;
  description: string | null;
  encoding: string; // Content-Transfer-Encoding as given, default "7bit"
  md5: string | null;
  disposition: Disposition | null;
  language: string[] | null;
  location: string | null;
  // Body octets (end - bodyStart) and, for text/* and message/rfc822, the body's line count.
  size: number;
  lines: number;
  // multipart/*: the parts in order. message/rfc822: exactly one, the encapsulated message's
  // top-level part. Otherwise empty.
  children: MimePart[];
  // message/rfc822 only: the encapsulated message's envelope.
  envelope: Envelope | null;
}

// What SEARCH (RFC 9051 6.4.4), SORT and THREAD (RFC 5256) read of the top-level header beyond
// the envelope, computed once at parse time (header-index.ts). The address fields are the
// envelope's; their display forms are made from it when needed.
export interface HeaderIndex {
  // The Subject decoded (RFC 2047); null when that is the envelope's subject as it stands.
  subject: string | null;
  // RFC 5256 2.1, in its comparison form (base-subject.ts), and whether a reply or forward
  // marker was removed from it.
  baseSubject: string;
  reply: boolean;
  // The Date field: the instant (ms, UTC) and the day as written (midnight UTC); null when absent
  // or unreadable.
  date: number | null;
  sentDay: number | null;
  // RFC 5256 3 REFERENCES step 1: the References ids, or else the first In-Reply-To id.
  references: string[];
}

// A parse as the store keeps it (src/store/bodies.ts): the header index goes to its own record.
export type MessageStructure = Omit<ParsedMessage, 'headers'>;

export interface ParsedMessage {
  version: number;
  size: number;
  envelope: Envelope;
  root: MimePart;
  headers: HeaderIndex;
}
