// The header fields the server adds to a message (incoming.ts puts them in place): Received
// (RFC 5321 4.4), Return-Path at final delivery (RFC 5321 4.4), and for submission Message-ID
// and Date when missing (RFC 6409 8.2, 8.3).
import { randomBytes } from 'node:crypto';

// RFC 5322 3.3 date-time, in UTC ("+0000": "GMT" is obsolete syntax, 4.3).
export function rfc5322Date(date: Date): string {
  return date.toUTCString().replace(/GMT$/, '+0000');
}

// RFC 5322 3.6.4 msg-id: unique left part "@" the server's name.
export function newMessageId(hostname: string): string {
  return `<${Date.now().toString(36)}.${randomBytes(9).toString('base64url')}@${hostname}>`;
}

export interface ReceivedInfo {
  helo: string;
  remoteAddress: string;
  hostname: string;
  // RFC 3848 / RFC 6531 3.7.3 protocol: ESMTP, ESMTPS, ESMTPA, ESMTPSA, UTF8SMTP...
  protocol: string;
  tls: string | null; // "TLSv1.3 TLS_AES_256_GCM_SHA384"
  id: string;
  recipient: string | null; // only when there is exactly one (RFC 5321 7.2: do not list Bcc)
  date: Date;
}

const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export function addressLiteral(ip: string): string {
  return ip.includes(':') ? `[IPv6:${ip}]` : `[${ip}]`;
}

// A comment (RFC 5322 3.2.2) that cannot break out of its parentheses or the header.
function comment(text: string): string {
  return `(${text.replace(/[()\\\x00-\x1f\x7f]/g, '').slice(0, 200)})`;
}

// RFC 5321 4.4 Time-stamp-line:
//   Stamp = From-domain By-domain Opt-info [CFWS] ";" FWS date-time
//   Extended-Domain = Domain / ( Domain FWS "(" TCP-info ")" ) / ( address-literal FWS "(" TCP-info ")" )
// The HELO name is used as From-domain when it is a Domain or the client's own literal; otherwise
// the connection's address literal stands there and the HELO name goes into a comment.
export function receivedField(r: ReceivedInfo): string {
  const literal = addressLiteral(r.remoteAddress);
  const heloOk = (DOMAIN.test(r.helo) && r.helo.length <= 255) || r.helo.toLowerCase() === literal.toLowerCase();
  const from = heloOk ? `from ${r.helo} (${literal})` : `from ${literal} (${literal}) ${comment(`helo=${r.helo}`)}`;
  const lines = [`Received: ${from}`, `\tby ${r.hostname} (homepost)${r.tls ? ` ${comment(r.tls)}` : ''}`, `\twith ${r.protocol} id ${r.id}`];
  if (r.recipient) lines.push(`\tfor <${r.recipient}>`);
  lines[lines.length - 1] += `; ${rfc5322Date(r.date)}`;
  return `${lines.join('\r\n')}\r\n`;
}

export function returnPathField(sender: string): string {
  return `Return-Path: <${sender}>\r\n`;
}
