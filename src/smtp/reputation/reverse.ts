// The reverse form of an IP address that DNS lists and PTR records are kept under: the octets of
// an IPv4 address in reverse order (RFC 1035 3.5, RFC 5782 2.1), the 32 nibbles of an IPv6
// address in reverse order (RFC 3596 2.5, RFC 5782 2.4). An IPv4-mapped IPv6 client is its IPv4
// address.
import { ipBytes } from '../cidr.ts';

export interface Reversed {
  labels: string; // "2.0.0.127" or "1.0.0...8.b.d.0.1.0.0.2"
  arpa: string; // "in-addr.arpa" or "ip6.arpa"
}

export function reverseAddress(ip: string): Reversed | null {
  const b = ipBytes(ip);
  if (!b) return null;
  if (b.length === 4) return { labels: [...b].reverse().join('.'), arpa: 'in-addr.arpa' };
  const nibbles = [...b].flatMap((x) => [x >> 4, x & 15].map((n) => n.toString(16)));
  return { labels: nibbles.reverse().join('.'), arpa: 'ip6.arpa' };
}
