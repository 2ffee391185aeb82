// The plain HTTP port only sends browsers to the HTTPS one (RFC 9110 15.4.9: 308 keeps the method
// and body), so that nothing, not even the login form, is served without TLS. The target names
// this device, never whatever a Host header says.
import type { RequestListener } from 'node:http';
import net from 'node:net';
import os from 'node:os';

// A Host header (RFC 9110 7.2): a name, an IPv4 address or a bracketed IPv6 address, then a port.
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

// The host for the Location: the client's Host when it names the configured host name or one of
// this machine's own addresses (someone who typed the LAN address stays on it); otherwise the
// configured name. RFC 9110 7.2 leaves Host to the client, so echoing any other value would make
// this an open redirect (RFC 9110 15.4.9, 17.1).
export function redirectHost(header: string | undefined, hostname: string): string {
  const m = HOST.exec(header ?? '');
  if (!m) return hostname;
  const host = m[1];
  if (host.toLowerCase() === hostname.toLowerCase()) return hostname;
  const ip = canonicalIp(host.replace(/^\[(.*)\]$/, '$1'));
  if (ip === null || !interfaceAddresses().some((a) => canonicalIp(a) === ip)) return hostname;
  return net.isIPv6(ip) ? `[${ip}]` : ip;
}

// Every address of this machine's interfaces, loopback included.
function interfaceAddresses(): string[] {
  return Object.values(os.networkInterfaces()).flatMap((list) => (list ?? []).map((a) => a.address));
}

// One spelling per address ("0:0::1" and "::1" alike); null for anything that is not an address.
function canonicalIp(text: string): string | null {
  if (net.isIPv4(text)) return text;
  if (!net.isIPv6(text)) return null;
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

export function redirectToHttps(o: { httpsPort: number; hostname: () => string }): RequestListener {
  const port = o.httpsPort === 443 ? '' : `:${o.httpsPort}`;
  return (req, res) => {
    const host = redirectHost(req.headers.host, o.hostname());
    // Origin-form targets only (RFC 9112 3.2.1); anything else goes to the start page.
    const target = req.url?.startsWith('/') ? req.url : '/';
    res.writeHead(308, { Location: `https://${host}${port}${target}`, 'Content-Length': '0', 'Cache-Control': 'no-store' });
    res.end();
  };
}
