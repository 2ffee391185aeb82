// Process options of `homepost serve`: flags and environment, never the store (docs/architecture.md,
// "Settings and options": settings live in the store; the data folder, listen addresses and the development port map are options).
import os from 'node:os';
import path from 'node:path';

export const SERVICES = ['smtp', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'http', 'https'] as const;
export type Service = (typeof SERVICES)[number];

export const PRODUCTION_PORTS: Record<Service, number> = {
  smtp: 25,
  submission: 587,
  submissions: 465,
  imap: 143,
  imaps: 993,
  pop3: 110,
  pop3s: 995,
  http: 80,
  https: 443,
};

// Unprivileged ports for development (`make run`, tests).
export const DEV_PORTS: Record<Service, number> = {
  smtp: 2525,
  submission: 2587,
  submissions: 2465,
  imap: 2143,
  imaps: 2993,
  pop3: 2110,
  pop3s: 2995,
  http: 8080,
  https: 8443,
};

export interface Address {
  host: string;
  port: number;
}

export interface ServeOptions {
  dataDir: string;
  // Development: the port map above on 127.0.0.1, the example.test domain with a development
  // account, loopback trusted for relay, and plaintext authentication on loopback.
  dev: boolean;
  hostname: string;
  listen: Record<Service, Address>;
  // The file the console shows about setup (src/admin/issue.ts), or null.
  issueFile: string | null;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
}

export const SERVE_USAGE = `usage: homepost serve [--data DIR] [--dev] [--hostname NAME]
                      [--listen SERVICE=HOST:PORT ...] [--ephemeral] [--log-level LEVEL]
                      [--issue FILE]

  --data DIR        the data folder (store, certificates, control socket); env HOMEPOST_DATA,
                    default /var/lib/homepost, or ./data with --dev
  --dev             development defaults: ports ${Object.values(DEV_PORTS).join(', ')} on 127.0.0.1,
                    domain example.test with a development account, loopback trusted
  --hostname NAME   the name this server greets with (default: the machine's host name)
  --listen S=H:P    where service S listens (${SERVICES.join(', ')}); port 0 picks a free one
  --ephemeral       every service on 127.0.0.1 with a free port (tests)
  --log-level L     debug, info (default), warn or error
  --issue FILE      write the setup code, then the setup page's address, to FILE for the
                    console's login prompt (agetty's issue escapes; the device's unit)`;

export class UsageError extends Error {}

export function parseServeOptions(argv: string[], env: NodeJS.ProcessEnv = process.env): ServeOptions {
  const dev = argv.includes('--dev');
  let dataDir = env.HOMEPOST_DATA ?? (dev ? './data' : '/var/lib/homepost');
  let hostname = os.hostname();
  let logLevel: ServeOptions['logLevel'] = 'info';
  let issueFile: string | null = null;
  const base = dev ? DEV_PORTS : PRODUCTION_PORTS;
  const host = dev ? '127.0.0.1' : '::';
  const listen = Object.fromEntries(SERVICES.map((s) => [s, { host, port: base[s] }])) as Record<Service, Address>;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--dev':
        break;
      case '--data':
        dataDir = value();
        break;
      case '--hostname':
        hostname = value();
        break;
      case '--ephemeral':
        for (const s of SERVICES) listen[s] = { host: '127.0.0.1', port: 0 };
        break;
      case '--listen': {
        const m = /^([a-z0-9]+)=(.+):(\d+)$/.exec(value());
        if (!m || !SERVICES.includes(m[1] as Service)) throw new UsageError(`--listen takes SERVICE=HOST:PORT (${SERVICES.join(', ')})`);
        listen[m[1] as Service] = { host: m[2].replace(/^\[(.*)\]$/, '$1'), port: Number(m[3]) };
        break;
      }
      case '--issue':
        issueFile = path.resolve(value());
        break;
      case '--log-level': {
        const v = value();
        if (!['debug', 'info', 'warn', 'error'].includes(v)) throw new UsageError('--log-level is debug, info, warn or error');
        logLevel = v as ServeOptions['logLevel'];
        break;
      }
      default:
        throw new UsageError(`unknown option ${arg}`);
    }
  }
  return { dataDir: path.resolve(dataDir), dev, hostname, listen, logLevel, issueFile };
}
