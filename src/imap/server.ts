// The IMAP service: port 143 with STARTTLS and port 993 with implicit TLS (RFC 8314), one
// connection tracker for both, a session per connection (session.ts).
import type net from 'node:net';
import { maxMessageSize } from '../memory/message-size.ts';
import { Connection } from '../net/connection.ts';
import { ConnectionTracker, listen, startAll, type Slot } from '../net/listener.ts';
import type { ServiceContext, ServiceStarter } from '../service/context.ts';
import { readSetting } from '../settings/define.ts';
import { RecentTracker } from './recent.ts';
import { readConnectionLimits } from '../net/limit-settings.ts';
import { IMAP_SETTINGS } from './settings.ts';
import { ImapSession, type ImapConfig, type ImapServices } from './session.ts';

export function imapConfig(ctx: ServiceContext, overrides: Partial<ImapConfig> = {}): ImapConfig {
  const settings = ctx.store.settings;
  return {
    get hostname() {
      return ctx.options.hostname;
    },
    dev: ctx.options.dev,
    maxLine: 64 * 1024,
    maxCommand: 256 * 1024,
    maxMessage: maxMessageSize(settings),
    // RFC 9051 6.2.3 LOGIN with a 1024-byte password as a literal fits easily.
    preAuthMaxLine: 8192,
    searchBudgetMs: readSetting(settings, IMAP_SETTINGS.searchBudgetMs),
    idleTimeoutMs: readSetting(settings, IMAP_SETTINGS.idleTimeoutMs),
    preAuthTimeoutMs: readSetting(settings, IMAP_SETTINGS.preAuthTimeoutMs),
    maxBadCommands: 20,
    ...overrides,
  };
}

export function createImapService(overrides: Partial<ImapConfig> = {}): ServiceStarter {
  return async (ctx) => {
    const log = ctx.log.child({ component: 'imap' });
    const svc: ImapServices = {
      store: ctx.store,
      tls: ctx.tls,
      budget: ctx.budget,
      offload: ctx.offload,
      logins: ctx.logins,
      log,
      recent: new RecentTracker(),
      config: imapConfig(ctx, overrides),
    };
    const tracker = new ConnectionTracker(readConnectionLimits(ctx.store.settings, IMAP_SETTINGS));
    let next = 1;
    const onSession = (socket: net.Socket, slot: Slot) => {
      const conn = new Connection(socket);
      const session = new ImapSession(conn, svc, log.child({ session: next++, remote: conn.remoteAddress }), slot);
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
