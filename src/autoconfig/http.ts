// The public HTTP side of automatic configuration, on the HTTPS and the plain HTTP port, for any
// client (no login, no LAN rule): what a mail program asks before it has an account.
//   GET  /.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=A   Thunderbird, on the domain
//   GET  /mail/config-v1.1.xml                                         Thunderbird, on autoconfig.<domain>
//   POST /autodiscover/autodiscover.xml                                 Outlook (any case of the path)
// Only domains this server holds get an answer (404 otherwise), and the answer is the same for
// every address of one: it never tells whether an account exists.
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { HttpError } from '../http/errors.ts';
import { readBody } from '../http/body.ts';
import type { Logger } from '../log/log.ts';
import { canonicalIp } from '../net/address.ts';
import type { Store } from '../store/index.ts';
import { domainOf, normalizeMailAddress, normalizeDomain } from '../store/addresses.ts';
import { AUTODISCOVER_MAX_BYTES, autodiscoverXml, requestedAddress } from './autodiscover.ts';
import type { ServerEndpoints } from './endpoints.ts';
import { clientConfigXml } from './thunderbird.ts';

export interface AutoconfigDeps {
  store: Store;
  endpoints(): ServerEndpoints;
  log: Logger;
}

type Kind = 'thunderbird' | 'autodiscover';

const THUNDERBIRD_PATHS = new Set(['/.well-known/autoconfig/mail/config-v1.1.xml', '/mail/config-v1.1.xml']);

// Which answer a path asks for, or null when it is not one of these.
export function autoconfigKind(path: string): Kind | null {
  if (THUNDERBIRD_PATHS.has(path)) return 'thunderbird';
  if (path.toLowerCase() === '/autodiscover/autodiscover.xml') return 'autodiscover';
  return null;
}

// The domain the Host header names, without a port and without the autoconfig./autodiscover.
// label clients put in front of it.
function hostDomain(req: IncomingMessage): string | null {
  const host = (req.headers.host ?? '').replace(/:\d{1,5}$/, '');
  return normalizeDomain(host.replace(/^(?:autoconfig|autodiscover)\./i, ''));
}

function sendText(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': String(Buffer.byteLength(text)),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}

async function answer(d: AutoconfigDeps, kind: Kind, req: IncomingMessage, res: ServerResponse): Promise<{ domain: string | null }> {
  let address: string | null = null;
  let domain: string | null;
  if (kind === 'thunderbird') {
    if (req.method !== 'GET' && req.method !== 'HEAD') throw new HttpError(405, 'method-not-allowed', 'use GET', { headers: { Allow: 'GET, HEAD' } });
    const given = new URL(req.url ?? '/', 'http://host').searchParams.get('emailaddress');
    const normal = given === null ? null : normalizeMailAddress(given);
    domain = given === null ? hostDomain(req) : normal && domainOf(normal);
    if (given !== null && domain === null) throw new HttpError(400, 'bad-request', 'emailaddress is not an email address');
  } else {
    if (req.method !== 'POST') throw new HttpError(405, 'method-not-allowed', 'use POST', { headers: { Allow: 'POST' } });
    address = requestedAddress((await readBody(req, AUTODISCOVER_MAX_BYTES)).toString('utf8'));
    if (address === null) throw new HttpError(400, 'bad-request', 'the request has no EMailAddress');
    domain = domainOf(address);
  }
  if (domain === null || !d.store.domains.isLocal(domain)) throw new HttpError(404, 'not-found', 'no mail domain of this server');
  const xml = kind === 'thunderbird' ? clientConfigXml(domain, d.endpoints()) : autodiscoverXml(address!, d.endpoints());
  const body = Buffer.from(xml);
  res.writeHead(200, { 'Content-Type': 'application/xml; charset=utf-8', 'Content-Length': String(body.length), 'Cache-Control': 'no-cache' });
  res.end(req.method === 'HEAD' ? undefined : body);
  return { domain };
}

// Answers a request for one of these paths (autoconfigKind), whatever happens: bad requests and
// unknown domains get their status with a line of text. One debug log line, with the domain only.
export function serveAutoconfig(d: AutoconfigDeps, kind: Kind, req: IncomingMessage, res: ServerResponse): void {
  const remote = canonicalIp(req.socket.remoteAddress ?? '');
  answer(d, kind, req, res).then(
    ({ domain }) => d.log.debug('autoconfig.request', { kind, domain, status: 200, remote }),
    (e: unknown) => {
      const error = e instanceof HttpError ? e : new HttpError(500, 'internal', 'internal error');
      if (error.status === 500) d.log.error('autoconfig.error', { kind, error: e });
      d.log.debug('autoconfig.request', { kind, status: error.status, remote });
      if (res.headersSent) res.destroy();
      else sendText(res, error.status, `${error.message}\n`, { ...error.headers, ...(error.close ? { Connection: 'close' } : {}) });
    },
  );
}

// The plain HTTP port: these paths answered here, everything else left to next (the redirect).
export function withAutoconfig(d: AutoconfigDeps, next: RequestListener): RequestListener {
  return (req, res) => {
    const kind = autoconfigKind((req.url ?? '/').split('?')[0]!);
    if (kind) serveAutoconfig(d, kind, req, res);
    else next(req, res);
  };
}
