// SMTP settings kept in the store (relay rules and limits change through the API the
// CLI and the setup page share). Read at each new connection, so a change applies to the next
// session without a restart. SMTP_SETTINGS declares each one.
import { isIP } from 'node:net';
import { MAX_MESSAGE_SIZE } from '../memory/message-size.ts';
import { boolean, choice, duration, integer, list, readSetting, type SettingDef, type SettingsSource as Source } from '../settings/define.ts';
import { normalizeDomain } from '../store/addresses.ts';
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
  junkDmarcQuarantine: boolean; // mark mail failing DMARC whose policy is p=quarantine for Junk
  junkSpfFail: boolean; // mark mail whose SPF fails (-all) without aligned DKIM for Junk
  dnsblZones: string[]; // DNS blocklists for the client address (RFC 5782)
  dnsAllowlistZones: string[]; // DNS allowlists: a client listed there skips the blocklists
  fcrdns: boolean; // forward-confirmed reverse DNS of the client adds to the junk score
  heloChecks: boolean; // a suspicious HELO adds to the junk score
  greylist: boolean; // first attempts from the internet get 451 4.7.1 (policy/rcpt.greylist.ts)
  greylistDelayMs: number; // a retry passes the greylist from this long after the first attempt
  ownDomainSpoofing: 'reject' | 'off'; // mail from outside claiming our domains without SPF/DKIM
  quotaReply: 'temporary' | 'permanent'; // over quota: 452 4.2.2 or 552 5.2.2
  dnsServers: string[]; // resolvers for SPF/DKIM/DMARC ("ip" or "ip:port"); empty: the system's
  dnsTimeoutMs: number; // per DNS query
}

export const DEFAULT_RELAY_RULES = ['authenticated', 'trusted-network', 'local-recipient', 'deny'];
// The names of src/smtpserver/policy's RCPT rules (the policy imports this file's types, not the reverse).
export const RELAY_RULE_NAMES = ['authenticated', 'trusted-network', 'local-recipient', 'deny'];

// "ip" or "ip:port" ("[v6]:port").
function dnsServer(s: string): string | undefined {
  const m = /^\[([0-9a-f:.]+)\](?::(\d{1,5}))?$|^([0-9.]+)(?::(\d{1,5}))?$|^([0-9a-f:]+)$/i.exec(s.trim());
  const ip = m && (m[1] ?? m[3] ?? m[5]);
  const port = m && Number(m[2] ?? m[4] ?? 53);
  return ip && isIP(ip) && port! >= 1 && port! <= 65535 ? s.trim() : undefined;
}

// The settings SMTP reads (src/api/registry.ts lists every setting).
export const SMTP_SETTINGS = {
  maxMessageSize: MAX_MESSAGE_SIZE,
  maxRecipients: integer({
    key: 'smtp.maxRecipients',
    default: 100,
    min: 1,
    max: 10_000,
    description: 'recipients per message (RFC 5321 4.5.3.1.8 asks for at least 100)',
  }),
  maxConnections: integer({ key: 'smtp.maxConnections', default: 100, min: 1, max: 10_000, description: 'SMTP connections at once, every SMTP port together' }),
  maxConnectionsPerAddress: integer({
    key: 'smtp.maxConnectionsPerAddress',
    default: 10,
    min: 1,
    max: 10_000,
    description: 'SMTP connections at once from one client address (trusted networks are exempt)',
  }),
  idleTimeoutMs: duration({
    key: 'smtp.idleTimeoutMs',
    default: 5 * 60_000,
    min: 100,
    max: 3_600_000,
    description: 'how long a client may stay silent while it owes a command (RFC 5321 4.5.3.2.7)',
  }),
  commandTimeoutMs: duration({
    key: 'smtp.commandTimeoutMs',
    default: 30_000,
    min: 100,
    max: 600_000,
    description: 'deadline of each relay rule and inbound check',
  }),
  maxErrors: integer({ key: 'smtp.maxErrors', default: 20, min: 1, max: 1000, description: 'error replies before the session ends with 421' }),
  trustedNetworks: list({
    key: 'smtp.trustedNetworks',
    default: [],
    defaultText: 'none (loopback with --dev)',
    rule: 'a list of networks like 192.168.1.0/24, 2001:db8::/32 or single addresses',
    item: (s) => parseCidr(s)?.text,
    description: 'networks that may send mail to other domains without logging in (Postfix mynetworks)',
  }),
  relayRules: list({
    key: 'smtp.relayRules',
    default: DEFAULT_RELAY_RULES,
    min: 1,
    rule: `a list of the rules ${RELAY_RULE_NAMES.join(', ')}`,
    item: (s) => (RELAY_RULE_NAMES.includes(s) ? s : undefined),
    description: 'the ordered checks each recipient passes (Postfix smtpd_relay_restrictions); the first that decides wins',
  }),
  rejectDmarc: boolean({ key: 'smtp.rejectDmarc', default: false, description: 'refuse mail that fails DMARC when its domain asks for p=reject' }),
  junkDmarcQuarantine: boolean({
    key: 'smtp.junkDmarcQuarantine',
    default: true,
    description: 'file mail that fails DMARC into Junk when its domain asks for p=quarantine',
  }),
  junkSpfFail: boolean({
    key: 'smtp.junkSpfFail',
    default: false,
    description: 'file mail into Junk when SPF fails (the sender domain says -all) and no DKIM signature of the From domain passed',
  }),
  dnsblZones: list({
    key: 'smtp.dnsblZones',
    default: [],
    defaultText: 'none',
    rule: 'a list of DNS zones like zen.spamhaus.org',
    item: (s) => normalizeDomain(s) ?? undefined,
    description:
      'DNS blocklists: mail from an address they list is refused. Most lists answer only queries from your own resolver: through a public one (8.8.8.8, 1.1.1.1) they refuse, and block nothing; the status page says when that happens',
  }),
  dnsAllowlistZones: list({
    key: 'smtp.dnsAllowlistZones',
    default: [],
    defaultText: 'none',
    rule: 'a list of DNS zones like list.dnswl.org',
    item: (s) => normalizeDomain(s) ?? undefined,
    description: 'DNS allowlists: mail from an address they list skips the blocklists and the greylist',
  }),
  fcrdns: boolean({
    key: 'smtp.fcrdns',
    default: true,
    description: "look up whether the sending server's reverse DNS name leads back to its address; when not, the junk score rises (never refused for it)",
  }),
  heloChecks: boolean({
    key: 'smtp.heloChecks',
    default: true,
    description: 'a HELO that is not a full host name, an address other than the sender’s, or our own name raises the junk score (never refused for it)',
  }),
  greylist: boolean({
    key: 'smtp.greylist',
    default: false,
    description:
      'greylisting: the first attempt of each sending network, sender and recipient is told to try again later; real mail servers do, much spam software does not. Delays mail from a new sender by a few minutes',
  }),
  greylistDelayMs: duration({
    key: 'smtp.greylistDelayMs',
    default: 60_000,
    min: 1000,
    max: 3600_000,
    description: 'how long after a first attempt a retry passes the greylist',
  }),
  ownDomainSpoofing: choice({
    key: 'smtp.ownDomainSpoofing',
    default: 'reject',
    values: ['reject', 'off'],
    description: 'refuse mail from outside that claims one of our domains without SPF or DKIM passing',
  }),
  quotaReply: choice({
    key: 'smtp.quotaReply',
    default: 'temporary',
    values: ['temporary', 'permanent'],
    description: 'a full mailbox answers 452 4.2.2 (temporary) or 552 5.2.2 (permanent)',
  }),
  dnsServers: list({
    key: 'dns.servers',
    default: [],
    defaultText: "the system's resolvers",
    rule: 'a list of resolver addresses, "ip" or "ip:port" ("[v6]:port")',
    item: dnsServer,
    description: "DNS resolvers for SPF, DKIM, DMARC, MX and the setup page's record check",
  }),
  dnsTimeoutMs: duration({ key: 'dns.timeoutMs', default: 2000, min: 100, max: 300_000, description: 'deadline of each DNS query' }),
} as const satisfies { [K in keyof SmtpSettings]: SettingDef<unknown> };

export const SMTP_SETTING_KEYS = Object.fromEntries(Object.entries(SMTP_SETTINGS).map(([k, d]) => [k, d.key])) as {
  [K in keyof SmtpSettings]: string;
};

// Development (`--dev`): loopback is trusted unless the setting says otherwise.
const DEV_TRUSTED = ['127.0.0.0/8', '::1/128'];

interface SettingsSource extends Source {
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
  const d = SMTP_SETTINGS;
  const trusted = source.get<unknown>(d.trustedNetworks.key, undefined) === undefined && dev ? DEV_TRUSTED : readSetting(source, d.trustedNetworks);
  return {
    maxMessageSize: readSetting(source, d.maxMessageSize),
    maxRecipients: readSetting(source, d.maxRecipients),
    maxConnections: readSetting(source, d.maxConnections),
    maxConnectionsPerAddress: readSetting(source, d.maxConnectionsPerAddress),
    idleTimeoutMs: readSetting(source, d.idleTimeoutMs),
    commandTimeoutMs: readSetting(source, d.commandTimeoutMs),
    maxErrors: readSetting(source, d.maxErrors),
    trustedNetworks: trusted.flatMap((c) => parseCidr(c) ?? []),
    relayRules: readSetting(source, d.relayRules),
    rejectDmarc: readSetting(source, d.rejectDmarc),
    junkDmarcQuarantine: readSetting(source, d.junkDmarcQuarantine),
    junkSpfFail: readSetting(source, d.junkSpfFail),
    dnsblZones: readSetting(source, d.dnsblZones),
    dnsAllowlistZones: readSetting(source, d.dnsAllowlistZones),
    fcrdns: readSetting(source, d.fcrdns),
    heloChecks: readSetting(source, d.heloChecks),
    greylist: readSetting(source, d.greylist),
    greylistDelayMs: readSetting(source, d.greylistDelayMs),
    ownDomainSpoofing: readSetting(source, d.ownDomainSpoofing),
    quotaReply: readSetting(source, d.quotaReply),
    dnsServers: readSetting(source, d.dnsServers),
    dnsTimeoutMs: readSetting(source, d.dnsTimeoutMs),
  };
}
