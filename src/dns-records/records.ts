// A local domain's DNS records from the store's state: the server's host name, its public
// addresses, the domain's DKIM keys (made now when it has none) and the smarthost; and their live
// check through the resolver the SMTP checks use (dns.servers, dns.timeoutMs).
import { ensureDkimKeys } from '../smtp/dkim/keys.ts';
import { dkimTxtRecords } from '../smtp/dkim/txt-record.ts';
import { normalizeDomain } from '../store/addresses.ts';
import type { Store } from '../store/index.ts';
import { serverHostname } from '../settings/hostname.ts';
import { readSetting } from '../settings/define.ts';
import { systemResolver } from '../smtp/dns.ts';
import { OUTBOUND_SETTINGS } from '../queue/settings.ts';
import { SMTP_SETTINGS } from '../smtp/settings.ts';
import { checkRecords, type CheckedRecord } from './check.ts';
import { expectedRecords, type ExpectedRecord } from './expected.ts';
import { DNS_PUBLIC_ADDRESSES } from './settings.ts';
import { zoneText } from './zone.ts';

export interface DomainRecords {
  domain: string;
  host: string;
  // Set when the server's host name is not a full name (a bare "raspberrypi"): the records use
  // mail.<domain> instead, and this says to set server.hostname to it.
  hostNote?: string;
  publicAddresses: string[]; // dns.publicAddresses, empty when unknown
  records: ExpectedRecord[];
  // Every record as zone-file text, for a copy button or a DNS provider's import.
  zone: string;
}

export interface DomainCheck extends Omit<DomainRecords, 'records'> {
  records: CheckedRecord[];
  servers: string[]; // dns.servers; empty: the system's resolvers
  checkedAt: number;
}

// fallbackHost: the name the daemon was started with (--hostname), else the machine's.
export async function domainRecords(store: Store, domain: string, fallbackHost: string): Promise<DomainRecords> {
  const dkim = await ensureDkimKeys(store, domain);
  const d = dkim.domain;
  const named = normalizeDomain(serverHostname(store.settings, fallbackHost));
  const host = named ?? `mail.${d}`;
  const publicAddresses = readSetting(store.settings, DNS_PUBLIC_ADDRESSES);
  const records = expectedRecords({
    domain: d,
    host,
    publicAddresses,
    dkim: dkimTxtRecords(dkim),
    smarthost: readSetting(store.settings, OUTBOUND_SETTINGS.smarthost)?.host ?? null,
  });
  return {
    domain: d,
    host,
    ...(named
      ? {}
      : { hostNote: `the server's host name is not a full name; these records use ${host}: set it with homepost config set server.hostname ${host}` }),
    publicAddresses,
    records,
    zone: zoneText(d, records),
  };
}

export async function checkDomain(store: Store, domain: string, fallbackHost: string): Promise<DomainCheck> {
  const expected = await domainRecords(store, domain, fallbackHost);
  const servers = readSetting(store.settings, SMTP_SETTINGS.dnsServers);
  const resolver = systemResolver({ servers, timeoutMs: readSetting(store.settings, SMTP_SETTINGS.dnsTimeoutMs) });
  return { ...expected, records: await checkRecords(expected.records, resolver), servers, checkedAt: Date.now() };
}
