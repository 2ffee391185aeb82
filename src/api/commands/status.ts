// `homepost status`: whether the daemon runs, where it listens, and what the store holds. Without
// a daemon the store part is still shown (from a store the CLI opens) and the exit code is 3, like
// `systemctl status` of a stopped service.
import { statSync } from 'node:fs';
import { isSea, loadedAddons, loadedChunks } from '../../runtime/sea.ts';
import { VERSION } from '../../version.ts';
import { entry, type CommandGroup } from '../group.ts';
import { method, noParams } from '../method.ts';
import { date, duration } from '../text.ts';
import { formatBytes } from '../../settings/units.ts';
import { refusedWarnings } from '../../smtp/reputation/refused.ts';
import { readSmtpSettings } from '../../smtp/settings.ts';

export interface StatusResult {
  version: string;
  dataDir: string;
  // Of the process that answered: the daemon, or the CLI itself offline.
  runtime: {
    node: string;
    arch: string;
    executable: boolean; // the single executable (false: run from a checkout)
    addons: string[]; // native addons loaded from the executable
    chunks: string[]; // lazily loaded packages the main thread compiled from the executable (mailauth: only worker threads)
  };
  daemon: {
    pid: number;
    startedAt: number;
    uptimeSeconds: number;
    dev: boolean;
    hostname: string;
    listeners: { name: string; host: string; port: number }[];
  } | null;
  store: {
    file: string;
    bytes: number;
    domains: number;
    accounts: number;
    aliases: number;
    messages: number;
    messageBytes: number;
  };
  // Things the person running the server should act on, in plain sentences.
  warnings: string[];
}

export const DAEMON_NOT_RUNNING = 3;

const status = method({
  offline: true,
  write: false,
  params: noParams,
  run: (ctx): StatusResult => {
    const { store, daemon } = ctx;
    let messages = 0;
    let messageBytes = 0;
    const accounts = store.accounts.list();
    for (const a of accounts) {
      for (const mb of store.mailboxes.list(a.id)) {
        messages += mb.count;
        messageBytes += mb.size;
      }
    }
    return {
      version: VERSION,
      dataDir: ctx.dataDir,
      runtime: { node: process.version, arch: process.arch, executable: isSea(), addons: loadedAddons(), chunks: loadedChunks() },
      daemon: daemon && {
        pid: daemon.pid,
        startedAt: daemon.startedAt,
        uptimeSeconds: Math.round((Date.now() - daemon.startedAt) / 1000),
        dev: daemon.options.dev,
        hostname: daemon.options.hostname,
        listeners: daemon.listeners.map((l) => ({ name: l.name, host: l.host, port: l.port })),
      },
      store: {
        file: store.file,
        bytes: statSync(store.file).size,
        domains: store.domains.list().length,
        accounts: accounts.length,
        aliases: store.aliases.list().length,
        messages,
        messageBytes,
      },
      warnings: refusedWarnings(store.settings, readSmtpSettings(store.settings, daemon?.options.dev ?? false).dnsblZones, Date.now()),
    };
  },
});

function describe(s: StatusResult): string {
  const lines: string[] = [];
  const row = (k: string, v: string) => lines.push(`${k.padEnd(12)} ${v}`);
  const d = s.daemon;
  if (d) {
    row('homepost', `${s.version}, running (pid ${d.pid}${d.dev ? ', development' : ''}), up ${duration(d.uptimeSeconds)} since ${date(d.startedAt)}`);
    row('host', `${d.hostname}; node ${s.runtime.node} ${s.runtime.arch}${s.runtime.executable ? ', single executable' : ''}`);
    for (const l of d.listeners) row(l.name, l.port ? `${l.host.includes(':') ? `[${l.host}]` : l.host}:${l.port}` : l.host);
  } else {
    row('homepost', `${s.version}, not running`);
  }
  row('data', s.dataDir);
  row('store', `${formatBytes(s.store.bytes)} (${s.store.file})`);
  row('domains', String(s.store.domains));
  row('accounts', `${s.store.accounts}, aliases ${s.store.aliases}`);
  row('messages', `${s.store.messages} (${formatBytes(s.store.messageBytes)})`);
  for (const w of s.warnings) row('warning', w);
  return `${lines.join('\n')}\n`;
}

export const statusGroup: CommandGroup = {
  name: 'status',
  summary: 'is the daemon running, where it listens, what the store holds',
  entries: [
    entry('', status, {
      summary: 'show the daemon and the store (exit code 3 when the daemon is not running)',
      text: describe,
      exitCode: (r) => (r.daemon ? 0 : DAEMON_NOT_RUNNING),
    }),
  ],
};
