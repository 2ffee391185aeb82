// Whether what DNS holds at a name matches an expected record, compared as DNS and its readers
// do: host names without case or final dot, TXT character-strings joined, SPF by its normalized
// text, DKIM by its key, DMARC by its policy, MX by host and SRV by host and port (priorities and
// weights are a preference, not a fault).
import type { ExpectedRecord } from './expected.ts';
import { sameAddress } from './reverse-name.ts';

// One record of the answer: text as people read it ("10 mail.example.org", a TXT record's joined
// strings), and for MX, SRV, CNAME and PTR the target host, normalized, and SRV's port.
export interface FoundRecord {
  text: string;
  target?: string;
  port?: number;
}

export interface Verdict {
  status: 'found' | 'missing' | 'different';
  found: string[]; // the relevant records found, as text
  note?: string;
}

export function hostName(s: string): string {
  return s.toLowerCase().replace(/\.$/, '');
}

// A DKIM or DMARC tag-list (RFC 6376 3.2, RFC 7489 6.4): tag=value pairs split by ";", spaces
// around them ignored.
export function tagList(text: string): Map<string, string> {
  const tags = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) tags.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  return tags;
}

const SPF = /^v=spf1(?: |$)/i; // RFC 7208 4.5
const DMARC = /^v=DMARC1\s*(?:;|$)/; // RFC 7489 6.6.3
const DKIM = /^v=DKIM1\s*(?:;|$)/; // RFC 6376 3.6.1

// SPF: terms lower-cased and single-spaced (RFC 7208 4.6.1: terms separated by spaces; names
// case-insensitive).
function spfText(s: string): string {
  return s.trim().split(/ +/).join(' ').toLowerCase();
}

// The key a DKIM record publishes: k (default rsa) and p with its folding spaces removed
// (RFC 6376 3.6.1).
function dkimKey(s: string): string | null {
  const t = tagList(s);
  const p = t.get('p')?.replace(/\s+/g, '');
  return p ? `${t.get('k') ?? 'rsa'}:${p}` : null;
}

// DMARC's policy tags with their defaults (RFC 7489 6.3); the report addresses are not policy.
function dmarcPolicy(s: string): string {
  const t = new Map([...tagList(s)].map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]));
  const p = t.get('p') ?? '';
  return [`p=${p}`, `sp=${t.get('sp') ?? p}`, `adkim=${t.get('adkim') ?? 'r'}`, `aspf=${t.get('aspf') ?? 'r'}`, `pct=${t.get('pct') ?? '100'}`].join(';');
}

function compareTxt(expected: string, texts: string[]): Verdict {
  const family = [SPF, DMARC, DKIM].find((re) => re.test(expected));
  // Other TXT records at the name (a site verification, say) are not ours to judge.
  const found = family ? texts.filter((t) => family.test(t) || (family === DKIM && dkimKey(t) !== null)) : texts;
  if (found.length === 0) return { status: 'missing', found };
  if (family === DKIM) return { status: found.some((t) => dkimKey(t) === dkimKey(expected)) ? 'found' : 'different', found };
  if (family && found.length > 1) {
    return { status: 'different', found, note: `${found.length} ${family === SPF ? 'SPF' : 'DMARC'} records: receivers ignore them all (keep one)` };
  }
  const same =
    family === SPF
      ? (t: string) => spfText(t) === spfText(expected)
      : family === DMARC
        ? (t: string) => dmarcPolicy(t) === dmarcPolicy(expected)
        : (t: string) => t === expected;
  return { status: found.some(same) ? 'found' : 'different', found };
}

export function compare(e: ExpectedRecord, records: FoundRecord[]): Verdict {
  const found = records.map((r) => r.text);
  if (e.type === 'TXT') return compareTxt(e.value!, found);
  if (records.length === 0) return { status: 'missing', found };
  // The public address is unknown: what DNS holds is reported as it is.
  if (e.value === null) return { status: 'found', found };
  const want = e.value;
  const match =
    e.type === 'A' || e.type === 'AAAA'
      ? records.some((r) => sameAddress(r.text, want))
      : records.some((r) => r.target === hostName(want) && (e.type !== 'SRV' || r.port === e.port));
  return { status: match ? 'found' : 'different', found };
}
