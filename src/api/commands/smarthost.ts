// `homepost smarthost show|set|off|test`: sending all outbound mail through a relay (an internet
// provider's, when port 25 is blocked) instead of directly to each domain's MX hosts. The relay is
// the setting outbound.smarthost (src/queue/settings.ts), validated by the settings registry
// like `homepost config set`; its password is never shown or returned. `test` sends one message
// at once, outside the queue, the way mail to that address would leave (src/queue/probe.ts).
import os from 'node:os';
import { serverHostname } from '../../settings/hostname.ts';
import { systemResolver } from '../../smtp/dns.ts';
import { LAST_PROBE, sendTestMessage, type ProbeReport } from '../../queue/probe.ts';
import { routeOf } from '../../queue/route.ts';
import { describeRelay, OUTBOUND_SETTINGS, readOutboundSettings, type Relay, type RelaySecurity } from '../../queue/settings.ts';
import { readSmtpSettings } from '../../smtp/settings.ts';
import { normalizeMailAddress } from '../../store/addresses.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, method, noParams, optStr, str, type ApiContext, type Params } from '../method.ts';
import { writeSetting } from '../settings.ts';

export interface SmarthostView {
  // null: direct delivery to each domain's MX hosts.
  relay: (Omit<Relay, 'password'> & { passwordSet: boolean }) | null;
  text: string;
}

const DEF = OUTBOUND_SETTINGS.smarthost;

function hostname(ctx: ApiContext): string {
  return ctx.daemon?.options.hostname ?? serverHostname(ctx.store.settings, os.hostname());
}

function outbound(ctx: ApiContext) {
  return readOutboundSettings(ctx.store.settings, { hostname: hostname(ctx) });
}

function view(ctx: ApiContext): SmarthostView {
  const r = outbound(ctx).smarthost;
  if (!r) return { relay: null, text: 'direct delivery to the mail hosts of each domain' };
  const { password, ...shown } = r;
  return { relay: { ...shown, passwordSet: password !== null }, text: describeRelay(r) };
}

const show = method({
  offline: true,
  write: false,
  params: noParams,
  run: view,
});

function port(raw: Params): number | undefined {
  const v = raw.port;
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d{1,5}$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 65535) throw new ApiError('bad-request', 'port is a number from 1 to 65535');
  return n;
}

function security(raw: Params): RelaySecurity | undefined {
  const v = raw.security;
  if (v === undefined || v === 'tls' || v === 'starttls' || v === 'none') return v;
  throw new ApiError('bad-request', 'security is tls, starttls or none');
}

// true/false from the page, yes/no as typed.
function verify(raw: Params): boolean | undefined {
  const v = raw.verifyCertificate;
  if (v === undefined || typeof v === 'boolean') return v;
  if (v === 'yes' || v === 'no') return v === 'yes';
  throw new ApiError('bad-request', 'verifyCertificate is yes or no');
}

// The page may leave the password out to keep the stored one (same user): the setting's carry.
const set = method({
  offline: true,
  write: true,
  params: (raw) => ({
    host: str(raw, 'host'),
    port: port(raw),
    security: security(raw),
    user: optStr(raw, 'user'),
    password: optStr(raw, 'password'),
    verifyCertificate: verify(raw),
  }),
  run: async (ctx, p): Promise<SmarthostView> => {
    const { password, ...rest } = p;
    await writeSetting(ctx, DEF, password === undefined ? rest : p);
    return view(ctx);
  },
});

const off = method({
  offline: true,
  write: true,
  params: noParams,
  run: async (ctx): Promise<SmarthostView> => {
    await ctx.store.settings.set(DEF.key, undefined);
    return view(ctx);
  },
});

function address(raw: Params, name: string): string | undefined {
  const v = optStr(raw, name);
  if (v === undefined) return undefined;
  const a = normalizeMailAddress(v);
  if (!a) throw new ApiError('bad-request', `${name}: not a mail address: ${v.slice(0, 100)}`);
  return a;
}

// From: as given; else the relay's user name when it is an address (providers often insist on
// it); else postmaster at the server's name.
const test = method({
  offline: true,
  write: true,
  params: (raw) => ({ to: address(raw, 'to') ?? str(raw, 'to'), from: address(raw, 'from') }),
  run: async (ctx, p): Promise<ProbeReport> => {
    const settings = outbound(ctx);
    const dest = routeOf(p.to, settings, (d) => ctx.store.domains.isLocal(d));
    if (dest.kind === 'local') throw new ApiError('invalid', `${p.to} is at a domain of this server, so it would not leave it: give an address elsewhere`);
    const user = settings.smarthost?.user;
    const from = p.from ?? (user && normalizeMailAddress(user)) ?? `postmaster@${settings.heloName}`;
    const smtp = readSmtpSettings(ctx.store.settings, ctx.daemon?.options.dev ?? false);
    const resolve = systemResolver({ servers: smtp.dnsServers, timeoutMs: smtp.dnsTimeoutMs });
    const r = await sendTestMessage(dest, { store: ctx.store, settings, resolve, from, to: p.to });
    const result = r.ok || !r.error ? (r.reply ? `${r.reply.code} ${r.reply.status} ${r.reply.text}` : 'accepted') : r.error;
    await ctx.store.settings.set(LAST_PROBE.key, { at: Date.now(), ok: r.ok, relay: settings.smarthost && describeRelay(settings.smarthost), result });
    ctx.log.info('smarthost.test', {
      to: r.to,
      via: r.via,
      host: r.host,
      ok: r.ok,
      stage: r.stage,
      reply: r.reply && `${r.reply.code} ${r.reply.status} ${r.reply.text}`,
      error: r.error,
      ms: r.ms,
    });
    return r;
  },
});

function describe(v: SmarthostView): string {
  if (!v.relay) return `outbound mail: ${v.text}\n`;
  const r = v.relay;
  return [
    `outbound mail through ${v.text}`,
    `  login              ${r.user ? `${r.user}, password ${r.passwordSet ? 'set' : 'missing'}` : 'none'}`,
    `  certificate check  ${r.security === 'none' ? 'no TLS' : r.verifyCertificate ? 'yes' : 'no (not verified)'}`,
    '',
  ].join('\n');
}

function reported(r: ProbeReport): string {
  const reply = r.reply ? `${r.reply.code} ${r.reply.status} ${r.reply.text}` : null;
  const lines = r.ok
    ? [`sent: ${r.host} accepted the test message from ${r.from} to ${r.to}`, `  reply  ${reply}`]
    : [`failed (${r.stage}): ${r.error}`, ...(reply ? [`  reply  ${reply}`] : [])];
  return [...lines, `  via    ${r.via}`, `  took   ${(r.ms / 1000).toFixed(1)} s`, ''].join('\n');
}

export const smarthostGroup: CommandGroup = {
  name: 'smarthost',
  summary: 'send outbound mail through a relay (an internet provider blocking port 25)',
  entries: [
    entry('show', show, { summary: 'show the relay outbound mail goes through (never its password)', text: describe }),
    entry('set', set, {
      summary: 'send all outbound mail through this relay; with --user its password is asked for, or read from stdin',
      args: ['host'],
      options: [
        { flag: '--port', param: 'port', kind: 'string', value: 'N', help: 'default 587 for starttls, 465 for tls, 25 for none' },
        { flag: '--security', param: 'security', kind: 'string', value: 'MODE', help: 'starttls (default), tls (implicit, RFC 8314) or none (no login then)' },
        { flag: '--user', param: 'user', kind: 'string', value: 'NAME', help: 'log in (AUTH) with this name; the password is asked for' },
        { flag: '--verify-certificate', param: 'verifyCertificate', kind: 'string', value: 'yes|no', help: "check the relay's TLS certificate (default yes)" },
      ],
      password: (p) => p.user !== undefined,
      text: describe,
    }),
    entry('off', off, { summary: 'deliver outbound mail directly to the mail hosts of each domain', text: describe }),
    entry('test', test, {
      summary: 'send a test message to TO now, the way its mail leaves (through the smarthost, or directly), and show the reply',
      args: ['to'],
      options: [
        {
          flag: '--from',
          param: 'from',
          kind: 'string',
          value: 'ADDRESS',
          help: "the sender (default: the relay's user name when it is an address, else postmaster@ the server's name)",
        },
      ],
      text: reported,
      exitCode: (r) => (r.ok ? 0 : 1),
    }),
  ],
};
