// Evaluates a parsed search key against the messages of the selected mailbox (RFC 9051 6.4.4).
// String keys match case-insensitively as substrings; header values are decoded (RFC 2047) and
// bodies transfer- and charset-decoded (src/mime) before matching. FROM, TO, CC, BCC, SUBJECT,
// SENT* and the INTERNALDATE keys read the message's summary (src/store/header-cache.ts); other
// header keys read the raw header, and message text is loaded only when a key needs it.
import {
  MISSING_DOMAIN,
  MISSING_MAILBOX,
  decodeEncodedWords,
  fieldValue,
  scanHeader,
  splitHeader,
  type Address,
  type HeaderField,
  type MimePart,
  type MessageStructure,
} from '../../mime/index.ts';
import { partsText } from '../../mime/text.ts';
import type { HeaderRecord, MessageRecord, MessageSummary } from '../../store/index.ts';
import type { MailboxView } from '../mailbox-view.ts';
import type { IndexedField, SearchKey } from './search-keys.ts';

export interface Candidate {
  uid: number;
  // The message's record, read on first use: a program of header keys reads only the summary.
  readonly record: MessageRecord;
  find(): MessageRecord | null; // the record, or null once the message is expunged
  // Loaded on first use, and kept while this message is evaluated: however many keys of the
  // program read the text, it is decoded once.
  summary?: MessageSummary;
  raw?: Buffer;
  parsed?: MessageStructure;
  fields?: HeaderField[];
  headerText?: string; // every header, decoded and lowercased (loadText)
  bodyText?: string; // every text part, decoded and lowercased (loadText)
}

export interface SearchEnv {
  view: MailboxView;
  body(c: Candidate): { raw: Buffer; parsed: MessageStructure };
  // The message's summary (src/store/header-cache.ts), without its parse or raw message.
  summary(c: Candidate): MessageSummary;
  // partsText(raw, parts), computed in a worker.
  text(raw: Buffer, parts: readonly MimePart[]): Promise<string>;
  // Resolved sequence sets, by key.
  sets: Map<SearchKey, Set<number>>;
  newUids: Set<number>; // recent to this session
}

const DAY = 86_400_000;

function compareDay(day: number, op: 'before' | 'on' | 'since', key: number): boolean {
  if (op === 'before') return day < key;
  if (op === 'on') return day === key;
  return day >= key;
}

// An address field as text to match: each address as "Name <local@domain>" (the name decoded,
// RFC 2047) or "local@domain", groups as "name: ...;". Comments and quoting are gone, so
// "<user (comment)@ (comment) domain>" matches "user@domain", as Dovecot normalizes too.
export function addressText(list: readonly Address[] | null): string {
  if (list === null) return '';
  const out: string[] = [];
  for (const a of list) {
    if (a.host === null) {
      out.push(a.mailbox === null ? ';' : `${decodeEncodedWords(a.mailbox)}:`);
      continue;
    }
    const spec = `${a.mailbox === MISSING_MAILBOX ? '' : a.mailbox}${a.host === MISSING_DOMAIN ? '' : `@${a.host}`}`;
    out.push(a.name ? `${decodeEncodedWords(a.name)} <${spec}>` : spec);
  }
  return out.join(', ');
}

function indexedValue(h: HeaderRecord, field: IndexedField): string | null {
  if (field === 'subject') return h.subject;
  const list = h[field];
  return list === null ? null : addressText(list);
}

function headerFields(env: SearchEnv, c: Candidate): HeaderField[] {
  if (!c.fields) {
    const { raw, parsed } = env.body(c);
    c.fields = splitHeader(raw, parsed.root.headerStart, parsed.root.bodyStart);
  }
  return c.fields;
}

function headerValues(env: SearchEnv, c: Candidate, name: string): string[] {
  const { raw } = env.body(c);
  return headerFields(env, c)
    .filter((f) => f.name.toLowerCase() === name)
    .map((f) => decodeEncodedWords(fieldValue(raw, f)));
}

// RFC 9051 6.4.4 TEXT: "the header (including MIME header fields) or body": the message header,
// every part's MIME header and the header of every encapsulated message, decoded (RFC 2047).
// BODY: every text part, transfer- and charset-decoded (src/mime/text.ts). Both lowercased once
// per message, and built by loadText, which lets other sessions run between parts and between
// slices of a long header (a message of ten thousand parts is as much work as ten thousand small
// messages), and has text parts of more than INLINE_TEXT bytes decoded in a worker.
const FIELDS_PER_SLICE = 256;
const INLINE_TEXT = 256 * 1024;

export async function loadText(env: SearchEnv, c: Candidate, needs: TextNeeds, yieldNow: () => Promise<void>): Promise<void> {
  if (!needs.headers && !needs.body) return;
  const { raw, parsed } = env.body(c);
  const headers: string[] = [];
  const texts: MimePart[] = [];
  const todo: MimePart[] = [parsed.root];
  while (todo.length) {
    await yieldNow();
    const part = todo.pop()!;
    for (let pos = part.headerStart, more = needs.headers; more; await yieldNow()) {
      let n = 0;
      scanHeader(raw, pos, part.bodyStart, (f) => {
        headers.push(`${f.name}: ${decodeEncodedWords(fieldValue(raw, f))}`);
        pos = f.end;
        return ++n < FIELDS_PER_SLICE;
      });
      more = n === FIELDS_PER_SLICE;
    }
    for (let i = part.children.length - 1; i >= 0; i--) todo.push(part.children[i]!);
    if (needs.body && part.children.length === 0 && part.type === 'text') texts.push(part);
  }
  if (needs.headers) c.headerText = headers.join('\n').toLowerCase();
  if (!needs.body) return;
  const bytes = texts.reduce((n, p) => n + p.end - p.bodyStart, 0);
  c.bodyText = bytes <= INLINE_TEXT ? partsText(raw, texts) : await env.text(raw, texts);
}

export interface TextNeeds {
  headers: boolean;
  body: boolean;
  raw: boolean; // the raw message: for the text, or for a header field the summary lacks
}

// What of a message's text the program reads.
export function textNeeds(key: SearchKey, out: TextNeeds = { headers: false, body: false, raw: false }): TextNeeds {
  switch (key.k) {
    case 'text':
      out.headers = out.body = out.raw = true;
      break;
    case 'body':
      out.body = out.raw = true;
      break;
    case 'header':
      out.raw = true;
      break;
    case 'not':
      textNeeds(key.key, out);
      break;
    case 'or':
      textNeeds(key.a, out);
      textNeeds(key.b, out);
      break;
    case 'and':
      for (const k of key.keys) textNeeds(k, out);
      break;
  }
  return out;
}

const contains = (haystack: string, needle: string) => haystack.toLowerCase().includes(needle.toLowerCase());

function loaded(text: string | undefined): string {
  if (text === undefined) throw new Error('message text not loaded (loadText)');
  return text;
}

export function matches(env: SearchEnv, c: Candidate, key: SearchKey): boolean {
  switch (key.k) {
    case 'all':
      return true;
    case 'flag': {
      const has = c.record.flags.some((f) => f.toLowerCase() === key.flag.toLowerCase());
      return has === key.present;
    }
    case 'header': {
      const values = headerValues(env, c, key.field);
      // An empty string matches every message that has the field.
      return key.value === '' ? values.length > 0 : values.some((v) => contains(v, key.value));
    }
    case 'indexed': {
      const value = indexedValue(env.summary(c).headers, key.field);
      // An empty string matches every message that has the field.
      return value !== null && contains(value, key.value);
    }
    case 'body':
      return loaded(c.bodyText).includes(key.value.toLowerCase());
    case 'text':
      return loaded(c.headerText).includes(key.value.toLowerCase()) || loaded(c.bodyText).includes(key.value.toLowerCase());
    case 'date': {
      if (!key.sent) return compareDay(Math.floor(env.summary(c).internalDate / DAY) * DAY, key.op, key.day);
      const day = env.summary(c).headers.sentDay;
      return day !== null && compareDay(day, key.op, key.day);
    }
    case 'size':
      return key.larger ? c.record.size > key.n : c.record.size < key.n;
    case 'not':
      return !matches(env, c, key.key);
    case 'or':
      return matches(env, c, key.a) || matches(env, c, key.b);
    case 'and':
      return key.keys.every((k) => matches(env, c, k));
    case 'set':
      return env.sets.get(key)!.has(c.uid);
    case 'modseq':
      return c.record.modseq >= key.n;
    case 'recent':
      return env.newUids.has(c.uid) === key.present;
    case 'new':
      return env.newUids.has(c.uid) && !c.record.flags.includes('\\Seen');
  }
}

// Resolves every sequence set of the program against the view once, before evaluation.
export function resolveSets(view: MailboxView, key: SearchKey, out: Map<SearchKey, Set<number>>): void {
  switch (key.k) {
    case 'set':
      out.set(key, new Set(view.resolve(key.set, key.uid, true)));
      return;
    case 'not':
      resolveSets(view, key.key, out);
      return;
    case 'or':
      resolveSets(view, key.a, out);
      resolveSets(view, key.b, out);
      return;
    case 'and':
      for (const k of key.keys) resolveSets(view, k, out);
      return;
    default:
      return;
  }
}
