// Outbound delivery settings kept in the store (design.md: smarthost and the like change through the
// API the CLI and the setup page share). Read at each delivery round, so a change applies to the
// next attempt without a restart. Every key has a default:
//
//   outbound.port                  25      TCP port of MX hosts (tests use an unprivileged one)
//   outbound.heloName              (the server's --hostname)  name sent in EHLO/HELO
//   outbound.smarthost             null    all mail through this relay (ISPs that block port 25):
//                                          { host, port?, security: 'tls' | 'starttls' | 'none',
//                                            user?, password?, verifyCertificate? (true) }
//                                          port defaults to 465 (tls), 587 (starttls), 25 (none).
//                                          The password is stored readable (AUTH needs it) and is
//                                          never logged or shown.
//   outbound.routes                {}      per destination domain: 'direct' (MX even when a
//                                          smarthost is set), 'smarthost', or a relay object as
//                                          above; "example.org" also covers its subdomains unless
//                                          they have their own route
//   outbound.retrySchedule         [5m, 15m, 30m, 1h, 2h, 4h]  delays in ms after each failed
//                                          attempt; the last one repeats
//   outbound.lifetimeMs            5 days  a recipient still failing temporarily then bounces
//   outbound.delayNoticeMs         4 h     a delay DSN once a recipient waited this long; 0: none
//   outbound.concurrencyPerDomain  4       connections at once to one destination
//   outbound.maxConnections        20      outbound connections at once in total
//   outbound.maxRecipients         100     recipients per transaction (RFC 5321 4.5.3.1.8)
//   outbound.connectTimeoutMs      30 s    TCP connect, per address
//   outbound.timeoutMs             5 min   silence of a peer mid-transaction (RFC 5321 4.5.3.2)
//   outbound.idleMs                5 s     an idle connection is kept this long for reuse
//   outbound.shutdownGraceMs       10 s    at shutdown, how long a message whose data was sent
//                                          may wait for its reply before it is abandoned
//   outbound.srs                   true    rewrite foreign senders of forwarded mail (srs.ts)
//   outbound.srsSecret             (generated on first use)  key of the SRS hash
//   outbound.dkim                  true    sign mail from local domains (src/smtp/dkim)
import { isIP } from 'node:net';
import { normalizeDomain } from '../../store/addresses.ts';

export type RelaySecurity = 'tls' | 'starttls' | 'none';

export interface Relay {
  host: string;
  port: number;
  security: RelaySecurity;
  user: string | null;
  password: string | null;
  verifyCertificate: boolean;
}

export type Route = 'direct' | 'smarthost' | Relay;

export interface OutboundSettings {
  port: number;
  heloName: string;
  smarthost: Relay | null;
  routes: Record<string, Route>;
  retrySchedule: number[];
  lifetimeMs: number;
  delayNoticeMs: number;
  concurrencyPerDomain: number;
  maxConnections: number;
  maxRecipients: number;
  connectTimeoutMs: number;
  timeoutMs: number;
  idleMs: number;
  shutdownGraceMs: number;
  srs: boolean;
  dkim: boolean;
}

export const OUTBOUND_SETTING_KEYS = {
  port: 'outbound.port',
  heloName: 'outbound.heloName',
  smarthost: 'outbound.smarthost',
  routes: 'outbound.routes',
  retrySchedule: 'outbound.retrySchedule',
  lifetimeMs: 'outbound.lifetimeMs',
  delayNoticeMs: 'outbound.delayNoticeMs',
  concurrencyPerDomain: 'outbound.concurrencyPerDomain',
  maxConnections: 'outbound.maxConnections',
  maxRecipients: 'outbound.maxRecipients',
  connectTimeoutMs: 'outbound.connectTimeoutMs',
  timeoutMs: 'outbound.timeoutMs',
  idleMs: 'outbound.idleMs',
  shutdownGraceMs: 'outbound.shutdownGraceMs',
  srs: 'outbound.srs',
  dkim: 'outbound.dkim',
} as const satisfies Record<keyof OutboundSettings, string>;

export const SRS_SECRET_KEY = 'outbound.srsSecret';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
export const DEFAULT_RETRY_SCHEDULE = [5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR];

const DEFAULT_PORTS: Record<RelaySecurity, number> = { tls: 465, starttls: 587, none: 25 };
const HOSTNAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

export class RelayError extends Error {}

// A relay as the setup page or the CLI gives it; throws RelayError saying what is wrong.
export function parseRelay(value: unknown): Relay {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new RelayError('a relay is {host, port, security, user, password}');
  const v = value as Record<string, unknown>;
  const host = typeof v.host === 'string' ? v.host.trim() : '';
  if (!host || !(HOSTNAME.test(host) || isIP(host))) throw new RelayError(`not a host name or address: ${String(v.host)}`);
  const security = v.security ?? 'starttls';
  if (security !== 'tls' && security !== 'starttls' && security !== 'none') throw new RelayError('security is tls, starttls or none');
  const port = v.port ?? DEFAULT_PORTS[security];
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) throw new RelayError('port is a number from 1 to 65535');
  const user = v.user === undefined || v.user === null || v.user === '' ? null : v.user;
  const password = v.password === undefined || v.password === null || v.password === '' ? null : v.password;
  if ((user !== null && typeof user !== 'string') || (password !== null && typeof password !== 'string')) throw new RelayError('user and password are strings');
  if ((user === null) !== (password === null)) throw new RelayError('user and password go together');
  // RFC 4954 4 / RFC 8314: credentials only over an encrypted connection.
  if (user !== null && security === 'none') throw new RelayError('AUTH needs security tls or starttls');
  if (v.verifyCertificate !== undefined && typeof v.verifyCertificate !== 'boolean') throw new RelayError('verifyCertificate is true or false');
  return { host, port, security, user, password, verifyCertificate: v.verifyCertificate !== false };
}

function parseRoute(value: unknown): Route {
  if (value === 'direct' || value === 'smarthost') return value;
  return parseRelay(value);
}

interface SettingsSource {
  get<T>(key: string, fallback: T): T;
}

export interface ReadOptions {
  hostname: string;
  // Told about a setting that is present but unusable (its default applies).
  invalid?: (key: string, reason: string) => void;
}

export function readOutboundSettings(source: SettingsSource, o: ReadOptions): OutboundSettings {
  const k = OUTBOUND_SETTING_KEYS;
  const bad = (key: string, reason: string) => o.invalid?.(key, reason);
  const num = (key: string, fallback: number, min = 0) => {
    const v = source.get<unknown>(key, fallback);
    if (typeof v === 'number' && Number.isFinite(v) && v >= min) return v;
    bad(key, 'not a number in range');
    return fallback;
  };
  const bool = (key: string, fallback: boolean) => {
    const v = source.get<unknown>(key, fallback);
    if (typeof v === 'boolean') return v;
    bad(key, 'not true or false');
    return fallback;
  };
  const schedule = source.get<unknown>(k.retrySchedule, DEFAULT_RETRY_SCHEDULE);
  const scheduleOk = Array.isArray(schedule) && schedule.length > 0 && schedule.every((x) => typeof x === 'number' && Number.isFinite(x) && x > 0);
  if (!scheduleOk) bad(k.retrySchedule, 'not a list of positive durations in ms');
  let smarthost: Relay | null = null;
  const sh = source.get<unknown>(k.smarthost, null);
  if (sh !== null) {
    try {
      smarthost = parseRelay(sh);
    } catch (e) {
      bad(k.smarthost, (e as Error).message);
    }
  }
  const routes: Record<string, Route> = {};
  const rawRoutes = source.get<unknown>(k.routes, {});
  if (typeof rawRoutes === 'object' && rawRoutes !== null && !Array.isArray(rawRoutes)) {
    for (const [domain, value] of Object.entries(rawRoutes)) {
      const d = normalizeDomain(domain);
      try {
        if (!d) throw new RelayError(`not a domain: ${domain}`);
        routes[d] = parseRoute(value);
      } catch (e) {
        bad(`${k.routes}.${domain}`, (e as Error).message);
      }
    }
  } else {
    bad(k.routes, 'not an object of domain: route');
  }
  const helo = source.get<unknown>(k.heloName, o.hostname);
  const heloOk = typeof helo === 'string' && HOSTNAME.test(helo);
  if (!heloOk) bad(k.heloName, 'not a host name');
  return {
    port: num(k.port, 25, 1),
    heloName: heloOk ? helo : o.hostname,
    smarthost,
    routes,
    retrySchedule: scheduleOk ? (schedule as number[]) : DEFAULT_RETRY_SCHEDULE,
    lifetimeMs: num(k.lifetimeMs, 5 * 24 * HOUR),
    delayNoticeMs: num(k.delayNoticeMs, 4 * HOUR),
    concurrencyPerDomain: num(k.concurrencyPerDomain, 4, 1),
    maxConnections: num(k.maxConnections, 20, 1),
    maxRecipients: num(k.maxRecipients, 100, 1),
    connectTimeoutMs: num(k.connectTimeoutMs, 30_000, 1),
    timeoutMs: num(k.timeoutMs, 5 * MINUTE, 1),
    idleMs: num(k.idleMs, 5000),
    shutdownGraceMs: num(k.shutdownGraceMs, 10_000),
    srs: bool(k.srs, true),
    dkim: bool(k.dkim, true),
  };
}

// A relay for logs and `homepost status`: never the password.
export function describeRelay(r: Relay): string {
  return `${r.host.includes(':') ? `[${r.host}]` : r.host}:${r.port} (${r.security}${r.user ? `, AUTH as ${r.user}` : ''})`;
}

// When a recipient that just failed temporarily outside the worker (a full mailbox at DATA) is
// tried again: after the first delay of the schedule.
export function firstRetryAt(source: SettingsSource, now = Date.now()): number {
  return now + readOutboundSettings(source, { hostname: 'localhost' }).retrySchedule[0];
}
