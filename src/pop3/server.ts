// The POP3 listeners: 110 with STLS (RFC 2595 4) and 995 with implicit TLS (RFC 8314), one
// connection tracker and one maildrop lock table for both.
import type net from 'node:net';
import { Connection } from '../net/connection.ts';
import { ConnectionTracker, listen, startAll, type Listener, type Slot } from '../net/listener.ts';
import type { ServiceContext, ServiceStarter } from '../service/context.ts';
import { MaildropLocks } from './maildrop.ts';
import { readPop3Options, type Pop3Options } from './settings.ts';
import { Pop3Session, type Pop3Settings } from './session.ts';

// overrides: tests' limits, in place of the settings.
export function createPop3Service(overrides: Partial<Pop3Options> = {}): ServiceStarter {
  return async (ctx: ServiceContext): Promise<Listener[]> => {
    const log = ctx.log.child({ component: 'pop3' });
    const o = { ...readPop3Options(ctx.store.settings), ...overrides };
    const tracker = new ConnectionTracker(o);
    const locks = new MaildropLocks();
    const idleTimeoutMs = o.idleTimeoutMs;
    const session = (settings: Pop3Settings) => (socket: net.Socket, slot: Slot) => {
      const s = new Pop3Session({ ...ctx, log }, new Connection(socket), settings, slot);
      void s.run();
      return { shutdown: () => s.shutdown() };
    };
    return startAll([
      () =>
        listen({
          name: 'pop3',
          ...ctx.options.listen.pop3,
          tracker,
          log,
          onSession: session({ locks, stls: true, idleTimeoutMs }),
          // RFC 3206 4 SYS/TEMP: try again later.
          refuse: (socket) => socket.write('-ERR [SYS/TEMP] too many connections, try again later\r\n'),
        }),
      () =>
        listen({
          name: 'pop3s',
          ...ctx.options.listen.pop3s,
          tls: ctx.tls,
          tracker,
          log,
          onSession: session({ locks, stls: false, idleTimeoutMs }),
          // Refused before the TLS handshake: plaintext would only be noise to a TLS client.
          refuse: () => {},
        }),
    ]);
  };
}
