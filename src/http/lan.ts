// The LAN-only rule of the setup page (docs/admin.md): its page and API answer only clients of
// the local network unless admin.allowFrom opens them to every address. Mail clients' automatic
// configuration (src/autoconfig) is not behind it: phones on the internet ask for it too.
import net from 'node:net';
import type { RequestListener, ServerResponse } from 'node:http';
import { choice, readSetting, type SettingsSource } from '../settings/define.ts';

export const ADMIN_ALLOW_FROM = choice({
  key: 'admin.allowFrom',
  default: 'lan',
  values: ['lan', 'anywhere'] as const,
  description: 'who reaches the setup page and its API: lan (loopback and private addresses) or anywhere',
});

// Loopback (RFC 1122 3.2.1.3, RFC 4291 2.5.3), private IPv4 (RFC 1918), link-local (RFC 3927,
// RFC 4291 2.5.6) and unique local IPv6 (RFC 4193). BlockList matches IPv4-mapped IPv6 addresses
// (::ffff:192.168.1.2) against the IPv4 ranges and ignores a zone (fe80::1%eth0).
const LAN = new net.BlockList();
for (const [prefix, bits] of [
  ['127.0.0.0', 8],
  ['10.0.0.0', 8],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
  ['169.254.0.0', 16],
] as const) {
  LAN.addSubnet(prefix, bits, 'ipv4');
}
for (const [prefix, bits] of [
  ['::1', 128],
  ['fe80::', 10],
  ['fc00::', 7],
] as const)
  LAN.addSubnet(prefix, bits, 'ipv6');

export function isLanAddress(ip: string): boolean {
  const family = net.isIP(ip.replace(/%.*$/, ''));
  return family !== 0 && LAN.check(ip, family === 4 ? 'ipv4' : 'ipv6');
}

// Whether the setup page answers a client at this address now (the setting applies at once).
export function adminReachable(settings: SettingsSource, remote: string): boolean {
  return readSetting(settings, ADMIN_ALLOW_FROM) === 'anywhere' || isLanAddress(remote);
}

// RFC 9110 15.5.4: understood, and refused.
export function refuseOutsideLan(res: ServerResponse): void {
  const text = 'The setup page answers the local network only (setting admin.allowFrom).\n';
  res.writeHead(403, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': String(Buffer.byteLength(text)), 'Cache-Control': 'no-store' });
  res.end(text);
}

// A handler that only LAN clients reach (the plain HTTP port's redirect); the others get 403.
export function lanOnly(settings: SettingsSource, handler: RequestListener): RequestListener {
  return (req, res) => {
    if (adminReachable(settings, req.socket.remoteAddress ?? '')) handler(req, res);
    else refuseOutsideLan(res);
  };
}
