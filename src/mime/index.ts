// src/mime public API: parse once at delivery (parseMessage), then answer IMAP FETCH/SEARCH and
// SMTP checks from the stored ParsedMessage and the raw bytes.
export type { Address, Disposition, Envelope, HeaderIndex, MessageStructure, MimePart, Param, ParsedMessage } from './types.ts';
export { MIME_FORMAT_VERSION } from './types.ts';

export { MAX_DEPTH, MAX_PARTS, parseMessage } from './parse.ts';
export {
  type HeaderField,
  allValues,
  fieldValue,
  findField,
  findHeaderEnd,
  firstValue,
  headerFieldsSubset,
  scanHeader,
  splitHeader,
  unfold,
} from './headers.ts';
export {
  MISSING_DOMAIN,
  MISSING_MAILBOX,
  type NamedAddress,
  addressSpecs,
  headerAddressSpecs,
  mailboxList,
  parseAddressList,
} from './address.ts';
export { buildEnvelope, emptyEnvelope, envelopeFromHeader } from './envelope.ts';
export { buildHeaderIndex } from './header-index.ts';
export { type BaseSubject, baseSubject, canonical } from './base-subject.ts';
export { type SentDate, parseSentDate } from './date.ts';
export { messageIds } from './message-ids.ts';
export {
  type ContentType,
  displayParam,
  filenameOf,
  paramValue,
  parseContentType,
  parseDisposition,
  parseParams,
  rfc2231Encode,
} from './params.ts';
export { decodeEncodedWords, decodeRfc2231Value } from './encoded-words.ts';
export { decodeCharset, isKnownCharset } from './charset.ts';
export {
  decodeBase64Lenient,
  decodePartBody,
  decodePartText,
  decodeQuotedPrintable,
  decodeTransfer,
  decodedSize,
  textParts,
} from './decode.ts';
export { type Section, type SectionRange, type SectionText, findPart, sectionBytes, sectionRange } from './section.ts';
