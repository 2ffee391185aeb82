// The SMTP service of `homepost serve`: three listeners of src/net (one connection tracker for all
// of them, limits in total and per address, trusted networks exempt from the latter), each
// handing its sockets to smtp-server, which speaks the protocol:
// - smtp (MX, 25): inbound mail; STARTTLS offered, never AUTH (docs/architecture.md, "Security model");
// - submission (587): STARTTLS, then AUTH PLAIN/LOGIN, then mail (RFC 6409, RFC 3207, RFC 4954);
// - submissions (465): implicit TLS (RFC 8314 3.3), the handshake done by src/net, then AUTH.
// A certificate reload reaches new connections and STARTTLS upgrades (updateSecureContext; the
// src/net listener takes the current context for each connection); open sessions keep theirs.
import type net from 'node:net';
import type { SMTPServerOptions } from 'smtp-server';
import { ConnectionTracker, listen, startAll, type Listener, type Refusal } from '../net/listener.ts';
import type { ServiceContext, ServiceStarter } from '../service/context.ts';
import { TLS_POLICY } from '../tls/manager.ts';
import { inNetworks } from '../smtp/cidr.ts';
import { HomepostSmtpServer } from './connection.ts';
import { systemResolver, type DnsResolve } from '../smtp/dns.ts';
import { ReputationCache } from '../smtp/reputation/lookups.ts';
import { noteZoneAnswer } from './reputation.ts';
import type { ListenerKind } from './policy/types.ts';
import { REPLIES, type SmtpReply } from './reply.ts';
import { SessionHandlers } from './session.ts';
import { readSmtpSettings, type SmtpSettings } from '../smtp/settings.ts';

export interface SmtpServiceOptions {
  // DNS for SPF/DKIM/DMARC; default: the system's (or dns.servers) with short timeouts.
  resolve?: DnsResolve;
}

const LISTENERS: [name: 'smtp' | 'submission' | 'submissions', kind: ListenerKind][] = [
  ['smtp', 'mx'],
  ['submission', 'submission'],
  ['submissions', 'submissions'],
];

// Commands smtp-server knows that homepost does not offer (sendmail's WIZ/SHELL/KILL, proxies).
const DISABLED = ['WIZ', 'SHELL', 'KILL', 'XCLIENT', 'XFORWARD'];

// How long a session in the middle of a transaction may go on once the server is closing.
const CLOSE_GRACE_MS = 3000;

export function createSmtpService(o: SmtpServiceOptions = {}): ServiceStarter {
  return async (ctx) => {
    // Limits follow the settings: read at each connection.
    const tracker = new ConnectionTracker(() => {
      const s = readSmtpSettings(ctx.store.settings, ctx.options.dev);
      return {
        maxConnections: s.maxConnections,
        maxPerAddress: s.maxConnectionsPerAddress,
        exempt: (address) => inNetworks(s.trustedNetworks, address),
      };
    });
    let cached: { key: string; resolve: DnsResolve } | null = null;
    const resolve = (s: SmtpSettings): DnsResolve => {
      if (o.resolve) return o.resolve;
      const key = `${s.dnsServers.join(',')}|${s.dnsTimeoutMs}`;
      if (cached?.key !== key) cached = { key, resolve: systemResolver({ servers: s.dnsServers, timeoutMs: s.dnsTimeoutMs }) };
      return cached.resolve;
    };
    const log = ctx.log.child({ component: 'smtp' });
    const reputation = new ReputationCache({ onZoneAnswer: (ip, a) => noteZoneAnswer(ctx.store, log, ip, a) });
    return startAll(
      LISTENERS.map(
        ([name, kind]) =>
          () =>
            startListener(ctx, name, kind, { tracker, resolve, reputation }),
      ),
    );
  };
}

async function startListener(
  ctx: ServiceContext,
  name: 'smtp' | 'submission' | 'submissions',
  kind: ListenerKind,
  shared: { tracker: ConnectionTracker; resolve: (s: SmtpSettings) => DnsResolve; reputation: ReputationCache },
): Promise<Listener> {
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
    reputation: shared.reputation,
    budget: ctx.budget,
    offload: ctx.offload,
    junk: ctx.junk,
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
    // No maxClients: smtp-server never listens here, and connections are counted once, by the
    // tracker in src/net, before a socket reaches it.
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
    // The server options that follow the settings: SIZE, recipients, idle timeout.
    prepare() {
      if (handlers.closing) return;
      const s = readSmtpSettings(ctx.store.settings, ctx.options.dev);
      server.options.size = s.maxMessageSize;
      server.options.maxRecipients = s.maxRecipients;
      server.options.socketTimeout = s.idleTimeoutMs;
    },
  });
  server.on('error', (e: Error & { code?: string }) => log.info('smtp.connection_error', { error: e }));
  const offReload = ctx.tls.onReload(() => server.updateSecureContext({ ...ctx.tls.pem }));
  const listener = await listen({
    name,
    ...ctx.options.listen[name],
    // RFC 8314 3.3: on 465 src/net does the handshake with the current certificate, then hands
    // the TLS socket to smtp-server. (smtp-server's own implicit TLS crashed Node with SIGSEGV
    // when the server closed right after a client left in the middle of a handshake.)
    tls: kind === 'submissions' ? ctx.tls : undefined,
    tracker: shared.tracker,
    log: ctx.log.child({ component: 'smtp' }),
    onSession(socket, _slot, ended) {
      const connection = server.connect(socket);
      // At STARTTLS the library removes every listener from the plain socket, the listener's too.
      connection.once('closed', ended);
      return { shutdown: () => connection.shutdown(CLOSE_GRACE_MS) };
    },
    // RFC 5321 4.2 and 3.8: a server that cannot take the connection may greet with 421 and
    // close. On 465 the refusal comes before the TLS handshake, where nothing readable can be
    // said: the connection is just closed.
    refuse: kind === 'submissions' ? () => {} : refuse,
  });
  return {
    ...listener,
    // Stops accepting; sessions finish their transaction (or get 421 after CLOSE_GRACE_MS), idle
    // ones get 421 at once; then waits for store work in flight, so the store can close after
    // this resolves.
    async close() {
      offReload();
      handlers.closing = true;
      await listener.close();
      await handlers.drain();
    },
  };
}

function refuse(socket: net.Socket, reason: Refusal): void {
  const r: SmtpReply = reason === 'too-many' ? REPLIES.tooManyConnections : REPLIES.tooManyFromAddress;
  socket.write(`${r.code} ${r.enhanced} ${r.text}\r\n`);
}
