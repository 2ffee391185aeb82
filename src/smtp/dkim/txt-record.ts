// The DNS TXT records that publish a domain's DKIM public keys (RFC 6376 3.6.1, RFC 8463 4), for
// the CLI, the setup page and the DNS check.
import type { DkimDomainRecord, DkimKey } from '../../store/index.ts';

export interface DkimDnsRecord {
  name: string; // "rsa20261126._domainkey.example.org"
  type: 'TXT';
  value: string; // "v=DKIM1; k=rsa; p=..."
  // The value cut into character-strings of at most 255 octets, as a zone file or a DNS panel
  // that asks for them separately needs it (RFC 1035 3.3.14; RFC 6376 3.6.2.2 joins them).
  strings: string[];
}

export function dkimTxtRecord(domain: string, key: DkimKey): DkimDnsRecord {
  const value = `v=DKIM1; k=${key.algorithm === 'rsa-sha256' ? 'rsa' : 'ed25519'}; p=${key.publicKey}`;
  const strings: string[] = [];
  for (let i = 0; i < value.length; i += 255) strings.push(value.slice(i, i + 255));
  return { name: `${key.selector}._domainkey.${domain}`, type: 'TXT', value, strings };
}

// The TXT records to publish for a domain's current keys (none before keys exist).
export function dkimTxtRecords(rec: DkimDomainRecord | null): DkimDnsRecord[] {
  return rec ? rec.keys.map((k) => dkimTxtRecord(rec.domain, k)) : [];
}
