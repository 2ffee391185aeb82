// Client addresses as every protocol's limits see them: IPv4 per address, IPv6 per /64 (one
// host, or one home's network, usually has a whole /64 to pick addresses from: counting per
// /128 would let it choose a fresh address for every attempt), and what loopback is.
import net from 'node:net';

// An IP address in the one form limits and logs see per client: "::ffff:192.0.2.1" -> "192.0.2.1".
export function canonicalIp(a: string): string {
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a;
}

// 127.0.0.0/8 and ::1 (also in their IPv4-mapped form): the only clients that may send a password
// in plaintext, and only in development (passwordsAllowed in src/auth/login.ts).
export function isLoopback(ip: string): boolean {
  const a = canonicalIp(ip);
  return a === '::1' || (net.isIPv4(a) && a.startsWith('127.'));
}

// The key limits count a client under: the IPv4 address, or the /64 an IPv6 address is in.
export function clientKey(ip: string): string {
  const a = canonicalIp(ip);
  if (!net.isIPv6(a)) return a;
  return `${expandIPv6(a).slice(0, 4).join(':')}::/64`;
}

// The eight groups of an IPv6 address, as lowercase hex without leading zeros.
function expandIPv6(a: string): string[] {
  const zone = a.indexOf('%');
  const text = zone >= 0 ? a.slice(0, zone) : a;
  const [head, tail] = text.includes('::') ? text.split('::') : [text, null];
  const groups = (s: string | null | undefined) => (s ? s.split(':') : []);
  let front = groups(head);
  let back = groups(tail);
  // An embedded IPv4 tail ("::ffff:1.2.3.4" forms that are not v4-mapped) is two groups.
  const last = (tail === null ? front : back).at(-1);
  if (last?.includes('.')) {
    const [b1, b2, b3, b4] = last.split('.').map(Number);
    const v4 = [((b1! << 8) | b2!).toString(16), ((b3! << 8) | b4!).toString(16)];
    if (tail === null) front = [...front.slice(0, -1), ...v4];
    else back = [...back.slice(0, -1), ...v4];
  }
  const fill = tail === null ? [] : Array<string>(8 - front.length - back.length).fill('0');
  return [...front, ...fill, ...back].map((g) => parseInt(g, 16).toString(16));
}
