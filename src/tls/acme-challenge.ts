// HTTP-01 challenge answers (RFC 8555 8.3) on the plain HTTP listener: GET
// /.well-known/acme-challenge/<token> is answered with the key authorization of a challenge the
// ACME client (acme.ts) is waiting on; every other request goes to the next handler (the redirect
// to HTTPS). Unknown tokens get 404, so nothing else is served without TLS.
import type { RequestListener } from 'node:http';

const PATH = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]{1,256})$/;

export function acmeChallenge(answer: (token: string) => string | undefined, next: RequestListener): RequestListener {
  return (req, res) => {
    const m = PATH.exec(req.url ?? '');
    if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return next(req, res);
    const keyAuthorization = answer(m[1]);
    const body = keyAuthorization ?? 'no such challenge\n';
    res.writeHead(keyAuthorization ? 200 : 404, {
      'Content-Type': keyAuthorization ? 'application/octet-stream' : 'text/plain',
      'Content-Length': Buffer.byteLength(body),
      'Cache-Control': 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
