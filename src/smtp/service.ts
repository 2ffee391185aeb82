// The SMTP service of `homepost serve`: three smtp-server listeners sharing one connection
// tracker (limits in total and per address) and the TLS manager's certificate:
// - smtp (MX, 25): inbound mail; STARTTLS offered, never AUTH (docs/architecture.md, "Security model");
// - submission (587): STARTTLS, then AUTH PLAIN/LOGIN, then mail (RFC 6409, RFC 3207, RFC 4954);
// - submissions (465): implicit TLS (RFC 8314 3.3) through src/net's listener, then AUTH.
// A certificate reload reaches new connections and STARTTLS upgrades (updateSecureContext; the
// src/net listener takes the current context for each connection); open sessions keep theirs.
import type { SMTPServerOptions } from 'smtp-server';
import type { Listener as NetListener } from '../net/listener.ts';
import { ConnectionTracker, listen, type ConnectionLimits } from '../net/listener.ts';
import type { ServiceContext, ServiceStarter } from '../serve/context.ts';
import { TLS_POLICY } from '../tls/manager.ts';
import { HomepostSmtpServer } from './connection.ts';
import { systemResolver, type DnsResolve } from './dns.ts';
import type { Listener } from './policy/types.ts';
import { REPLIES } from './reply.ts';
import { SessionHandlers } from './session.ts';
import { readSmtpSettings, type SmtpSettings } from './settings.ts';

export interface SmtpServiceOptions {
  // DNS for SPF/DKIM/DMARC; default: the system's (or dns.servers) with short timeouts.
  resolve?: DnsResolve;
}

const LISTENERS: [name: 'smtp' | 'submission' | 'submissions', kind: Listener][] = [
  ['smtp', 'mx'],
  ['submission', 'submission'],
  ['submissions', 'submissions'],
];

// Commands smtp-server knows that homepost does not offer (sendmail's WIZ/SHELL/KILL, proxies).
const DISABLED = ['WIZ', 'SHELL', 'KILL', 'XCLIENT', 'XFORWARD'];

export function createSmtpStarter(o: SmtpServiceOptions = {}): ServiceStarter {
  return async (ctx) => {
    const limits: ConnectionLimits = { maxConnections: 100, maxPerAddress: 10 };
    const tracker = new ConnectionTracker(limits);
    let cached: { key: string; resolve: DnsResolve } | null = null;
    const resolve = (s: SmtpSettings): DnsResolve => {
      if (o.resolve) return o.resolve;
      const key = `${s.dnsServers.join(',')}|${s.dnsTimeoutMs}`;
      if (cached?.key !== key) cached = { key, resolve: systemResolver({ servers: s.dnsServers, timeoutMs: s.dnsTimeoutMs }) };
      return cached.resolve;
    };
    const started: NetListener[] = [];
    try {
      for (const [name, kind] of LISTENERS) started.push(await startListener(ctx, name, kind, { tracker, limits, resolve }));
    } catch (e) {
      await Promise.allSettled(started.map((l) => l.close()));
      throw e;
    }
    return started;
  };
}

export const smtpStarter: ServiceStarter = createSmtpStarter();

async function startListener(
  ctx: ServiceContext,
  name: 'smtp' | 'submission' | 'submissions',
  kind: Listener,
  shared: { tracker: ConnectionTracker; limits: ConnectionLimits; resolve: (s: SmtpSettings) => DnsResolve },
): Promise<NetListener> {
  const log = ctx.log.child({ component: 'smtp', listener: name });
  const settings = readSmtpSettings(ctx.store.settings, ctx.options.dev);
  const handlers: SessionHandlers = new SessionHandlers({
    listener: kind,
    store: ctx.store,
    logins: ctx.logins,
    dev: ctx.options.dev,
    get hostname() {
      return ctx.options.hostname;
    },
    resolve: shared.resolve,
    // The implicit TLS listener (src/net) counts its own connections.
    tracker: kind === 'submissions' ? null : shared.tracker,
    limits: shared.limits,
    budget: ctx.budget,
    offload: ctx.offload,
    log,
  });
  const options: SMTPServerOptions = {
    get name() {
      return ctx.options.hostname;
    },
    banner: 'homepost',
    secure: kind === 'submissions', // sessions on 465 start secure; the handshake is done in src/net
    ...ctx.tls.pem,
    ...TLS_POLICY,
    size: settings.maxMessageSize,
    rejectOversized: true, // RFC 1870 6: 552 5.3.4
    maxRecipients: settings.maxRecipients,
    socketTimeout: settings.idleTimeoutMs,
    maxClients: settings.maxConnections,
    closeTimeout: 3000,
    hideENHANCEDSTATUSCODES: false, // RFC 2034
    hideDSN: false, // RFC 3461: NOTIFY, RET, ENVID, ORCPT (esmtp-params.ts, queue/)
    hideREQUIRETLS: true,
    authMethods: ['PLAIN', 'LOGIN'],
    authOptional: kind === 'mx',
    // Plaintext AUTH is refused by SessionHandlers.authAllowed except on loopback in development.
    allowInsecureAuth: ctx.options.dev,
    disabledCommands: kind === 'mx' ? ['AUTH', ...DISABLED] : DISABLED,
    disableReverseLookup: true,
    logger: false,
    onConnect: (session, cb) => handlers.onConnect(session, cb),
    onSecure: (_socket, session, cb) => handlers.onSecure(session, cb),
    onAuth: (auth, session, cb) => handlers.onAuth(auth, session, cb),
    onMailFrom: (address, session, cb) => handlers.onMailFrom(address as never, session, cb),
    onRcptTo: (address, session, cb) => handlers.onRcptTo(address as never, session, cb),
    onData: (stream, session, cb) => handlers.onData(stream, session, cb),
    onClose: (session) => handlers.onClose(session),
  };
  const server = new HomepostSmtpServer(options, {
    authAllowed: (c) => handlers.authAllowed(c),
    maxErrors: () => readSmtpSettings(ctx.store.settings, ctx.options.dev).maxErrors,
    // The server options that follow the settings: SIZE, recipients, idle timeout, clients.
    prepare() {
      if (handlers.closing) return;
      const s = readSmtpSettings(ctx.store.settings, ctx.options.dev);
      server.options.size = s.maxMessageSize;
      server.options.maxRecipients = s.maxRecipients;
      server.options.socketTimeout = s.idleTimeoutMs;
      server.options.maxClients = s.maxConnections;
    },
  });
  server.on('error', (e: Error & { code?: string }) => log.info('smtp.connection_error', { error: e }));
  const offReload = ctx.tls.onReload(() => server.updateSecureContext({ ...ctx.tls.pem }));
  const { host, port } = ctx.options.listen[name];
  if (kind === 'submissions') return implicitTls(ctx, 'submissions', server, handlers, shared.tracker, offReload);
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(port, host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const actual = (server.server.address() as import('node:net').AddressInfo).port;
  log.info('net.listening', { listener: name, host, port: actual, tls: false });
  return {
    name,
    host,
    port: actual,
    // Stops accepting, lets sessions finish (idle ones get 421 after closeTimeout), then waits
    // for store work in flight, so the store can close after this resolves.
    async close() {
      offReload();
      handlers.closing = true;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await handlers.drain();
    },
  };
}

// RFC 8314 3.3 implicit TLS through the shared listener (src/net), which does the handshake with
// the current certificate and the connection limits, then hands the TLS socket to smtp-server.
// (smtp-server's own implicit TLS crashed Node with SIGSEGV when the server closed right after a
// client left in the middle of a handshake.)
async function implicitTls(
  ctx: ServiceContext,
  name: 'submissions',
  server: HomepostSmtpServer,
  handlers: SessionHandlers,
  tracker: ConnectionTracker,
  offReload: () => void,
): Promise<NetListener> {
  const { host, port } = ctx.options.listen[name];
  const listener = await listen({
    name,
    host,
    port,
    tls: ctx.tls,
    tracker,
    log: ctx.log.child({ component: 'smtp' }),
    onSession(socket) {
      const connection = server.connect(socket);
      return { shutdown: () => connection.send(REPLIES.shuttingDown.code, `${REPLIES.shuttingDown.enhanced} ${REPLIES.shuttingDown.text}`) };
    },
    // Before the handshake nothing readable can be said; the connection is just closed.
    refuse() {},
  });
  return {
    name,
    host,
    port: listener.port,
    async close() {
      offReload();
      handlers.closing = true;
      server.close();
      await listener.close();
      await handlers.drain();
    },
  };
}
