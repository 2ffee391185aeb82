// Bytes to text by MIME charset name, through the WHATWG Encoding Standard's TextDecoder (Node's
// official build carries full ICU). One job: turn (bytes, charset label) into a JS string.

import { TextDecoder } from 'node:util';

const decoders = new Map<string, TextDecoder | null>();

// RFC 2047 5 / RFC 2231 5: a charset may carry a language suffix ("us-ascii*en"); drop it.
function normaliseLabel(charset: string): string {
  const star = charset.indexOf('*');
  return (star >= 0 ? charset.slice(0, star) : charset).trim().toLowerCase();
}

// The decoder for a charset label, or null when the label is unknown. Labels that WHATWG maps to
// the "replacement" encoding (iso-2022-kr, hz-gb-2312 ...) count as unknown: they decode nothing.
export function charsetDecoder(charset: string): TextDecoder | null {
  const label = normaliseLabel(charset);
  // RFC 2978 2.3: a charset name is at most 40 characters. A longer label is unknown without
  // asking TextDecoder, whose cost grows faster than the label.
  if (label.length > 40) return null;
  const cached = decoders.get(label);
  if (cached !== undefined) return cached;
  let decoder: TextDecoder | null = null;
  try {
    decoder = new TextDecoder(label);
    if (decoder.encoding === 'replacement') decoder = null;
  } catch {
    decoder = null;
  }
  // Labels come from mail: bound the cache so hostile input cannot grow it without limit.
  if (decoders.size < 256) decoders.set(label, decoder);
  return decoder;
}

export function isKnownCharset(charset: string): boolean {
  return charsetDecoder(charset) !== null;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const windows1252 = new TextDecoder('windows-1252');

function isAscii(bytes: Uint8Array): boolean {
  for (let i = 0; i < bytes.length; i++) if (bytes[i]! >= 0x80) return false;
  return true;
}

// UTF-8 when the bytes are valid UTF-8, otherwise windows-1252 (a superset of latin1 that maps
// every byte). Used for raw 8-bit header bytes (RFC 6532 allows UTF-8; old mailers send latin1)
// and for parameter bytes in an unknown charset.
export function decodeUtf8OrLatin1(bytes: Uint8Array): string {
  if (isAscii(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('latin1');
  try {
    return strictUtf8.decode(bytes);
  } catch {
    return windows1252.decode(bytes);
  }
}

// Text in the given charset. Unknown charsets fall back to decodeUtf8OrLatin1. A part labelled
// us-ascii (the MIME default) whose bytes are valid UTF-8 is read as UTF-8: unlabelled 8-bit
// mail is far more often UTF-8 than anything else.
export function decodeCharset(bytes: Uint8Array, charset: string | null): string {
  const label = charset === null ? 'us-ascii' : normaliseLabel(charset);
  if (label === 'us-ascii' || label === 'ascii' || label === '') return decodeUtf8OrLatin1(bytes);
  const decoder = charsetDecoder(label);
  if (decoder === null) return decodeUtf8OrLatin1(bytes);
  return decoder.decode(bytes);
}
