// CIDR blocks for the trusted-network list (RFC 4632 for IPv4, RFC 4291 2.3 for IPv6 prefixes).
// An IPv4-mapped IPv6 client (::ffff:192.0.2.1) matches IPv4 blocks.
import { isIPv4, isIPv6 } from 'node:net';

export interface Cidr {
  text: string;
  bytes: Buffer; // 4 or 16
  bits: number;
}

function ipv6Bytes(ip: string): Buffer | null {
  let text = ip;
  const tail: number[] = [];
  const v4 = /:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    if (!isIPv4(v4[1])) return null;
    tail.push(...v4[1].split('.').map(Number));
    text = `${text.slice(0, -v4[1].length)}0:0`;
  }
  const [head, rest] = text.split('::');
  const words = (s: string | undefined) => (s ? s.split(':') : []);
  const h = words(head);
  const t = words(rest);
  const all = text.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  if (all.length !== 8) return null;
  const b = Buffer.alloc(16);
  all.forEach((w, i) => {
    b.writeUInt16BE(parseInt(w, 16), i * 2);
  });
  if (tail.length) Buffer.from(tail).copy(b, 12);
  return b;
}

export function ipBytes(ip: string): Buffer | null {
  if (isIPv4(ip)) return Buffer.from(ip.split('.').map(Number));
  if (!isIPv6(ip)) return null;
  const b = ipv6Bytes(ip);
  // IPv4-mapped (RFC 4291 2.5.5.2): compare as IPv4.
  if (b?.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff) return b.subarray(12);
  return b;
}

export function parseCidr(text: string): Cidr | null {
  const [ip, bitsText] = text.trim().split('/');
  const bytes = isIPv4(ip) ? Buffer.from(ip.split('.').map(Number)) : isIPv6(ip) ? ipv6Bytes(ip) : null;
  if (!bytes) return null;
  const max = bytes.length * 8;
  const bits = bitsText === undefined ? max : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > max || (bitsText !== undefined && !/^\d+$/.test(bitsText))) return null;
  return { text: text.trim(), bytes, bits };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const b = ipBytes(ip);
  if (!b || b.length !== cidr.bytes.length) return false;
  let bits = cidr.bits;
  for (let i = 0; bits > 0; i++, bits -= 8) {
    const mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
    if ((b[i] & mask) !== (cidr.bytes[i] & mask)) return false;
  }
  return true;
}

export function inNetworks(networks: readonly Cidr[], ip: string): boolean {
  return networks.some((c) => cidrContains(c, ip));
}
