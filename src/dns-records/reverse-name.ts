// The DNS name under which an address's reverse (PTR) record lives: in-addr.arpa for IPv4
// (RFC 1035 3.5), nibbles under ip6.arpa for IPv6 (RFC 3596 2.5).
import { isIPv4 } from 'node:net';
import { ipBytes } from '../smtp/cidr.ts';

export function reverseName(ip: string): string | null {
  const bytes = ipBytes(ip);
  if (!bytes) return null;
  if (bytes.length === 4) return `${[...bytes].reverse().join('.')}.in-addr.arpa`;
  const nibbles = [...bytes].flatMap((b) => [b >> 4, b & 15].map((n) => n.toString(16)));
  return `${nibbles.reverse().join('.')}.ip6.arpa`;
}

// Whether two addresses are the same ("2001:db8::1" and "2001:DB8:0::1" alike).
export function sameAddress(a: string, b: string): boolean {
  const x = ipBytes(a);
  const y = ipBytes(b);
  return x !== null && y !== null && x.equals(y);
}

export function addressFamily(ip: string): 'A' | 'AAAA' {
  return isIPv4(ip) ? 'A' : 'AAAA';
}
