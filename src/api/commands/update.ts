// The daemon's side of updates (src/update, docs/updates.md). `homepost update FILE` is a command
// of its own (src/cli/update.ts): it must replace the executable, which the daemon cannot. These
// methods are what it and the setup page ask the daemon:
//   update.health   which executable runs, where it listens, the store's consistency check
//   update.restart  end for the supervisor to start the (new) executable
//   update.report   how an update ended, kept for the setup page
//   update.status   the setup page's Updates view
//   update.security-updates  Debian's security updates: automatic or manual
import { existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { isSea } from '../../runtime/sea.ts';
import { readSetting } from '../../settings/define.ts';
import type { DaemonHealth } from '../../update/health.ts';
import { builtInReleaseKey } from '../../update/key.ts';
import { LAST_UPDATE, type LastUpdate, parseLastUpdate } from '../../update/settings.ts';
import { PENDING_UPDATE, updateFolder } from '../../update/stage.ts';
import { VERSION } from '../../version.ts';
import type { CommandGroup } from '../group.ts';
import { entry } from '../group.ts';
import { ApiError, type ApiContext, type DaemonInfo, method, noParams, str } from '../method.ts';
import {
  REBOOT_REQUIRED,
  SECURITY_UPDATE_MODES,
  SECURITY_UPDATES,
  type SecurityUpdates,
  UNATTENDED_UPGRADE,
  writeSecurityUpdates,
} from '../../update/security.ts';

function daemonOf(ctx: ApiContext): DaemonInfo {
  if (!ctx.daemon) throw new ApiError('needs-daemon', 'this needs the running daemon');
  return ctx.daemon;
}

const health = method({
  offline: false,
  write: false,
  params: noParams,
  run: (ctx): DaemonHealth => {
    const daemon = daemonOf(ctx);
    // The file this process was started from, even if it was renamed since (proc(5)).
    const exe = statSync('/proc/self/exe', { bigint: true });
    return {
      version: VERSION,
      pid: daemon.pid,
      exe: { dev: String(exe.dev), ino: String(exe.ino) },
      supervised: daemon.restart !== null,
      listeners: daemon.listeners.filter((l) => l.port > 0).map((l) => ({ name: l.name, host: l.host, port: l.port })),
      problems: ctx.store.checkConsistency(),
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
  params: (raw) => {
    const mode = str(raw, 'mode');
    if (!SECURITY_UPDATE_MODES.includes(mode as SecurityUpdates)) throw new ApiError('bad-request', `mode is one of ${SECURITY_UPDATE_MODES.join(', ')}`);
    return { mode: mode as SecurityUpdates };
  },
  run: async (ctx, p): Promise<{ securityUpdates: SecurityUpdates }> => {
    await ctx.store.settings.set(SECURITY_UPDATES.key, p.mode);
    writeSecurityUpdates(ctx.dataDir, p.mode);
    return { securityUpdates: p.mode };
  },
});

// No CLI entries: `homepost update` is src/cli/update.ts.
export const updateGroup: CommandGroup = {
  name: 'update',
  summary: 'replace the executable with a signed release, checked and rolled back on failure',
  entries: [entry('health', health), entry('restart', restart), entry('report', report), entry('status', status), entry('security-updates', securityUpdates)],
};
