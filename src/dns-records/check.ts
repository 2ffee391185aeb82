// The live check of a domain's expected records: each (name, type) asked once through the
// resolver (dns.servers, dns.timeoutMs), a few at a time, and every record judged found, missing
// (NXDOMAIN or no data of that type, RFC 2308) or different; a query that gets no answer (a
// timeout, SERVFAIL, a refusal) leaves its records unchecked with the reason.
import type { DnsResolve } from '../smtp/dns.ts';
import { compare, hostName, type FoundRecord, type Verdict } from './compare.ts';
import { ptrAdvice, type ExpectedRecord } from './expected.ts';

export interface CheckedRecord extends ExpectedRecord {
  // error: could not be checked (the reason is in error).
  status: Verdict['status'] | 'error';
  found: string[];
  note?: string;
  error?: string;
}

type Lookup = { records: FoundRecord[] } | { error: string };

// Queries in flight at once: one domain's records are about twenty queries, and a home router's
// resolver or a public one should not see them as a burst.
const PARALLEL = 4;

const NO_RECORDS = new Set(['ENOTFOUND', 'ENODATA']);

const REASONS: Record<string, string> = {
  ETIMEOUT: 'no answer from the DNS server in time',
  ESERVFAIL: 'the DNS server failed to answer (SERVFAIL)',
  EREFUSED: 'the DNS server refused the query',
  ECONNREFUSED: 'the DNS server could not be reached',
};

// The answer of resolve(name, type) as records people read and compare.
function records(type: string, answer: unknown): FoundRecord[] {
  switch (type) {
    case 'MX':
      return (answer as { exchange: string; priority: number }[]).map((r) => ({ text: `${r.priority} ${r.exchange}`, target: hostName(r.exchange) }));
    case 'SRV':
      return (answer as { name: string; port: number; priority: number; weight: number }[]).map((r) => ({
        text: `${r.priority} ${r.weight} ${r.port} ${r.name}`,
        target: hostName(r.name),
        port: r.port,
      }));
    // A TXT record's character-strings are one text (RFC 7208 3.3, RFC 6376 3.6.2.2).
    case 'TXT':
      return (answer as string[][]).map((chunks) => ({ text: chunks.join('') }));
    default:
      return (answer as string[]).map((s) => ({ text: s, target: hostName(s) }));
  }
}

async function lookup(resolve: DnsResolve, name: string, type: string): Promise<Lookup> {
  try {
    return { records: records(type, await resolve(name, type)) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (NO_RECORDS.has(code)) return { records: [] };
    return { error: REASONS[code] ?? `DNS error ${code || (e as Error).message}` };
  }
}

// Every (name, type) looked up once, PARALLEL at a time.
async function lookupAll(resolve: DnsResolve, list: ExpectedRecord[]): Promise<Map<string, Lookup>> {
  const keys = [...new Set(list.flatMap((r) => (r.name === null ? [] : [`${r.name} ${r.type}`])))];
  const out = new Map<string, Lookup>();
  let next = 0;
  const worker = async () => {
    while (next < keys.length) {
      const key = keys[next++];
      const [name, type] = key.split(' ');
      out.set(key, await lookup(resolve, name, type));
    }
  };
  await Promise.all(Array.from({ length: Math.min(PARALLEL, keys.length) }, worker));
  return out;
}

function judge(r: ExpectedRecord, l: Lookup): CheckedRecord {
  if ('error' in l) return { ...r, status: 'error', found: [], error: l.error };
  return { ...r, ...compare(r, l.records) };
}

export async function checkRecords(expected: ExpectedRecord[], resolve: DnsResolve): Promise<CheckedRecord[]> {
  // Reverse DNS of an address homepost does not know is checked for the addresses the host name
  // has in DNS, found in the first round.
  const unknownPtr = expected.find((r) => r.type === 'PTR' && r.name === null);
  const first = await lookupAll(resolve, expected);
  const host = unknownPtr?.value ?? '';
  const hostLookups = unknownPtr ? ['A', 'AAAA'].map((t) => first.get(`${host} ${t}`)!) : [];
  const hostAddresses = hostLookups.flatMap((l) => ('records' in l ? l.records.map((x) => x.text) : []));
  const ptrs = hostAddresses.map((ip) => ptrAdvice(ip, host));
  const second = await lookupAll(resolve, ptrs);
  const out: CheckedRecord[] = [];
  for (const r of expected) {
    if (r !== unknownPtr) out.push(judge(r, first.get(`${r.name} ${r.type}`)!));
    else if (ptrs.length) out.push(...ptrs.map((p) => judge(p, second.get(`${p.name} ${p.type}`)!)));
    else {
      // No address to look up: because the host's own lookups failed, or because it has none.
      const failed = hostLookups.find((l) => 'error' in l);
      out.push(failed ? judge(r, failed) : { ...r, status: 'missing', found: [], note: `${host} has no address in DNS yet` });
    }
  }
  return out;
}
