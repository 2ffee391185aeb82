// Strict parsing of the paths in MAIL FROM and RCPT TO. Relay decisions rest on this: whatever
// is not a plain Mailbox by the grammar below is refused before any rule sees it, so tricks such
// as the % hack, bang paths or a quoted "@" cannot be read one way here and another way later.
//
// RFC 5321 4.1.2 (with RFC 6531 3.3 for SMTPUTF8):
//   Reverse-path   = Path / "<>"
//   Forward-path   = Path
//   Path           = "<" [ A-d-l ":" ] Mailbox ">"
//   A-d-l          = At-domain *( "," At-domain )
//                  ; Note that this form, the so-called "source route", MUST BE accepted,
//                  ; SHOULD NOT be generated, and SHOULD be ignored.
//   At-domain      = "@" Domain
//   Domain         = sub-domain *("." sub-domain)
//   sub-domain     = Let-dig [Ldh-str]            ; RFC 6531: sub-domain =/ U-label
//   Let-dig        = ALPHA / DIGIT
//   Ldh-str        = *( ALPHA / DIGIT / "-" ) Let-dig
//   address-literal  = "[" ( IPv4-address-literal / IPv6-address-literal /
//                      General-address-literal ) "]"           ; RFC 5321 4.1.3
//   Mailbox        = Local-part "@" ( Domain / address-literal )
//   Local-part     = Dot-string / Quoted-string
//   Dot-string     = Atom *("."  Atom)
//   Atom           = 1*atext                      ; RFC 6531: atext =/ UTF8-non-ascii
//   Quoted-string  = DQUOTE *QcontentSMTP DQUOTE
//   QcontentSMTP   = qtextSMTP / quoted-pairSMTP
//   quoted-pairSMTP  = %d92 %d32-126
//   qtextSMTP      = %d32-33 / %d35-91 / %d93-126  ; RFC 6531: qtextSMTP =/ UTF8-non-ascii
// RFC 5321 4.1.1.3: "RCPT TO:<Postmaster>" without a domain is accepted.
// RFC 5321 4.5.3.1: local-part at most 64 octets, domain at most 255, path at most 256.
// A trailing dot ("example.com.") is not in the grammar and is refused.
import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';

export interface Mailbox {
  // The local part as the grammar means it: quotes and quoted-pair backslashes removed.
  local: string;
  // True when the local part needs quoting (a Quoted-string that is also a Dot-string is the
  // same mailbox as the Dot-string, RFC 5322 3.4.1, and is not marked).
  quoted: boolean;
  // The domain as written (case kept), or the address literal with its brackets.
  domain: string;
  // Lowercase A-label form of the domain (RFC 5890), or null for an address literal.
  asciiDomain: string | null;
  // Canonical text: local part (quoted only when it must be) "@" domain.
  address: string;
}

export type ParsedPath =
  | { kind: 'null' } // "<>", the null reverse-path
  | { kind: 'postmaster' } // "<Postmaster>"
  | { kind: 'mailbox'; mailbox: Mailbox; route: string[] };

export class AddressSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AddressSyntaxError';
  }
}

const MAX_LOCAL = 64;
const MAX_DOMAIN = 255;
const MAX_PATH = 256;

// RFC 5322 3.2.3 atext, which RFC 5321 4.1.2 uses for Atom.
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]$/;
const LDH_LABEL = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/;

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

// A Domain by the grammar; with utf8, labels may also be U-labels (RFC 6531 3.3).
function parseDomain(text: string, utf8: boolean): string {
  if (text === '' || utf8Length(text) > MAX_DOMAIN) throw new AddressSyntaxError('bad domain length');
  const labels = text.split('.');
  let nonAscii = false;
  for (const label of labels) {
    if (label === '') throw new AddressSyntaxError('empty domain label');
    if (/^[\x00-\x7f]*$/.test(label)) {
      if (!LDH_LABEL.test(label) || label.length > 63) throw new AddressSyntaxError(`bad domain label "${label}"`);
      continue;
    }
    // RFC 5891 4.2.3.1: no hyphen at either end of a U-label either.
    if (!utf8 || /^-|-$/.test(label) || /[^A-Za-z0-9\-\u{80}-\u{10ffff}]/u.test(label)) throw new AddressSyntaxError(`bad domain label "${label}"`);
    nonAscii = true;
  }
  const ascii = domainToASCII(text.toLowerCase());
  if (!ascii || (nonAscii && !ascii.split('.').every((l) => LDH_LABEL.test(l) && l.length <= 63))) {
    throw new AddressSyntaxError('bad internationalized domain');
  }
  return ascii;
}

// RFC 5321 4.1.3 address literals: IPv4, "IPv6:" and the General-address-literal form, which no
// standardized tag uses yet and is refused.
function parseAddressLiteral(text: string): void {
  const inner = text.slice(1, -1);
  if (isIPv4(inner)) return;
  if (/^IPv6:/i.test(inner) && isIPv6(inner.slice(5))) return;
  throw new AddressSyntaxError(`bad address literal ${text}`);
}

// Local-part, returns the semantic value and how far it reached.
function parseLocal(s: string, utf8: boolean): { local: string; quoted: boolean; end: number } {
  if (s[0] === '"') {
    let value = '';
    for (let i = 1; i < s.length; i++) {
      const c = s[i];
      const code = c.codePointAt(0)!;
      if (c === '"') return { local: value, quoted: true, end: i + 1 };
      if (c === '\\') {
        const next = s[i + 1];
        if (next === undefined || next.charCodeAt(0) < 32 || next.charCodeAt(0) > 126) {
          throw new AddressSyntaxError('bad quoted-pair');
        }
        value += next;
        i++;
        continue;
      }
      if ((code >= 32 && code <= 126) || (utf8 && code > 127)) {
        value += c;
        continue;
      }
      throw new AddressSyntaxError('bad character in quoted local part');
    }
    throw new AddressSyntaxError('unterminated quoted local part');
  }
  let i = 0;
  let atomLength = 0;
  for (; i < s.length; i++) {
    const c = s[i];
    if (c === '.') {
      if (atomLength === 0) throw new AddressSyntaxError('empty atom in local part');
      atomLength = 0;
      continue;
    }
    if (ATEXT.test(c) || (utf8 && c.codePointAt(0)! > 127)) {
      atomLength++;
      continue;
    }
    break;
  }
  if (atomLength === 0) throw new AddressSyntaxError('bad local part');
  return { local: s.slice(0, i), quoted: false, end: i };
}

// Canonical text of a local part: a Dot-string when it is one, else a Quoted-string.
export function formatLocal(local: string, utf8 = true): string {
  const atom = utf8 ? /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~\u0080-\u{10ffff}]+$/u : /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;
  if (local.split('.').every((a) => atom.test(a))) return local;
  return `"${local.replace(/(["\\])/g, '\\$1')}"`;
}

// Parses "local@domain" (no brackets).
export function parseMailbox(text: string, utf8: boolean): Mailbox {
  const { local, quoted, end } = parseLocal(text, utf8);
  if (text[end] !== '@') throw new AddressSyntaxError('expected "@" after the local part');
  if (utf8Length(text.slice(0, end)) > MAX_LOCAL) throw new AddressSyntaxError('local part longer than 64 octets');
  const domainText = text.slice(end + 1);
  let asciiDomain: string | null = null;
  if (domainText.startsWith('[')) {
    if (!domainText.endsWith(']')) throw new AddressSyntaxError('bad address literal');
    parseAddressLiteral(domainText);
  } else {
    asciiDomain = parseDomain(domainText, utf8);
  }
  const canonical = formatLocal(local, utf8);
  return { local, quoted: quoted && canonical !== local, domain: domainText, asciiDomain, address: `${canonical}@${domainText}` };
}

// Parses a Path with its angle brackets, as it follows "MAIL FROM:" or "RCPT TO:".
// nullAllowed: "<>" (MAIL only). utf8: the transaction uses SMTPUTF8.
export function parsePath(text: string, opts: { nullAllowed: boolean; postmasterAllowed: boolean; utf8: boolean }): ParsedPath {
  if (!text.startsWith('<') || !text.endsWith('>')) throw new AddressSyntaxError('a path is enclosed in "<" and ">"');
  if (utf8Length(text) > MAX_PATH + 2) throw new AddressSyntaxError('path longer than 256 octets');
  let inner = text.slice(1, -1);
  if (inner === '') {
    if (!opts.nullAllowed) throw new AddressSyntaxError('empty path');
    return { kind: 'null' };
  }
  if (opts.postmasterAllowed && inner.toLowerCase() === 'postmaster') return { kind: 'postmaster' };
  const route: string[] = [];
  if (inner.startsWith('@')) {
    const colon = inner.indexOf(':');
    if (colon < 0) throw new AddressSyntaxError('source route without ":"');
    for (const hop of inner.slice(0, colon).split(',')) {
      if (!hop.startsWith('@')) throw new AddressSyntaxError('bad source route');
      route.push(parseDomain(hop.slice(1), opts.utf8));
    }
    inner = inner.slice(colon + 1);
  }
  return { kind: 'mailbox', mailbox: parseMailbox(inner, opts.utf8), route };
}
