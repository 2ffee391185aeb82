// DNS blocklists and allowlists (RFC 5782): the client's reversed address is looked up as an A
// record under each zone. An answer in 127.0.0.0/8 means listed (RFC 5782 2.3); NXDOMAIN means
// not listed. Answers in 127.255.255.0/24 are the list refusing the query (Spamhaus answers
// 127.255.255.254 to queries through public resolvers, 127.255.255.255 to too many queries):
// no answer, and reported so that the person running the server hears about it. Anything else
// (an answer outside 127/8, as from a resolver that rewrites NXDOMAIN, or no answer in time) is
// an error, which never counts as listed.
import type { DnsResolve } from '../dns.ts';
import { reverseAddress } from './reverse.ts';

export type ZoneStatus = 'listed' | 'clear' | 'refused' | 'error';

export interface ZoneAnswer {
  zone: string;
  status: ZoneStatus;
  detail: string; // the A record, or the DNS error's code
}

const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA']);

// RFC 5782 2.3: the list's answer, from its A records.
export function classifyAnswer(records: string[]): { status: ZoneStatus; detail: string } {
  const refused = records.find((a) => a.startsWith('127.255.255.'));
  if (refused) return { status: 'refused', detail: refused };
  const listed = records.find((a) => a.startsWith('127.'));
  if (listed) return { status: 'listed', detail: listed };
  return { status: 'error', detail: records.length ? `answer outside 127.0.0.0/8: ${records[0]}` : 'empty answer' };
}

export async function queryZone(resolve: DnsResolve, ip: string, zone: string): Promise<ZoneAnswer> {
  const rev = reverseAddress(ip);
  if (!rev) return { zone, status: 'error', detail: `not an IP address: ${ip}` };
  try {
    const records = (await resolve(`${rev.labels}.${zone}`, 'A')) as string[];
    return { zone, ...classifyAnswer(records) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    return NOT_FOUND.has(code) ? { zone, status: 'clear', detail: code } : { zone, status: 'error', detail: code };
  }
}
