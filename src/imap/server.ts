// The IMAP service: port 143 with STARTTLS and port 993 with implicit TLS (RFC 8314), one
// connection tracker for both, a session per connection (session.ts).
import type net from 'node:net';
import { Connection } from '../net/connection.ts';
import { ConnectionTracker, listen, startAll } from '../net/listener.ts';
import type { ServiceContext, ServiceStarter } from '../serve/context.ts';
import { RecentTracker } from './recent.ts';
import { ImapSession, type ImapConfig, type ImapServices } from './session.ts';

// The maximum message size when the store has no setting for it (APPENDLIMIT, RFC 7889).
export const DEFAULT_MAX_MESSAGE = 50 * 1024 * 1024;

export interface ImapLimits {
  maxConnections: number;
  // A household behind one NAT address, and the benchmark's 200 idling clients, come from one address.
  maxPerAddress: number;
}

export function imapConfig(ctx: ServiceContext, overrides: Partial<ImapConfig> = {}): ImapConfig {
  return {
    hostname: ctx.options.hostname,
    dev: ctx.options.dev,
    maxLine: 64 * 1024,
    maxCommand: 256 * 1024,
    maxMessage: ctx.store.settings.get('limits.maxMessageSize', DEFAULT_MAX_MESSAGE),
    idleTimeoutMs: 30 * 60_000,
    preAuthTimeoutMs: 3 * 60_000,
    maxBadCommands: 20,
    ...overrides,
  };
}

export function imapStarter(overrides: Partial<ImapConfig> = {}, limits: ImapLimits = { maxConnections: 1000, maxPerAddress: 300 }): ServiceStarter {
  return async (ctx) => {
    const log = ctx.log.child({ component: 'imap' });
    const svc: ImapServices = {
      store: ctx.store,
      tls: ctx.tls,
      throttle: ctx.throttle,
      log,
      recent: new RecentTracker(),
      config: imapConfig(ctx, overrides),
    };
    const tracker = new ConnectionTracker(limits);
    let next = 1;
    const onSession = (socket: net.Socket) => {
      const conn = new Connection(socket);
      const session = new ImapSession(conn, svc, log.child({ session: next++, remote: conn.remoteAddress }));
      void session.run();
      return { shutdown: () => session.shutdown() };
    };
    // RFC 9051 7.1.5: BYE at greeting time refuses the connection. On 993 the refusal comes
    // before the TLS handshake, where plaintext would only be noise: the connection is closed.
    const refuse = (socket: net.Socket) => socket.write('* BYE Too many connections; try again later\r\n');
    return startAll([
      () => listen({ name: 'imap', ...ctx.options.listen.imap, tracker, log, onSession, refuse }),
      () => listen({ name: 'imaps', ...ctx.options.listen.imaps, tls: ctx.tls, tracker, log, onSession, refuse: () => {} }),
    ]);
  };
}

export const startImap: ServiceStarter = imapStarter();
