// Where mail for a domain goes (RFC 5321 5.1): its MX hosts in preference order, hosts of equal
// preference in random order; without MX records the domain itself (the implicit MX); a null MX
// (RFC 7505: one MX record with the exchange ".") means the domain takes no mail, which bounces
// at once with 556 5.1.10. Each host's IPv4 then IPv6 addresses (a home connection is more often
// without working IPv6 than without IPv4). DNS goes through the injected resolver, so tests and
// benchmarks never ask outside DNS.
import { isIPv4, isIPv6 } from 'node:net';
import { domainToASCII } from 'node:url';
import type { DnsResolve } from '../smtp/dns.ts';
import { local, type AttemptResult } from './result.ts';

export interface MxHost {
  name: string;
  preference: number;
  addresses: string[];
}

export type MxResolution = { ok: true; hosts: MxHost[] } | { ok: false; fail: (address: string) => AttemptResult };

const NOT_FOUND = new Set(['ENOTFOUND', 'NXDOMAIN']);
const NO_DATA = new Set(['ENODATA', 'ENONAME']);

function code(e: unknown): string {
  return (e as NodeJS.ErrnoException)?.code ?? '';
}

function shuffle<T>(items: T[]): T[] {
  const a = [...items];
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

// Addresses of one host: A, then AAAA. null when a lookup failed temporarily.
async function addresses(name: string, resolve: DnsResolve): Promise<string[] | null> {
  const [v4, v6] = await Promise.allSettled([resolve(name, 'A'), resolve(name, 'AAAA')]);
  const out: string[] = [];
  let temporary = false;
  for (const r of [v4, v6]) {
    if (r.status === 'fulfilled') out.push(...(r.value as string[]).filter((a) => isIPv4(a) || isIPv6(a)));
    else if (!NOT_FOUND.has(code(r.reason)) && !NO_DATA.has(code(r.reason))) temporary = true;
  }
  return out.length || !temporary ? out : null;
}

const dnsFailure = (text: string) => ({ ok: false as const, fail: (a: string) => local(a, 'deferred', 451, '4.4.3', text) });

export async function resolveMx(domain: string, resolve: DnsResolve): Promise<MxResolution> {
  // RFC 5321 4.1.3: an address literal names the host itself.
  if (domain.startsWith('[')) {
    const ip = domain.slice(1, -1).replace(/^IPv6:/i, '');
    if (isIPv4(ip) || isIPv6(ip)) return { ok: true, hosts: [{ name: domain, preference: 0, addresses: [ip] }] };
    return { ok: false, fail: (a) => local(a, 'failed', 550, '5.1.2', `Bad destination address literal ${domain}`) };
  }
  const ascii = domainToASCII(domain.toLowerCase());
  if (!ascii) return { ok: false, fail: (a) => local(a, 'failed', 550, '5.1.2', `Bad destination domain ${domain}`) };
  let names: { name: string; preference: number }[];
  try {
    const records = (await resolve(ascii, 'MX')) as { exchange: string; priority: number }[];
    const isNull = (r: { exchange: string }) => r.exchange === '' || r.exchange === '.';
    // RFC 7505 3: a lone "." MX; mixed with other MX records it is ignored (4.3).
    if (records.length === 1 && isNull(records[0])) {
      return { ok: false, fail: (a) => local(a, 'failed', 556, '5.1.10', `Recipient address has null MX (${ascii} accepts no mail)`) };
    }
    const usable = records.filter((r) => !isNull(r)).map((r) => ({ name: r.exchange.replace(/\.$/, '').toLowerCase(), preference: r.priority }));
    const byPreference = new Map<number, { name: string; preference: number }[]>();
    for (const r of usable) byPreference.set(r.preference, [...(byPreference.get(r.preference) ?? []), r]);
    names = [...byPreference.keys()].sort((a, b) => a - b).flatMap((p) => shuffle(byPreference.get(p)!));
    if (names.length === 0) names = [{ name: ascii, preference: 0 }];
  } catch (e) {
    if (NOT_FOUND.has(code(e))) return { ok: false, fail: (a) => local(a, 'failed', 550, '5.1.2', `Domain ${ascii} does not exist`) };
    if (!NO_DATA.has(code(e))) return dnsFailure(`DNS lookup of ${ascii} MX failed (${code(e) || 'error'}), will retry`);
    names = [{ name: ascii, preference: 0 }]; // RFC 5321 5.1: the implicit MX
  }
  const found = await Promise.all(names.map(async (n) => ({ ...n, addresses: await addresses(n.name, resolve) })));
  const hosts = found.filter((h): h is MxHost => h.addresses !== null && h.addresses.length > 0);
  if (hosts.length) return { ok: true, hosts };
  if (found.some((h) => h.addresses === null)) return dnsFailure(`DNS lookup of the mail hosts of ${ascii} failed, will retry`);
  return { ok: false, fail: (a) => local(a, 'failed', 550, '5.4.4', `No address for the mail hosts of ${ascii}: unable to route`) };
}
