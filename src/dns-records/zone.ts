// The expected records as zone-file text (RFC 1035 5.1) to paste into a DNS provider's import or
// a zone file: one line each under a comment saying what it is for. What cannot be published
// there (a public address homepost does not know, reverse DNS) is a comment.
import type { ExpectedRecord } from './expected.ts';

const TTL = 3600;

// A character-string in quotes, with " and \ escaped (RFC 1035 5.1).
function quoted(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

function rdata(r: ExpectedRecord): string {
  switch (r.type) {
    case 'MX':
      return `${r.priority} ${r.value}.`;
    case 'SRV':
      return `${r.priority} ${r.weight} ${r.port} ${r.value}.`;
    case 'CNAME':
    case 'PTR':
      return `${r.value}.`;
    case 'TXT':
      return r.strings!.length > 1 ? `( ${r.strings!.map(quoted).join(' ')} )` : quoted(r.value!);
    default:
      return r.value ?? '';
  }
}

// The record's zone-file line; null when part of it is unknown.
export function zoneLine(r: ExpectedRecord): string | null {
  if (r.name === null || r.value === null) return null;
  return `${r.name}. ${TTL} IN ${r.type} ${rdata(r)}`;
}

export function zoneText(domain: string, records: ExpectedRecord[]): string {
  const lines = [`; DNS records for ${domain}`];
  for (const r of records) {
    lines.push(`; ${r.purpose}`);
    const line = zoneLine(r);
    if (r.kind === 'advice') lines.push(`; at your internet provider: ${r.name ? `${r.name}.` : '(reverse name of your public address)'} PTR ${r.value}.`);
    else if (line) lines.push(line);
    else lines.push(`; ${r.name}. ${TTL} IN ${r.type} (${r.type === 'A' ? 'IPv4' : 'IPv6'} address of your router)`);
  }
  return `${lines.join('\n')}\n`;
}
