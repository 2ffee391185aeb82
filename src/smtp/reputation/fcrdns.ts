// Forward-confirmed reverse DNS of the client ("iprev", RFC 8601 2.7.3; RFC 1912 2.1): the PTR
// names of its address, then the A or AAAA records of each; it passes when one of those names
// leads back to the address. At most MAX_NAMES names are followed, in parallel.
import { ipBytes } from '../cidr.ts';
import type { DnsResolve } from '../dns.ts';
import { reverseAddress } from './reverse.ts';

export interface Fcrdns {
  // pass: a confirmed name; fail: names, none leading back; none: no PTR record;
  // temperror: DNS did not answer (RFC 8601 2.7.3's result names).
  result: 'pass' | 'fail' | 'none' | 'temperror';
  name: string | null;
}

const MAX_NAMES = 5; // as RFC 7208 4.6.4 bounds the names a "ptr" mechanism follows (there, 10)
const NOT_FOUND = new Set(['ENOTFOUND', 'ENODATA']);

export async function forwardConfirmed(resolve: DnsResolve, ip: string): Promise<Fcrdns> {
  const rev = reverseAddress(ip);
  const bytes = ipBytes(ip);
  if (!rev || !bytes) return { result: 'none', name: null };
  const type = bytes.length === 4 ? 'A' : 'AAAA';
  let names: string[];
  try {
    names = ((await resolve(`${rev.labels}.${rev.arpa}`, 'PTR')) as string[]).slice(0, MAX_NAMES);
  } catch (e) {
    return { result: NOT_FOUND.has((e as NodeJS.ErrnoException).code ?? '') ? 'none' : 'temperror', name: null };
  }
  if (names.length === 0) return { result: 'none', name: null };
  let failed = false;
  const forward = await Promise.all(
    names.map(async (name) => {
      try {
        return { name, addresses: (await resolve(name, type)) as string[] };
      } catch (e) {
        if (!NOT_FOUND.has((e as NodeJS.ErrnoException).code ?? '')) failed = true;
        return { name, addresses: [] };
      }
    }),
  );
  const confirmed = forward.find((f) => f.addresses.some((a) => ipBytes(a)?.equals(bytes)));
  if (confirmed) return { result: 'pass', name: confirmed.name };
  return { result: failed ? 'temperror' : 'fail', name: names[0]! };
}
