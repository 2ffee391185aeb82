// The tokens the junk classifier counts for a message: the words of its text as a reader sees it
// and a few tokens about its header and shape. Each token counts once per message (the set is
// what SpamBayes and mox train on), header tokens first.
//
// Bounds, whatever the message: read.ts reads at most 256 KB of it and decodes at most 64 K
// characters of text from 16 parts; header fields are read up to 1 KB each; at most
// MAX_TOKENS distinct tokens are made, each at most MAX_TOKEN_LENGTH characters, and a word
// longer than MAX_WORD becomes one "long:" token of its length class. Every step is a linear
// pass (indexOf, or a regular expression whose repetitions cannot match the same text two
// ways), so the cost grows with the bytes read and stops there.
//
// Tokens, with their prefixes:
//   word                    a body word: lowercased, 3 to MAX_WORD characters, surrounding
//                           punctuation removed ("free!!" and "$500" keep theirs)
//   subject:word            a word of the decoded Subject; subject:caps when it is shouted
//   from:domain, from-name:word, reply-to:domain (when it is not From's domain), msgid:domain
//   to-count:n              To and Cc recipients: 0, 1, 2, 3-5, 6-10, 11+
//   header:name             presence of a field that tells kinds of mail apart (HEADER_NAMES)
//   mailer:word             the first word of X-Mailer or User-Agent
//   type:t/s, part:t/s      the top-level content type and each leaf part's (at most MAX_PARTS)
//   html-only               HTML text and no plain text
//   encoding:e, charset:c   of the text parts read
//   has-attachment, attachment:ext, attachment-type:t/s
//   url:host, url-domain:d  hosts of links (HTML href and src, and URLs in text); url-ip for an
//                           address literal; url-count:n (0, 1, 2, 3-5, 6-10, 11+)
//   quoted                  the text quotes an earlier message ("> " lines)
//   long:n                  a word past MAX_WORD characters, n its length rounded down to 10
//                           (at most 120: only MAX_WORD + 100 characters of a word are looked at)
import { decodeEncodedWords, fieldValue, type MimePart, mailboxList, type ParsedMessage, paramValue, scanHeader } from '../mime/index.ts';
import { isAttachment, type MessageRead, READ_LIMITS, type ReadLimits, readMessage } from './read.ts';

export const MAX_TOKENS = 2000;
export const MIN_WORD = 3;
export const MAX_WORD = 24;
const MAX_FIELD_BYTES = 1024;
const MAX_PARTS = 64;

const HEADER_NAMES = new Set([
  'list-id',
  'list-unsubscribe',
  'in-reply-to',
  'references',
  'reply-to',
  'x-mailer',
  'user-agent',
  'dkim-signature',
  'precedence',
  'organization',
]);
// What is removed from both ends of a word: anything but letters and digits, except a leading
// currency sign and a trailing "!", "?" or "%" (spam uses them).
const LEADING = /^[^\p{L}\p{N}$€£]+/u;
const TRAILING = /[^\p{L}\p{N}!?%]+$/u;
const URL = /\b(?:https?:\/\/|www\.)[^\s<>"']{1,2048}/gi;
const QUOTED = /^> ?\S/m;

// Longest token kept: header values (a content type, a domain) are cut there.
export const MAX_TOKEN_LENGTH = 100;

class TokenSet {
  readonly tokens = new Set<string>();
  private readonly max: number;

  constructor(max: number) {
    this.max = max;
  }

  get full(): boolean {
    return this.tokens.size >= this.max;
  }

  add(token: string): void {
    if (!this.full) this.tokens.add(token.slice(0, MAX_TOKEN_LENGTH));
  }
}

// The n-class of a count as to-count and url-count report it.
function countClass(n: number): string {
  if (n <= 2) return String(n);
  if (n <= 5) return '3-5';
  return n <= 10 ? '6-10' : '11+';
}

// A word as counted: edges trimmed (but "$5" and "now!" keep their sign), length-bounded. The
// caller passes at most MAX_WORD + 100 characters of it, so trimming stays cheap.
function addWord(set: TokenSet, raw: string, prefix: string): void {
  const word = raw.replace(LEADING, '').replace(TRAILING, '');
  if (word.length < MIN_WORD) return;
  set.add(word.length > MAX_WORD ? `long:${Math.floor(word.length / 10) * 10}` : prefix + word);
}

function addWords(set: TokenSet, text: string, prefix = ''): void {
  const lower = text.toLowerCase();
  let pos = 0;
  while (pos < lower.length && !set.full) {
    while (pos < lower.length && isSpace(lower.charCodeAt(pos))) pos++;
    const start = pos;
    while (pos < lower.length && !isSpace(lower.charCodeAt(pos))) pos++;
    if (pos > start) addWord(set, lower.slice(start, Math.min(pos, start + MAX_WORD + 100)), prefix);
  }
}

function isSpace(c: number): boolean {
  return c <= 0x20 || c === 0xa0 || c === 0x3000 || (c >= 0x2000 && c <= 0x200b);
}

// The host of a URL (after "scheme://" and any "user@"), lowercased, or null.
export function urlHost(url: string): string | null {
  const afterScheme = url.indexOf('://');
  let rest = afterScheme === -1 ? url : url.slice(afterScheme + 3);
  const end = rest.search(/[/?#\\]/);
  if (end !== -1) rest = rest.slice(0, end);
  rest = rest.slice(rest.lastIndexOf('@') + 1);
  const colon = rest.lastIndexOf(':');
  if (colon !== -1 && !rest.endsWith(']')) rest = rest.slice(0, colon);
  const host = rest.toLowerCase().replace(/\.$/, '');
  if (host.length > 253) return null;
  // Labels of letters, digits and "-" around at least one dot, or an address literal.
  const name = /^[a-z0-9-]+(?:\.[a-z0-9-]+)+$/.test(host);
  return name || /^\[[0-9a-f:.]+\]$/.test(host) ? host : null;
}

function addLinks(set: TokenSet, links: readonly string[]): void {
  const hosts = new Set<string>();
  for (const link of links) {
    const host = urlHost(link);
    if (host !== null) hosts.add(host);
  }
  set.add(`url-count:${countClass(hosts.size)}`);
  for (const host of hosts) {
    if (/^[0-9.]+$|^\[/.test(host)) {
      set.add('url-ip');
      continue;
    }
    set.add(`url:${host}`);
    set.add(`url-domain:${host.split('.').slice(-2).join('.')}`);
  }
}

function domainOf(address: string | undefined): string | null {
  return address === undefined ? null : address.slice(address.lastIndexOf('@') + 1).toLowerCase();
}

function addHeader(set: TokenSet, read: MessageRead): void {
  const { raw, parsed } = read;
  let recipients = 0;
  let fromDomain: string | null = null;
  let replyTo: string | null = null;
  scanHeader(raw, parsed.root.headerStart, Math.min(parsed.root.bodyStart, raw.length), (field) => {
    const name = field.name.toLowerCase();
    if (HEADER_NAMES.has(name)) set.add(`header:${name}`);
    const value = () => fieldValue(raw, field, MAX_FIELD_BYTES);
    switch (name) {
      case 'subject': {
        const subject = decodeEncodedWords(value());
        const letters = subject.replace(/[^\p{L}]/gu, '');
        if (letters.length >= 8 && letters === letters.toUpperCase() && letters !== letters.toLowerCase()) set.add('subject:caps');
        addWords(set, subject, 'subject:');
        break;
      }
      case 'from': {
        const from = mailboxList(value())[0];
        fromDomain ??= domainOf(from?.address);
        if (from?.name) addWords(set, from.name, 'from-name:');
        break;
      }
      case 'reply-to':
        replyTo ??= domainOf(mailboxList(value())[0]?.address);
        break;
      case 'to':
      case 'cc':
        recipients += mailboxList(value()).length;
        break;
      case 'message-id': {
        const id = /@([^>\s]+)>?$/.exec(value());
        if (id) set.add(`msgid:${id[1]!.toLowerCase()}`);
        break;
      }
      case 'x-mailer':
      case 'user-agent': {
        const word = value().split(/[\s/]/)[0];
        if (word) set.add(`mailer:${word.toLowerCase().slice(0, MAX_WORD)}`);
        break;
      }
    }
    return !set.full;
  });
  if (fromDomain) set.add(`from:${fromDomain}`);
  if (replyTo && replyTo !== fromDomain) set.add(`reply-to:${replyTo}`);
  set.add(`to-count:${countClass(recipients)}`);
}

function extension(filename: string | null): string | null {
  const m = filename === null ? null : /\.([a-z0-9]{1,8})$/i.exec(filename);
  return m ? m[1]!.toLowerCase() : null;
}

// The shape: content types of the top level and the leaves, attachments, text encodings.
function addShape(set: TokenSet, read: MessageRead): void {
  const root = read.parsed.root;
  set.add(`type:${root.type}/${root.subtype}`);
  const todo: MimePart[] = [root];
  let seen = 0;
  while (todo.length > 0 && seen++ < MAX_PARTS) {
    const part = todo.pop()!;
    if (part.children.length > 0) {
      todo.push(...part.children.slice(0, MAX_PARTS));
      continue;
    }
    const type = `${part.type}/${part.subtype}`;
    set.add(`part:${type}`);
    const filename = paramValue(part.disposition?.params ?? [], 'filename') ?? paramValue(part.params, 'name');
    if (isAttachment(part) || (filename !== null && part.type !== 'text')) {
      set.add('has-attachment');
      set.add(`attachment-type:${type}`);
      const ext = extension(filename);
      if (ext) set.add(`attachment:${ext}`);
    } else if (part.type === 'text') {
      set.add(`encoding:${part.encoding.toLowerCase().slice(0, MAX_WORD)}`);
      const charset = paramValue(part.params, 'charset');
      if (charset) set.add(`charset:${charset.toLowerCase().slice(0, MAX_WORD)}`);
    }
  }
  if (read.html && !read.plain) set.add('html-only');
}

// The tokens of a message read by readMessage.
export function tokenize(read: MessageRead, max = MAX_TOKENS): string[] {
  const set = new TokenSet(max);
  addHeader(set, read);
  addShape(set, read);
  const links = [...read.links];
  const texts = read.texts.map((text) =>
    text.replace(URL, (url) => {
      links.push(url);
      return ' ';
    }),
  );
  addLinks(set, links);
  if (texts.some((text) => QUOTED.test(text))) set.add('quoted');
  for (const text of texts) addWords(set, text);
  return [...set.tokens];
}

// The tokens of a raw message (RFC 5322 bytes); `parsed` as readMessage takes it.
export function messageTokens(message: Buffer, parsed?: ParsedMessage, limits: ReadLimits = READ_LIMITS): string[] {
  return tokenize(readMessage(message, limits, parsed));
}
