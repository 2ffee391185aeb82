// The DNS records a local domain needs so that mail reaches this server, leaves it trusted, and
// mail apps find it: what the setup page's DNS step and `homepost dns records` show, each with
// its purpose in plain words, and what `homepost dns check` compares DNS against.
import { isIPv4, isIPv6 } from 'node:net';
import { PRODUCTION_PORTS, type Service } from '../config/options.ts';
import type { DkimDnsRecord } from '../smtp/dkim/txt-record.ts';
import { addressFamily, reverseName } from './reverse-name.ts';

export type RecordType = 'MX' | 'A' | 'AAAA' | 'TXT' | 'CNAME' | 'SRV' | 'PTR';

export interface ExpectedRecord {
  // record: published at the domain's DNS provider; advice: set elsewhere (reverse DNS is set by
  // the internet provider who owns the address).
  kind: 'record' | 'advice';
  // The owner name, lower case, without the final dot; null for the reverse name of a public
  // address homepost does not know (dns.publicAddresses unset).
  name: string | null;
  type: RecordType;
  // What a DNS provider's value field takes: the address, the target host (MX, SRV, CNAME,
  // PTR) or the whole TXT text; null when unknown (the public address, dns.publicAddresses unset).
  value: string | null;
  priority?: number; // MX, SRV
  weight?: number; // SRV
  port?: number; // SRV
  // TXT: the text cut into character-strings of at most 255 octets (RFC 1035 3.3.14).
  strings?: string[];
  // Missing is no fault (AAAA when the connection may have no IPv6).
  optional: boolean;
  purpose: string;
}

export interface RecordsInput {
  domain: string; // normalized (store/addresses.ts normalizeDomain)
  host: string; // the server's host name, normalized
  publicAddresses: string[]; // dns.publicAddresses
  dkim: DkimDnsRecord[]; // the domain's keys (src/smtp/dkim/txt-record.ts)
  smarthost: string | null; // the relay all mail leaves through (outbound.smarthost), by host
}

const MX_PRIORITY = 10;

// RFC 6186 client service discovery. Priorities: implicit TLS first (RFC 8314 5.1), and IMAP
// before POP3 (RFC 6186 3.4 lets clients compare priorities across the two). Weight 0: one
// target, no selection to make (RFC 2782).
const SRV: { service: Service; priority: number; what: string }[] = [
  { service: 'submissions', priority: 0, what: 'sending mail, encrypted from the start' },
  { service: 'submission', priority: 10, what: 'sending mail, encrypted after STARTTLS' },
  { service: 'imaps', priority: 0, what: 'reading mail over IMAP, encrypted from the start' },
  { service: 'imap', priority: 10, what: 'reading mail over IMAP, encrypted after STARTTLS' },
  { service: 'pop3s', priority: 20, what: 'downloading mail over POP3, encrypted from the start' },
  { service: 'pop3', priority: 30, what: 'downloading mail over POP3, encrypted after STARTTLS' },
];

// SPF (RFC 7208): "mx" authorizes the addresses of the domain's MX hosts, which are this server's,
// and "-all" tells receivers nothing else sends the domain's mail. With a smarthost, mail leaves
// from the relay instead: "a:<relay>" authorizes the relay's own addresses, and "~all" (softfail)
// because a provider's outgoing servers are not always the addresses of the name one connects to.
// A provider that documents an SPF include (include:spf.provider.net) should replace the a: term.
export function spfRecord(smarthost: string | null): string {
  if (!smarthost) return 'v=spf1 mx -all';
  const term = isIPv4(smarthost) ? `ip4:${smarthost}` : isIPv6(smarthost) ? `ip6:${smarthost}` : `a:${smarthost}`;
  return `v=spf1 mx ${term} ~all`;
}

// DMARC (RFC 7489): p=none, the monitoring start RFC 7489 6.7 recommends. A home user may also
// send as this domain from elsewhere (a provider's webmail, a phone app), and under quarantine or
// reject such mail would be junked without them knowing why. No rua= address: aggregate reports
// are daily XML files a home user would not read, and they would fill the postmaster's mailbox.
// Once the check shows SPF and DKIM found, p=quarantine is the next step.
export const DMARC_RECORD = 'v=DMARC1; p=none';

// SPF text for the host name itself: receivers check the HELO name for mail with an empty
// sender (bounces and delay notices) (RFC 7208 2.3).
const HOST_SPF = 'v=spf1 a -all';

function txt(name: string, value: string, purpose: string): ExpectedRecord {
  const strings: string[] = [];
  for (let i = 0; i < value.length; i += 255) strings.push(value.slice(i, i + 255));
  return { kind: 'record', name, type: 'TXT', value, strings, optional: false, purpose };
}

export function expectedRecords(o: RecordsInput): ExpectedRecord[] {
  const { domain, host } = o;
  const out: ExpectedRecord[] = [
    {
      kind: 'record',
      name: domain,
      type: 'MX',
      value: host,
      priority: MX_PRIORITY,
      optional: false,
      purpose: `Mail for anyone@${domain} is delivered to this server (${host}).`,
    },
  ];
  if (o.publicAddresses.length) {
    for (const ip of o.publicAddresses) {
      out.push({
        kind: 'record',
        name: host,
        type: addressFamily(ip),
        value: ip,
        optional: false,
        purpose: `${host} is found at this device's public address ${ip}.`,
      });
    }
  } else {
    out.push(
      {
        kind: 'record',
        name: host,
        type: 'A',
        value: null,
        optional: false,
        purpose: `${host} is found at this device's public IPv4 address (your router's; set it with dns.publicAddresses to have it checked).`,
      },
      {
        kind: 'record',
        name: host,
        type: 'AAAA',
        value: null,
        optional: true,
        purpose: `${host} is found at this device's public IPv6 address, if your connection has IPv6.`,
      },
    );
  }
  out.push(
    txt(
      domain,
      spfRecord(o.smarthost),
      o.smarthost
        ? `Receivers accept mail from ${domain} sent by this server or through ${o.smarthost} (SPF).`
        : `Receivers accept mail from ${domain} only when this server sends it (SPF).`,
    ),
  );
  if (host !== domain) out.push(txt(host, HOST_SPF, `Receivers accept bounces and notices ${host} sends in its own name (SPF).`));
  for (const k of o.dkim) {
    out.push({
      ...txt(
        k.name,
        k.value,
        `Receivers can verify the signature this server puts on mail from ${domain} (DKIM, ${k.value.includes('k=ed25519') ? 'Ed25519' : 'RSA'} key).`,
      ),
      strings: k.strings,
    });
  }
  out.push(txt(`_dmarc.${domain}`, DMARC_RECORD, `Tells receivers to check SPF and DKIM for ${domain} (DMARC); p=none only watches for now.`));
  for (const sub of ['autoconfig', 'autodiscover']) {
    out.push({
      kind: 'record',
      name: `${sub}.${domain}`,
      type: 'CNAME',
      value: host,
      optional: false,
      purpose: `Mail apps (${sub === 'autoconfig' ? 'Thunderbird' : 'Outlook'}) find the settings for ${domain} by themselves.`,
    });
  }
  for (const s of SRV) {
    out.push({
      kind: 'record',
      name: `_${s.service}._tcp.${domain}`,
      type: 'SRV',
      value: host,
      priority: s.priority,
      weight: 0,
      port: PRODUCTION_PORTS[s.service],
      optional: false,
      purpose: `Mail apps find the server for ${s.what}.`,
    });
  }
  out.push(...(o.publicAddresses.length ? o.publicAddresses : [null]).map((ip) => ptrAdvice(ip, host)));
  return out;
}

// Reverse DNS of a public address (or of the one homepost does not know, null) (RFC 1912 2.1).
export function ptrAdvice(ip: string | null, host: string): ExpectedRecord {
  return {
    kind: 'advice',
    name: ip && reverseName(ip),
    type: 'PTR',
    value: host,
    optional: false,
    purpose: `Reverse DNS: the name of ${ip ?? 'your public address'} should be ${host}, or many receivers refuse the mail. Only your internet provider can set it: ask them.`,
  };
}
