// The setup page (docs/admin.md): HTTPS serves the Preact app of web/ and its JSON API over the
// API layer the CLI uses (src/control); plain HTTP answers ACME HTTP-01 challenges
// (src/tls/acme-challenge.ts) and otherwise redirects to it. Both answer
// mail clients' automatic configuration (src/autoconfig) to anyone, and everything else to the LAN
// only (lan.ts, unless admin.allowFrom says anywhere).
// On first boot a one-time setup code is announced on the console and in the log, and kept in the
// console's issue file (--issue) until setup is done.
import os from 'node:os';
import { endpointsOf } from '../api/client-settings.ts';
import { withAutoconfig } from '../autoconfig/http.ts';
import { daemonApiContext } from '../api/api.ts';
import { ConnectionTracker, startAll, type Listener } from '../net/listener.ts';
import type { ServiceStarter } from '../service/context.ts';
import { adminApp } from './app.ts';
import { loadAssets, type AssetTable } from './assets.ts';
import { AdminAuth } from './auth.ts';
import { DEFAULT_TIMEOUTS, listenHttp, type HttpTimeouts } from '../http/server.ts';
import { redirectToHttps } from './redirect.ts';
import { acmeChallenge } from '../tls/acme-challenge.ts';
import { SessionTable, type SessionOptions } from './sessions.ts';
import { issueText, writeIssue } from './issue.ts';
import { lanOnly } from '../http/lan.ts';
import { announceSetupCode } from './setup-code.ts';
import { SystemMonitor } from './system.ts';
import { Jobs } from './jobs.ts';

// A browser on the LAN finishes its TLS handshake in milliseconds: a connection still without one
// after 5 s (one that never sends a ClientHello) gives its slot back, not after the default 30 s.
const HANDSHAKE_TIMEOUT_MS = 5_000;

export interface AdminOptions {
  // Where the setup code is shown besides the log: default /dev/console, none with --dev.
  console?: string | null;
  maxConnections?: number;
  maxPerAddress?: number;
  timeouts?: Partial<HttpTimeouts>;
  sessions?: SessionOptions;
}

export function createAdminService(o: AdminOptions = {}): ServiceStarter {
  return async (ctx): Promise<Listener[]> => {
    const log = ctx.log.child({ component: 'admin' });
    const api = daemonApiContext(ctx, log);
    const consolePath = o.console !== undefined ? o.console : ctx.options.dev ? null : '/dev/console';
    const { https, http } = ctx.options.listen;
    let httpsPort = https.port;
    const issueFile = ctx.options.issueFile;
    const showIssue = (code: string | null) => {
      if (issueFile) writeIssue(issueFile, issueText(code, https.host, httpsPort), log);
    };
    const announce = (code: string) => {
      announceSetupCode(code, setupUrls(https.host, httpsPort, ctx.options.hostname), log, consolePath);
      showIssue(code);
    };
    const auth = new AdminAuth({
      store: ctx.store,
      logins: ctx.logins,
      log,
      sessions: new SessionTable(o.sessions),
      announce,
      setupDone: () => showIssue(null),
    });
    let assets: Promise<AssetTable> | null = null;
    const autoconfig = { store: ctx.store, endpoints: () => endpointsOf(api), log };
    const app = adminApp({
      api,
      auth,
      autoconfig,
      system: new SystemMonitor(ctx.options.dataDir),
      jobs: new Jobs(),
      log,
      // Built once; a failed build is tried again on the next request.
      assets: () =>
        (assets ??= loadAssets(log).catch((e: unknown) => {
          assets = null;
          throw e;
        })),
    });
    // Browsers open several connections per page; 'http' and 'https' share the limits. One address
    // holds at most a quarter of them, so a client that opens many and says nothing leaves room.
    const tracker = new ConnectionTracker({ maxConnections: o.maxConnections ?? 64, maxPerAddress: o.maxPerAddress ?? 16 });
    const timeouts = { ...DEFAULT_TIMEOUTS, ...o.timeouts };
    const listeners = await startAll([
      async () => {
        const l = await listenHttp({ name: 'https', ...https, tls: ctx.tls, handshakeTimeoutMs: HANDSHAKE_TIMEOUT_MS, tracker, log, timeouts, handler: app });
        httpsPort = l.port;
        return l;
      },
      () =>
        listenHttp({
          name: 'http',
          ...http,
          tracker,
          log,
          timeouts,
          handler: acmeChallenge(
            (token) => ctx.tls.acme?.keyAuthorization(token),
            withAutoconfig(autoconfig, lanOnly(ctx.store.settings, redirectToHttps({ httpsPort, hostname: () => ctx.options.hostname }))),
          ),
        }),
    ]);
    const code = auth.setupCode;
    if (code) announce(code);
    else showIssue(null);
    return listeners;
  };
}

// Where a person reaches the page: the address it listens on, or, listening on every address,
// the host name and the machine's LAN addresses.
function setupUrls(host: string, port: number, hostname: string): string[] {
  const p = port === 443 ? '' : `:${port}`;
  const wildcard = host === '::' || host === '0.0.0.0' || host === '';
  const lan = Object.values(os.networkInterfaces())
    .flat()
    .filter((a) => a && !a.internal && a.family === 'IPv4')
    .map((a) => a!.address);
  const hosts = wildcard ? [hostname, ...lan] : [host];
  return hosts.map((h) => `https://${h.includes(':') ? `[${h}]` : h}${p}/`);
}
