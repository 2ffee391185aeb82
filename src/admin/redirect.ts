// The plain HTTP port only sends browsers to the HTTPS one (RFC 9110 15.4.9: 308 keeps the method
// and body), under the host name they asked for, so that nothing, not even the login form, is
// served without TLS.
import type { IncomingMessage, RequestListener } from 'node:http';

// A Host header (RFC 9110 7.2): a name, an IPv4 address or a bracketed IPv6 address, then a port.
const HOST = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/;

export function hostName(req: IncomingMessage): string | null {
  const m = HOST.exec(req.headers.host ?? '');
  return m ? m[1] : null;
}

export function redirectToHttps(o: { httpsPort: number; fallbackHost: string }): RequestListener {
  const port = o.httpsPort === 443 ? '' : `:${o.httpsPort}`;
  return (req, res) => {
    const host = hostName(req) ?? o.fallbackHost;
    // Origin-form targets only (RFC 9112 3.2.1); anything else goes to the start page.
    const target = req.url?.startsWith('/') ? req.url : '/';
    res.writeHead(308, { Location: `https://${host}${port}${target}`, 'Content-Length': '0', 'Cache-Control': 'no-store' });
    res.end();
  };
}
