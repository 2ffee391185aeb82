// dns.publicAddresses: the device's public addresses, which homepost cannot see from inside a
// home network (the router's address is the one the internet knows). When set, the expected
// A/AAAA and reverse (PTR) records carry them; unset, the record check only reports what DNS holds.
import { isIP } from 'node:net';
import { inNetworks, parseCidr, type Cidr } from '../smtp/cidr.ts';
import { list } from '../settings/define.ts';

// Addresses that never reach this device from the internet (RFC 1918, RFC 6598 shared address
// space, loopback, link-local, RFC 4193 unique local): a home network's own address typed by mistake.
const NOT_PUBLIC: Cidr[] = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '::/127',
  'fe80::/10',
  'fc00::/7',
].map((c) => parseCidr(c)!);

function publicAddress(s: string): string | undefined {
  const ip = s.trim();
  return isIP(ip) && !inNetworks(NOT_PUBLIC, ip) ? ip.toLowerCase() : undefined;
}

export const DNS_PUBLIC_ADDRESSES = list({
  key: 'dns.publicAddresses',
  default: [],
  defaultText: 'unknown',
  rule: 'a list of public IPv4 or IPv6 addresses (not 192.168.x.x, 10.x.x.x and other home-network ones)',
  item: publicAddress,
  description:
    "this device's addresses as the internet sees them (the router's); the DNS records step checks the host name's A/AAAA and reverse DNS against them",
});
