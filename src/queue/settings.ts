// Outbound delivery settings kept in the store, declared in OUTBOUND_SETTINGS (smarthost and the
// like change through `homepost config set` or the setup page). Read at each delivery round, so a
// change applies to the next attempt without a restart. A relay (the smarthost, or a route's) is
// { host, port?, security: 'tls' | 'starttls' | 'none', user?, password?, verifyCertificate? };
// port defaults to 465 (tls), 587 (starttls), 25 (none). Its password is stored readable (AUTH
// needs it) and is never logged or shown.
import { isIP } from 'node:net';
import { normalizeDomain } from '../store/addresses.ts';
import { boolean, duration, integer, readSetting, structured, text, type SettingDef, type SettingsSource } from '../settings/define.ts';

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

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

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

const MIN_DURATION = 100;

// The settings the outbound queue reads (src/api/registry.ts lists every setting).
export const OUTBOUND_SETTINGS = {
  port: integer({ key: 'outbound.port', default: 25, min: 1, max: 65535, description: 'TCP port of MX hosts (tests use an unprivileged one)' }),
  heloName: text({
    key: 'outbound.heloName',
    default: null,
    defaultText: "the server's host name",
    rule: 'a host name',
    test: (v) => HOSTNAME.test(v),
    description: 'the name sent in EHLO; it should match the reverse DNS of the public address',
  }),
  smarthost: structured<Relay | null>({
    key: 'outbound.smarthost',
    default: null,
    rule: 'null (direct delivery) or a relay {host, port, security: tls|starttls|none, user, password}',
    parse: (v) => (v === null ? null : parseRelay(v)),
    show: (r) => r && { ...r, password: r.password === null ? null : '(set)' },
    // The setup page and the CLI leave the password out to keep it (it is never shown back).
    carry: (old, next) =>
      old && typeof next === 'object' && next !== null && !('password' in next) && (next as Partial<Relay>).user === old.user
        ? { ...next, password: old.password }
        : next,
    description: "send all mail through this relay (an ISP's, when port 25 is blocked); its password is never shown",
  }),
  routes: structured<Record<string, Route>>({
    key: 'outbound.routes',
    default: {},
    rule: 'an object of domain: "direct", "smarthost" or a relay; a domain covers its subdomains without their own route',
    parse: parseRoutes,
    description: 'per destination domain: direct delivery, the smarthost, or another relay',
  }),
  retrySchedule: structured<number[]>({
    key: 'outbound.retrySchedule',
    default: [5 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 4 * HOUR],
    rule: 'a list of delays in ms (the last one repeats)',
    parse: (v) => {
      if (!Array.isArray(v) || v.length === 0 || !v.every((x) => Number.isSafeInteger(x) && x >= MIN_DURATION))
        throw new Error(`each at least ${MIN_DURATION}`);
      return v as number[];
    },
    description: 'delays after each failed attempt; the last one repeats',
  }),
  lifetimeMs: duration({
    key: 'outbound.lifetimeMs',
    default: 5 * 24 * HOUR,
    min: MIN_DURATION,
    max: 30 * 24 * HOUR,
    description: 'a recipient still failing temporarily after this long bounces',
  }),
  delayNoticeMs: duration({
    key: 'outbound.delayNoticeMs',
    default: 4 * HOUR,
    min: 0,
    max: 30 * 24 * HOUR,
    description: 'a delay notice to the sender once a recipient waited this long; 0: none',
  }),
  concurrencyPerDomain: integer({ key: 'outbound.concurrencyPerDomain', default: 4, min: 1, max: 100, description: 'connections at once to one destination' }),
  maxConnections: integer({ key: 'outbound.maxConnections', default: 20, min: 1, max: 1000, description: 'outbound connections at once in total' }),
  maxRecipients: integer({ key: 'outbound.maxRecipients', default: 100, min: 1, max: 10_000, description: 'recipients per transaction (RFC 5321 4.5.3.1.8)' }),
  connectTimeoutMs: duration({
    key: 'outbound.connectTimeoutMs',
    default: 30_000,
    min: MIN_DURATION,
    max: 10 * MINUTE,
    description: 'TCP connect, per address',
  }),
  timeoutMs: duration({
    key: 'outbound.timeoutMs',
    default: 5 * MINUTE,
    min: MIN_DURATION,
    max: HOUR,
    description: 'silence of a peer mid-transaction (RFC 5321 4.5.3.2)',
  }),
  idleMs: duration({
    key: 'outbound.idleMs',
    default: 5000,
    min: 0,
    max: 10 * MINUTE,
    description: 'an idle connection is kept this long for the next message',
  }),
  shutdownGraceMs: duration({
    key: 'outbound.shutdownGraceMs',
    default: 10_000,
    min: 0,
    max: 10 * MINUTE,
    description: 'at shutdown, how long a message whose data was sent may wait for its reply',
  }),
  srs: boolean({ key: 'outbound.srs', default: true, description: 'rewrite the sender of forwarded mail from other domains (SRS), so SPF passes' }),
  dkim: boolean({ key: 'outbound.dkim', default: true, description: 'sign mail from our domains with their DKIM keys' }),
} as const satisfies { [K in keyof OutboundSettings]: SettingDef<unknown> };

export const OUTBOUND_SETTING_KEYS = Object.fromEntries(Object.entries(OUTBOUND_SETTINGS).map(([k, d]) => [k, d.key])) as {
  [K in keyof OutboundSettings]: string;
};

// The SRS key (srs.ts), made on first use.
export const SRS_SECRET = text({
  key: 'outbound.srsSecret',
  default: null,
  rule: 'a base64 key',
  test: (v) => /^[A-Za-z0-9+/]{40,}={0,2}$/.test(v),
  internal: true,
  secret: true,
  description: 'the key of SRS addresses (generated on first use)',
});

function parseRoutes(v: unknown): Record<string, Route> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new RelayError('not an object of domain: route');
  const routes: Record<string, Route> = {};
  for (const [domain, value] of Object.entries(v)) {
    const d = normalizeDomain(domain);
    if (!d) throw new RelayError(`not a domain: ${domain}`);
    try {
      routes[d] = parseRoute(value);
    } catch (e) {
      throw new RelayError(`${domain}: ${(e as Error).message}`);
    }
  }
  return routes;
}

export interface ReadOptions {
  hostname: string;
  // Told about a setting that is present but unusable (its default applies).
  invalid?: (key: string, reason: string) => void;
}

export function readOutboundSettings(source: SettingsSource, o: ReadOptions): OutboundSettings {
  const d = OUTBOUND_SETTINGS;
  const read = <T>(def: SettingDef<T>) => readSetting(source, def, o.invalid);
  return {
    port: read(d.port),
    heloName: read(d.heloName) ?? o.hostname,
    smarthost: read(d.smarthost),
    routes: read(d.routes),
    retrySchedule: read(d.retrySchedule),
    lifetimeMs: read(d.lifetimeMs),
    delayNoticeMs: read(d.delayNoticeMs),
    concurrencyPerDomain: read(d.concurrencyPerDomain),
    maxConnections: read(d.maxConnections),
    maxRecipients: read(d.maxRecipients),
    connectTimeoutMs: read(d.connectTimeoutMs),
    timeoutMs: read(d.timeoutMs),
    idleMs: read(d.idleMs),
    shutdownGraceMs: read(d.shutdownGraceMs),
    srs: read(d.srs),
    dkim: read(d.dkim),
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
