// RFC 5322 3.4 address lists (From, To, Cc ...) to IMAP address structures (RFC 9051 7.5.2), and
// the plain addr-specs SMTP submission checks. Lenient like Dovecot's message-address.c: it never
// throws, keeps what it can read, and fills what is missing with placeholders, because an IMAP
// address with a NIL host means a group marker and so cannot stand for "no domain".
import type { Address } from './types.ts';
import { decodeEncodedWords } from './encoded-words.ts';
import { allValues, findHeaderEnd, splitHeader } from './headers.ts';

// Placeholders for a mailbox or domain the header does not give (Dovecot uses the same words).
export const MISSING_MAILBOX = 'MISSING_MAILBOX';
export const MISSING_DOMAIN = 'MISSING_DOMAIN';

// Bounds against hostile headers: the value read and the addresses returned.
const MAX_VALUE_LENGTH = 1024 * 1024;
const MAX_ADDRESSES = 10000;

type TokenKind = 'word' | 'quoted' | 'comment' | 'literal' | 'special';

interface Token {
  kind: TokenKind;
  text: string; // word as written; quoted-string and comment content unescaped; literal with []
  space: boolean; // white space or a comment came before it
}

// RFC 5322 3.2.3 specials that structure an address; "." is kept inside words (dot-atom, and the
// obs-phrase "John Q. Public").
const SPECIALS = '<>@,;:';

// One shared token per special, with and without white space before it (tokens are never
// changed): a long list allocates half as many objects.
const SPECIAL_TOKENS: Readonly<Record<string, Token>> = Object.fromEntries(
  [...SPECIALS].flatMap((c) => [
    [c, { kind: 'special', text: c, space: false }],
    [`${c} `, { kind: 'special', text: c, space: true }],
  ]),
);

// The content of a comment or quoted-string with its quoted-pairs resolved (RFC 5322 3.2.1) and,
// for a quoted-string, its line breaks dropped: one replace over the span, since text built a
// character at a time costs more per character the longer it grows.
const QUOTED_PAIR = /\\([\s\S])/g;
const QUOTED_PAIR_OR_LINE_BREAK = /\\([\s\S])|[\r\n]/g;

function unquote(span: string, pattern: RegExp): string {
  return /[\\\r\n]/.test(span) ? span.replace(pattern, '$1') : span;
}

function tokenize(value: string): Token[] {
  const tokens: Token[] = [];
  let space = false;
  let i = 0;
  const n = value.length;
  while (i < n) {
    const c = value[i]!;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      space = true;
      i++;
    } else if (c === '(') {
      // RFC 5322 3.2.2 comment, nested, with quoted-pairs; an unclosed one runs to the end
      const start = i + 1;
      let end = n;
      let depth = 0;
      for (; i < n; i++) {
        const d = value[i]!;
        if (d === '\\' && i + 1 < n) i++;
        else if (d === '(') depth++;
        else if (d === ')' && --depth === 0) {
          end = i++;
          break;
        }
      }
      tokens.push({ kind: 'comment', text: unquote(value.slice(start, end), QUOTED_PAIR), space });
      space = true;
    } else if (c === '"') {
      // RFC 5322 3.2.4 quoted-string; an unclosed one runs to the end
      const start = i + 1;
      let end = n;
      for (i++; i < n; i++) {
        const d = value[i]!;
        if (d === '\\' && i + 1 < n) i++;
        else if (d === '"') {
          end = i++;
          break;
        }
      }
      tokens.push({ kind: 'quoted', text: unquote(value.slice(start, end), QUOTED_PAIR_OR_LINE_BREAK), space });
      space = false;
    } else if (c === '[') {
      // RFC 5322 3.4.1 domain-literal
      const close = value.indexOf(']', i);
      const end = close === -1 ? n : close + 1;
      tokens.push({ kind: 'literal', text: value.slice(i, end).replace(/[\r\n]/g, ''), space });
      space = false;
      i = end;
    } else if (SPECIALS.includes(c)) {
      tokens.push(SPECIAL_TOKENS[`${c}${space ? ' ' : ''}`]!);
      space = false;
      i++;
    } else if (c === ')') {
      i++; // stray
    } else {
      let j = i + 1;
      while (j < n && !' \t\r\n()"[<>@,;:'.includes(value[j]!)) j++;
      tokens.push({ kind: 'word', text: value.slice(i, j), space });
      space = false;
      i = j;
    }
  }
  return tokens;
}

function isSpecial(token: Token | undefined, c: string): boolean {
  return token !== undefined && token.kind === 'special' && token.text === c;
}

// RFC 5322 3.2.5 phrase (a display name or group name): its words with quoted-strings unquoted,
// comments dropped, white space between words kept as one space. Encoded-words stay as they are.
function phrase(tokens: readonly Token[]): string {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'comment') continue;
    if (t.space && out !== '') out += ' ';
    out += t.text;
  }
  return out.trim();
}

// Text of a local-part, domain or route: the tokens' text joined, comments and white space
// dropped (RFC 5322 4.4 obs-local-part and obs-domain allow CFWS around the dots); stray specials
// ("@@", "<<") are dropped too. keep: specials that belong (the "@" and "," of a route).
function joined(tokens: readonly Token[], keep = ''): string {
  let out = '';
  for (const t of tokens) {
    if (t.kind === 'comment' || (t.kind === 'special' && !keep.includes(t.text))) continue;
    out += t.text;
  }
  return out;
}

interface ParsedMailbox {
  kind: 'mailbox';
  name: string | null;
  adl: string | null;
  local: string | null; // null when missing
  domain: string | null; // null when missing
  // More than one mailbox's worth of tokens ("<a@x> <b@y>", "a@b@c"): what is kept is a guess.
  malformed?: boolean;
}

interface GroupStart {
  kind: 'group-start';
  name: string;
}

interface GroupEnd {
  kind: 'group-end';
}

type Parsed = ParsedMailbox | GroupStart | GroupEnd;

// RFC 5322 3.4.1 addr-spec = local-part "@" domain, split at the last "@".
function addrSpec(tokens: readonly Token[]): { local: string | null; domain: string | null } {
  let at = -1;
  for (let i = tokens.length - 1; i >= 0; i--) {
    if (isSpecial(tokens[i], '@')) {
      at = i;
      break;
    }
  }
  const local = joined(at === -1 ? tokens : tokens.slice(0, at));
  const domain = at === -1 ? '' : joined(tokens.slice(at + 1));
  return { local: local === '' ? null : local, domain: domain === '' ? null : domain };
}

// RFC 5322 3.4 mailbox = name-addr / addr-spec; name-addr = [display-name] angle-addr;
// RFC 5322 4.4 obs-angle-addr = "<" obs-route addr-spec ">", obs-route = obs-domain-list ":".
function mailbox(tokens: readonly Token[]): ParsedMailbox | null {
  const lt = tokens.findIndex((t) => isSpecial(t, '<'));
  if (lt >= 0) {
    let gt = tokens.findIndex((t, i) => i > lt && isSpecial(t, '>'));
    if (gt === -1) gt = tokens.length;
    let inner = tokens.slice(lt + 1, gt);
    let adl: string | null = null;
    if (
      isSpecial(
        inner.find((t) => t.kind !== 'comment'),
        '@',
      )
    ) {
      const colon = inner.findIndex((t) => isSpecial(t, ':'));
      if (colon >= 0) {
        adl = joined(inner.slice(0, colon), '@,') || null;
        inner = inner.slice(colon + 1);
      }
    }
    const name = phrase(tokens.slice(0, lt));
    const trailing = tokens.slice(gt + 1).some((t) => t.kind !== 'comment');
    const ats = inner.filter((t) => isSpecial(t, '@')).length;
    return { kind: 'mailbox', name: name === '' ? null : name, adl, ...addrSpec(inner), malformed: trailing || (adl === null && ats > 1) };
  }
  const content = tokens.filter((t) => t.kind !== 'comment');
  if (content.length === 0) return null;
  const hasAt = content.some((t) => isSpecial(t, '@'));
  const words = content.filter((t) => t.kind === 'word' || t.kind === 'quoted');
  if (!hasAt && words.length > 1) {
    // "John Doe" with no address at all: a name without a mailbox
    return { kind: 'mailbox', name: phrase(tokens), adl: null, local: null, domain: null };
  }
  // addr-spec; a comment after it is taken as the name, as Dovecot and UW imapd do
  const comments = tokens.filter((t) => t.kind === 'comment' && t.text.trim() !== '');
  const name = comments.length > 0 ? comments[comments.length - 1]!.text.trim() : null;
  const malformed = content.filter((t) => isSpecial(t, '@')).length > 1 || content.some((t) => t.kind === 'special' && t.text !== '@');
  return { kind: 'mailbox', name, adl: null, ...addrSpec(content), malformed };
}

// Index of the token that ends a mailbox starting at i: a "," (or ";" inside a group) outside
// angle brackets, or the end.
function mailboxEnd(tokens: readonly Token[], i: number, inGroup: boolean): number {
  let angle = false;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.kind !== 'special') continue;
    if (t.text === '<') angle = true;
    else if (t.text === '>') angle = false;
    else if (!angle && (t.text === ',' || (inGroup && t.text === ';'))) return i;
  }
  return i;
}

// RFC 5322 3.4 address-list = address *("," address); address = mailbox / group;
// group = display-name ":" [group-list] ";". An address is a group when a ":" comes before any
// "<", "@" or ",". A group missing its ";" is closed at the end of the value.
function parseList(value: string): Parsed[] {
  const tokens = tokenize(value.length > MAX_VALUE_LENGTH ? value.slice(0, MAX_VALUE_LENGTH) : value);
  const out: Parsed[] = [];
  let i = 0;
  while (i < tokens.length && out.length < MAX_ADDRESSES) {
    const t = tokens[i]!;
    if (isSpecial(t, ',') || isSpecial(t, ';') || isSpecial(t, '>') || isSpecial(t, ':')) {
      i++;
      continue;
    }
    let colon = -1;
    for (let j = i; j < tokens.length; j++) {
      const u = tokens[j]!;
      if (u.kind !== 'special') continue;
      if (u.text === ':') colon = j;
      break;
    }
    if (colon === -1) {
      const end = mailboxEnd(tokens, i, false);
      const m = mailbox(tokens.slice(i, end));
      if (m !== null) out.push(m);
      i = end;
      continue;
    }
    out.push({ kind: 'group-start', name: phrase(tokens.slice(i, colon)) });
    i = colon + 1;
    while (i < tokens.length && out.length < MAX_ADDRESSES) {
      if (isSpecial(tokens[i], ';')) {
        i++;
        break;
      }
      if (isSpecial(tokens[i], ',')) {
        i++;
        continue;
      }
      const end = mailboxEnd(tokens, i, true);
      const m = mailbox(tokens.slice(i, end));
      if (m !== null) out.push(m);
      i = end;
    }
    out.push({ kind: 'group-end' });
  }
  return out;
}

// An address list as IMAP's ENVELOPE sends it: display names raw (encoded-words kept, quotes
// removed), groups as start/end markers, a missing mailbox or domain as MISSING_MAILBOX /
// MISSING_DOMAIN. Empty when the value holds no address.
export function parseAddressList(value: string): Address[] {
  return parseList(value).map((p): Address => {
    if (p.kind === 'group-start') return { name: null, adl: null, mailbox: p.name, host: null };
    if (p.kind === 'group-end') return { name: null, adl: null, mailbox: null, host: null };
    return { name: p.name, adl: p.adl, mailbox: p.local ?? MISSING_MAILBOX, host: p.domain ?? MISSING_DOMAIN };
  });
}

// RFC 5322 3.2.3 atext: a local-part made of these (and single dots) needs no quoting.
const DOT_ATOM = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+(\.[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\uffff]+)*$/;

function formatLocal(local: string): string {
  return DOT_ATOM.test(local) ? local : `"${local.replace(/(["\\])/g, '\\$1')}"`;
}

export interface NamedAddress {
  name: string | null; // RFC 2047 decoded
  address: string; // local@domain
}

// The complete mailboxes of an address-list header (group members included), each with its
// decoded display name. Entries missing a local part or a domain are left out.
export function mailboxList(value: string): NamedAddress[] {
  const out: NamedAddress[] = [];
  for (const p of parseList(value)) {
    if (p.kind !== 'mailbox' || p.local === null || p.domain === null) continue;
    out.push({
      name: p.name === null ? null : decodeEncodedWords(p.name),
      address: `${formatLocal(p.local)}@${p.domain}`,
    });
  }
  return out;
}

// The plain addr-specs ("local@domain") of an address-list header, for SMTP's From checks.
export function addressSpecs(value: string): string[] {
  return mailboxList(value).map((m) => m.address);
}

// The addr-specs of an originator field (From, Sender, Resent-From: RFC 5322 3.6.2, 3.6.6), for
// SMTP submission's ownership check, and whether the value holds anything that is not a complete
// mailbox (a second angle-addr, a mailbox without a domain, a stray "@"), which could hide an
// address from the check.
export function originatorAddresses(value: string): { addresses: string[]; malformed: boolean } {
  const addresses: string[] = [];
  let malformed = value.length > MAX_VALUE_LENGTH;
  for (const p of parseList(value)) {
    if (p.kind !== 'mailbox') continue;
    if (p.local === null || p.domain === null || p.malformed) malformed = true;
    else addresses.push(`${formatLocal(p.local)}@${p.domain}`);
  }
  return { addresses, malformed };
}

// The addr-specs of every `field` header (e.g. "From") of a raw message, in order: what SMTP
// submission compares with the account's own addresses. Several From fields give all their
// addresses (RFC 5322 3.6 allows only one; the caller decides what more means).
export function headerAddressSpecs(raw: Buffer, field: string): string[] {
  const fields = splitHeader(raw, 0, findHeaderEnd(raw).headerEnd);
  return allValues(raw, fields, field).flatMap(addressSpecs);
}
