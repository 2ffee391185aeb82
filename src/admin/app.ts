// Every HTTPS request of the setup page: the headers every answer carries, mail clients' automatic
// configuration (src/autoconfig, for anyone), the LAN-only rule (lan.ts), the same-origin check,
// then the API (api.ts) or the page's files (assets.ts); one debug log line per request.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { autoconfigKind, serveAutoconfig, type AutoconfigDeps } from '../autoconfig/http.ts';
import type { Logger } from '../log/log.ts';
import { canonicalIp } from '../net/address.ts';
import { handleApi, type ApiDeps } from './api.ts';
import type { AssetTable } from './assets.ts';
import { HttpError, sendError } from '../http/errors.ts';
import { adminReachable, refuseOutsideLan } from '../http/lan.ts';

export interface AppDeps extends ApiDeps {
  assets(): Promise<AssetTable>;
  autoconfig: AutoconfigDeps;
  log: Logger;
}

const SECURITY_HEADERS: Record<string, string> = {
  // The page loads its own script and style only, and no one may frame it (clickjacking).
  'Content-Security-Policy': "default-src 'self'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

// A browser names the page a request comes from (RFC 6454 7); a page of another origin (even
// with the admin's cookie withheld by SameSite) is refused before anything is read.
function sameOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  return origin === undefined || origin.toLowerCase() === `https://${(req.headers.host ?? '').toLowerCase()}`;
}

export function adminApp(d: AppDeps): RequestListener {
  return (req, res) => {
    const started = Date.now();
    const remote = canonicalIp(req.socket.remoteAddress ?? '');
    // Only the path: a query string is not logged.
    const path = (req.url ?? '/').split('?')[0];
    const gone = new AbortController();
    res.once('close', () => {
      if (!res.writableFinished) gone.abort();
      d.log.debug('admin.request', { method: req.method, path: path.slice(0, 200), status: res.statusCode, ms: Date.now() - started, remote });
    });
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.setHeader(k, v);
    const kind = autoconfigKind(path);
    if (kind) return serveAutoconfig(d.autoconfig, kind, req, res);
    if (!adminReachable(d.api.store.settings, remote)) return refuseOutsideLan(res);
    const work = async () => {
      if (!sameOrigin(req)) throw new HttpError(403, 'cross-origin', 'requests from another origin are refused');
      if (path.startsWith('/api/')) {
        res.setHeader('Cache-Control', 'no-store');
        await handleApi(d, path, req, res, remote, gone.signal);
      } else {
        await serveAsset(d, path, req, res);
      }
    };
    work().catch((e: unknown) => {
      const error = e instanceof HttpError ? e : new HttpError(500, 'internal', 'internal error (details in the homepost log)');
      if (error.status === 500) d.log.error('admin.error', { path: path.slice(0, 200), error: e });
      if (res.headersSent) res.destroy();
      else sendError(res, error);
    });
  };
}

async function serveAsset(d: AppDeps, path: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method-not-allowed', 'use GET', { headers: { Allow: 'GET, HEAD' } });
  const table = await d.assets();
  const a = table.get(path === '/' ? '/index.html' : path);
  if (!a) throw new HttpError(404, 'not-found', 'no such page');
  // The files change only with a new version: revalidated (RFC 9111 5.2.2.4), then 304.
  const headers = { ETag: a.etag, 'Cache-Control': 'no-cache' };
  if (req.headers['if-none-match'] === a.etag) {
    res.writeHead(304, headers).end();
    return;
  }
  res.writeHead(200, { ...headers, 'Content-Type': a.type, 'Content-Length': String(a.body.length) });
  res.end(req.method === 'HEAD' ? undefined : a.body);
}
