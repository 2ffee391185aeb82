// What the junk filter reads of a message, within fixed bounds whatever the message holds: the
// first maxBytes of its raw bytes are parsed (src/mime, one linear pass), and of that, at most
// maxTextChars characters of its text/plain and text/html parts are decoded (transfer encoding
// and charset; HTML counted before its tags go), from at most maxTextParts parts. Attachments
// are never decoded. A message past maxBytes is read as if it ended there.
import { decodePartText, parseMessage, type MimePart, type ParsedMessage, textParts } from '../mime/index.ts';
import { htmlText } from './html.ts';

export interface ReadLimits {
  maxBytes: number;
  maxTextChars: number;
  maxTextParts: number;
}

export const READ_LIMITS: ReadLimits = { maxBytes: 256 * 1024, maxTextChars: 64 * 1024, maxTextParts: 16 };

export interface MessageRead {
  raw: Buffer; // the bytes read: the message's first maxBytes
  parsed: ParsedMessage;
  // The text of each text part read, HTML as a reader sees it, in message order.
  texts: string[];
  // Link targets of the HTML parts (href, src).
  links: string[];
  html: boolean; // a text/html part was read
  plain: boolean; // a text/plain part was read
}

export function isAttachment(part: MimePart): boolean {
  return part.disposition?.type.toLowerCase() === 'attachment';
}

// `parsed`: the parse of the whole message when the caller has it (delivery does), used as far
// as the bytes read reach; otherwise those bytes are parsed here.
export function readMessage(message: Buffer, limits: ReadLimits = READ_LIMITS, parsed?: ParsedMessage): MessageRead {
  const raw = message.subarray(0, limits.maxBytes);
  const read: MessageRead = { raw, parsed: parsed ?? parseMessage(raw), texts: [], links: [], html: false, plain: false };
  let budget = limits.maxTextChars;
  for (const part of textParts(read.parsed.root)) {
    if (budget <= 0 || read.texts.length >= limits.maxTextParts || part.bodyStart >= raw.length) break;
    if ((part.subtype !== 'plain' && part.subtype !== 'html') || isAttachment(part)) continue;
    // A part running past the bytes read is cut there (subarray stops at raw's end).
    const text = decodePartText(raw, part).slice(0, budget);
    budget -= text.length;
    if (part.subtype === 'html') {
      const html = htmlText(text);
      read.texts.push(html.text);
      read.links.push(...html.links);
      read.html = true;
    } else {
      read.texts.push(text);
      read.plain = true;
    }
  }
  return read;
}
