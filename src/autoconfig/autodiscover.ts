// Outlook's autodiscover (POX, [MS-OXDSCLI] 2.2.3, 2.2.4): the request names the address in
// <EMailAddress>; the answer, in the "outlook" response schema, has one <Protocol> per way in
// (IMAP, SMTP, POP3) with the server, the port, SSL and the address as the login name.
// The request is read without an XML parser: its size is bounded by the caller, the scan below
// is linear, and no entity or DTD is expanded (only the five predefined entities and character
// references are decoded in the address).
import { normalizeMailAddress } from '../store/addresses.ts';
import { preferred, type ServerEndpoints } from './endpoints.ts';
import { escapeXml } from './xml.ts';

export const AUTODISCOVER_MAX_BYTES = 4096;

const REQUEST_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
const OUTLOOK_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

// <EMailAddress> with or without a namespace prefix, its text (no markup inside), its end tag.
const EMAIL_ELEMENT = /<(?:[A-Za-z_][\w.-]{0,31}:)?EMailAddress\s*>([^<]{1,400})<\/(?:[A-Za-z_][\w.-]{0,31}:)?EMailAddress\s*>/;

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const REFERENCE = /^(?:#x([0-9A-Fa-f]{1,6})|#([0-9]{1,7})|(amp|lt|gt|quot|apos));/;

// The element's text with its references decoded (XML 1.0 4.1, 4.6); null when an & starts
// anything else (an entity of a DTD is never expanded).
function decodeText(s: string): string | null {
  const [first, ...rest] = s.split('&');
  let out = first!;
  for (const part of rest) {
    const m = REFERENCE.exec(part);
    if (!m) return null;
    const code = m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 10) : -1;
    if (code > 0x10ffff) return null;
    out += (code >= 0 ? String.fromCodePoint(code) : PREDEFINED[m[3]!]) + part.slice(m[0].length);
  }
  return out;
}

// The address the request asks about, normalized; null when there is none or it is not one.
export function requestedAddress(body: string): string | null {
  if (/<!(?:DOCTYPE|ENTITY)/i.test(body)) return null;
  const m = EMAIL_ELEMENT.exec(body);
  const text = m ? decodeText(m[1]!.trim()) : null;
  return text === null ? null : normalizeMailAddress(text);
}

export function autodiscoverXml(address: string, s: ServerEndpoints): string {
  const protocol = (type: string, e: { port: number; security: string } | undefined) =>
    e
      ? [
          '      <Protocol>',
          `        <Type>${type}</Type>`,
          `        <Server>${escapeXml(s.hostname)}</Server>`,
          `        <Port>${e.port}</Port>`,
          '        <DomainRequired>off</DomainRequired>',
          `        <LoginName>${escapeXml(address)}</LoginName>`,
          '        <SPA>off</SPA>',
          // SSL on is TLS from the first byte; for a STARTTLS port Outlook wants Encryption TLS.
          ...(e.security === 'tls' ? ['        <SSL>on</SSL>'] : ['        <SSL>off</SSL>', '        <Encryption>TLS</Encryption>']),
          '        <AuthRequired>on</AuthRequired>',
          ...(type === 'SMTP' ? ['        <UsePOPAuth>on</UsePOPAuth>'] : []),
          '      </Protocol>',
        ]
      : [];
  return [
    '<?xml version="1.0" encoding="utf-8"?>',
    `<Autodiscover xmlns="${REQUEST_NS}">`,
    `  <Response xmlns="${OUTLOOK_NS}">`,
    '    <Account>',
    '      <AccountType>email</AccountType>',
    '      <Action>settings</Action>',
    ...protocol('IMAP', preferred(s.incoming, 'imap')),
    ...protocol('SMTP', preferred(s.outgoing, 'smtp')),
    ...protocol('POP3', preferred(s.incoming, 'pop3')),
    '    </Account>',
    '  </Response>',
    '</Autodiscover>',
    '',
  ].join('\n');
}
