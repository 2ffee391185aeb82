// SMTP settings kept in the store (design.md: relay rules and limits change through the API the
// CLI and the setup page share). Read at each new connection, so a change applies to the next
// session without a restart. Every key has a default; SMTP_SETTING_KEYS lists them.
import { MAX_MESSAGE_SIZE_KEY, maxMessageSize } from '../memory/message-size.ts';
import { parseCidr, type Cidr } from './cidr.ts';

export interface SmtpSettings {
  maxMessageSize: number; // RFC 1870 SIZE, bytes
  maxRecipients: number; // per message (RFC 5321 4.5.3.1.8 asks for at least 100)
  maxConnections: number; // all SMTP listeners together
  maxConnectionsPerAddress: number; // per client address; trusted networks are exempt
  idleTimeoutMs: number; // client silent while it owes a command (RFC 5321 4.5.3.2.7: 5 min)
  commandTimeoutMs: number; // deadline of each policy rule and inbound check
  maxErrors: number; // error replies before the session is ended with 421
  trustedNetworks: Cidr[]; // may relay without authentication (Postfix mynetworks)
  relayRules: string[]; // ordered RCPT rules (Postfix smtpd_relay_restrictions)
  rejectDmarc: boolean; // refuse mail failing DMARC whose policy is p=reject
  ownDomainSpoofing: 'reject' | 'off'; // mail from outside claiming our domains without SPF/DKIM
  quotaReply: 'temporary' | 'permanent'; // over quota: 452 4.2.2 or 552 5.2.2
  dnsServers: string[]; // resolvers for SPF/DKIM/DMARC ("ip" or "ip:port"); empty: the system's
  dnsTimeoutMs: number; // per DNS query
}

export const DEFAULT_RELAY_RULES = ['authenticated', 'trusted-network', 'local-recipient', 'deny'];

export const SMTP_SETTING_KEYS = {
  maxMessageSize: MAX_MESSAGE_SIZE_KEY,
  maxRecipients: 'smtp.maxRecipients',
  maxConnections: 'smtp.maxConnections',
  maxConnectionsPerAddress: 'smtp.maxConnectionsPerAddress',
  idleTimeoutMs: 'smtp.idleTimeoutMs',
  commandTimeoutMs: 'smtp.commandTimeoutMs',
  maxErrors: 'smtp.maxErrors',
  trustedNetworks: 'smtp.trustedNetworks',
  relayRules: 'smtp.relayRules',
  rejectDmarc: 'smtp.rejectDmarc',
  ownDomainSpoofing: 'smtp.ownDomainSpoofing',
  quotaReply: 'smtp.quotaReply',
  dnsServers: 'dns.servers',
  dnsTimeoutMs: 'dns.timeoutMs',
} as const satisfies Record<keyof SmtpSettings, string>;

// Development (`--dev`): loopback is trusted unless the setting says otherwise.
const DEV_TRUSTED = ['127.0.0.0/8', '::1/128'];

interface SettingsSource {
  get<T>(key: string, fallback: T): T;
  // The store's count of changes (store/settings.ts); without it nothing is remembered.
  readonly version?: number;
}

// Derived again only after a setting changed: every connection reads them.
const derived = new WeakMap<SettingsSource, { version: number; dev: boolean; value: SmtpSettings }>();

export function readSmtpSettings(source: SettingsSource, dev: boolean): SmtpSettings {
  const hit = derived.get(source);
  if (hit && hit.version === source.version && hit.dev === dev) return hit.value;
  const value = Object.freeze(deriveSmtpSettings(source, dev));
  if (source.version !== undefined) derived.set(source, { version: source.version, dev, value });
  return value;
}

function deriveSmtpSettings(source: SettingsSource, dev: boolean): SmtpSettings {
  const k = SMTP_SETTING_KEYS;
  const num = (key: string, fallback: number) => {
    const v = source.get<unknown>(key, fallback);
    return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : fallback;
  };
  const list = (key: string, fallback: string[]) => {
    const v = source.get<unknown>(key, fallback);
    return Array.isArray(v) && v.every((x) => typeof x === 'string') ? (v as string[]) : fallback;
  };
  return {
    maxMessageSize: maxMessageSize(source),
    maxRecipients: num(k.maxRecipients, 100),
    maxConnections: num(k.maxConnections, 100),
    maxConnectionsPerAddress: num(k.maxConnectionsPerAddress, 10),
    idleTimeoutMs: num(k.idleTimeoutMs, 5 * 60_000),
    commandTimeoutMs: num(k.commandTimeoutMs, 30_000),
    maxErrors: num(k.maxErrors, 20),
    trustedNetworks: list(k.trustedNetworks, dev ? DEV_TRUSTED : []).flatMap((c) => parseCidr(c) ?? []),
    relayRules: list(k.relayRules, DEFAULT_RELAY_RULES),
    rejectDmarc: source.get<unknown>(k.rejectDmarc, false) === true,
    ownDomainSpoofing: source.get<unknown>(k.ownDomainSpoofing, 'reject') === 'off' ? 'off' : 'reject',
    quotaReply: source.get<unknown>(k.quotaReply, 'temporary') === 'permanent' ? 'permanent' : 'temporary',
    dnsServers: list(k.dnsServers, []),
    dnsTimeoutMs: num(k.dnsTimeoutMs, 2000),
  };
}
