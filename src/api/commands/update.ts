// The daemon's side of updates (src/update, docs/updates.md). `homepost update FILE` is a command
// of its own (src/cli/update.ts): it must replace the executable, which the daemon cannot. These
// methods are what it and the setup page ask the daemon:
//   update.health   which executable runs, where it listens, the store's consistency check
//   update.restart  end for the supervisor to start the (new) executable
//   update.report   how an update ended, kept for the setup page
//   update.status   the setup page's Updates view
//   update.security-updates  Debian's security updates: automatic or manual
import { existsSync } from 'node:fs';
import path from 'node:path';
import { isSea } from '../../runtime/sea.ts';
import { readSetting } from '../../settings/define.ts';
import { type DaemonHealth, fileIdentity } from '../../update/health.ts';
import { builtInReleaseKey } from '../../update/key.ts';
import { LAST_UPDATE, type LastUpdate, parseLastUpdate } from '../../update/settings.ts';
import { PENDING_UPDATE, updateFolder } from '../../update/stage.ts';
import { VERSION } from '../../version.ts';
import type { CommandGroup } from '../group.ts';
import { entry } from '../group.ts';
import { ApiError, type ApiContext, type DaemonInfo, method, noParams } from '../method.ts';
import { writeSetting } from '../settings.ts';
import { REBOOT_REQUIRED, SECURITY_UPDATES, type SecurityUpdates, UNATTENDED_UPGRADE, writeSecurityUpdates } from '../../update/security.ts';

function daemonOf(ctx: ApiContext): DaemonInfo {
  if (!ctx.daemon) throw new ApiError('needs-daemon', 'this needs the running daemon');
  return ctx.daemon;
}

// The store's consistency check, made once per daemon: the updater polls update.health every
// 500 ms until every listener answers, and the check reads the whole store on the event loop.
const checked = new WeakMap<DaemonInfo, string[]>();

const health = method({
  offline: false,
  write: false,
  params: noParams,
  run: (ctx): DaemonHealth => {
    const daemon = daemonOf(ctx);
    let problems = checked.get(daemon);
    if (!problems) {
      problems = ctx.store.checkConsistency();
      checked.set(daemon, problems);
    }
    return {
      version: VERSION,
      pid: daemon.pid,
      // The file this process was started from, even if it was renamed since (proc(5)).
      exe: fileIdentity('/proc/self/exe'),
      supervised: daemon.restart !== null,
      listeners: daemon.listeners.filter((l) => l.port > 0).map((l) => ({ name: l.name, host: l.host, port: l.port })),
      problems,
    };
  },
});

const restart = method({
  offline: false,
  write: true,
  params: noParams,
  run: (ctx): { restarting: true } => {
    const daemon = daemonOf(ctx);
    if (!daemon.restart) throw new ApiError('forbidden', 'homepost was not started by a supervisor that would start it again');
    daemon.restart();
    return { restarting: true };
  },
});

const report = method({
  offline: false,
  write: true,
  params: (raw) => {
    try {
      return parseLastUpdate({ ...raw, at: Date.now() })!;
    } catch {
      throw new ApiError('bad-request', 'an update report has outcome, from, to and reason');
    }
  },
  run: async (ctx, last): Promise<LastUpdate> => {
    ctx.log[last.outcome === 'updated' ? 'info' : 'warn']('update.outcome', { outcome: last.outcome, from: last.from, to: last.to, reason: last.reason });
    await ctx.store.settings.set(LAST_UPDATE.key, last);
    return last;
  },
});

export interface UpdateStatus {
  version: string;
  arch: string;
  // Updates need the single executable with a release key built in, run by a supervisor.
  executable: boolean;
  releaseKey: boolean;
  supervised: boolean;
  // An uploaded update waits for the update service (homepost-update.path on the device).
  pending: boolean;
  last: LastUpdate | null;
  // Debian's security updates: the choice, whether this system has unattended-upgrades (the
  // device's image), and whether an installed update waits for a restart of the device.
  securityUpdates: SecurityUpdates;
  unattendedUpgrades: boolean;
  rebootRequired: boolean;
}

const status = method({
  offline: true,
  write: false,
  params: noParams,
  run: (ctx): UpdateStatus => ({
    version: VERSION,
    arch: process.arch,
    executable: isSea(),
    releaseKey: builtInReleaseKey() !== null,
    supervised: Boolean(ctx.daemon?.restart),
    pending: existsSync(path.join(updateFolder(ctx.dataDir), PENDING_UPDATE)),
    last: readSetting(ctx.store.settings, LAST_UPDATE),
    securityUpdates: readSetting(ctx.store.settings, SECURITY_UPDATES),
    unattendedUpgrades: existsSync(UNATTENDED_UPGRADE),
    rebootRequired: existsSync(REBOOT_REQUIRED),
  }),
});

// The setup page's choice; the device's root side applies it (src/update/security.ts).
const securityUpdates = method({
  offline: true,
  write: true,
  params: (raw) => ({ mode: raw.mode }),
  run: async (ctx, p): Promise<{ securityUpdates: SecurityUpdates }> => {
    const mode = await writeSetting(ctx, SECURITY_UPDATES, p.mode);
    writeSecurityUpdates(ctx.dataDir, mode);
    return { securityUpdates: mode };
  },
});

// No CLI entries: `homepost update` is src/cli/update.ts.
export const updateGroup: CommandGroup = {
  name: 'update',
  summary: 'replace the executable with a signed release, checked and rolled back on failure',
  entries: [entry('health', health), entry('restart', restart), entry('report', report), entry('status', status), entry('security-updates', securityUpdates)],
};
