// `homepost update FILE` and `homepost update --pending` (src/update/apply.ts says what happens;
// docs/updates.md why). Run as the user who may replace the executable: root on the device. It
// keeps that user throughout (unlike the other commands, it does not become the data folder's
// owner): the file it installs is root's.
import { realpathSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../config/options.ts';
import { connectDaemon, DaemonUnreachable } from '../control/client.ts';
import { isSea } from '../runtime/sea.ts';
import { applyUpdate, type DaemonLink } from '../update/apply.ts';
import type { DaemonHealth } from '../update/health.ts';
import { UpdateError } from '../update/format.ts';
import { builtInReleaseKey } from '../update/key.ts';
import { APPLYING_UPDATE, PENDING_UPDATE, updateFolder } from '../update/stage.ts';
import { dataDirFrom } from './args.ts';
import { EXIT } from './run.ts';
import { type LocalArgs, runLocal } from './local-args.ts';

export const UPDATE_USAGE = `usage: homepost update FILE [--timeout SECONDS] [--allow-downgrade] [--data DIR] [--json]
       homepost update --pending [--data DIR]

Replaces this executable with the one in FILE, a release signed by make release: the signature
(the release key built into this executable), the checksum, the architecture and its answer to
--version are checked before anything changes. The previous executable is kept as NAME.previous,
the new one takes its place in one rename, and the running homepost restarts into it. If it does
not pass the health check within --timeout (default 120) seconds (every listener answers, the
store opens and passes its consistency check), the previous executable is put back and started.
--pending applies the file the setup page received (the data folder's update/pending.update): on
the device homepost-update.service runs it, as root.`;

interface UpdateArgs {
  file?: string;
  pending: boolean;
  timeoutMs: number;
  allowDowngrade: boolean;
  data?: string;
  json: boolean;
}

function check(a: LocalArgs): UpdateArgs {
  const pending = a.flags.has('--pending');
  if (pending === (a.file !== undefined)) throw new UsageError('give either an update FILE or --pending');
  const seconds = Number(a.values.get('--timeout') ?? 120);
  if (!Number.isInteger(seconds) || seconds < 5 || seconds > 3600) throw new UsageError('--timeout takes whole seconds from 5 to 3600');
  return {
    file: a.file,
    pending,
    timeoutMs: seconds * 1000,
    allowDowngrade: a.flags.has('--allow-downgrade'),
    data: a.values.get('--data'),
    json: a.flags.has('--json'),
  };
}

export function updateCommand(argv: string[]): Promise<number> {
  return runLocal(argv, { usage: UPDATE_USAGE, values: ['--timeout', '--data'], flags: ['--pending', '--allow-downgrade', '--json'] }, check, update);
}

async function update(args: UpdateArgs): Promise<number> {
  const fail = (message: string) => {
    process.stderr.write(args.json ? `${JSON.stringify({ error: { code: 'failure', message } })}\n` : `homepost: ${message}\n`);
    return EXIT.failure;
  };
  const dataDir = dataDirFrom(args.data, process.env);
  let file = args.file;
  if (args.pending) {
    // Taken out of the path unit's sight first (its PathExists= would start this again), and gone
    // once done, whatever the outcome.
    file = path.join(updateFolder(dataDir), APPLYING_UPDATE);
    try {
      renameSync(path.join(updateFolder(dataDir), PENDING_UPDATE), file);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return fail('no update is pending');
      throw e;
    }
  }
  try {
    if (!isSea()) return fail('this homepost runs from a checkout; updates replace the single executable (make binary)');
    const key = builtInReleaseKey();
    if (!key) return fail('this executable has no release key built in, so it accepts no update (make binary KEY=..., docs/updates.md)');
    // Once, so that a socket this user may not use says so (the link below takes any failure to
    // reach the daemon for a daemon not answering yet).
    (await connectDaemon(dataDir))?.close();
    const result = await applyUpdate({
      file: file!,
      daemon: controlSocketLink(dataDir),
      target: realpathSync(process.execPath),
      key,
      timeoutMs: args.timeoutMs,
      allowDowngrade: args.allowDowngrade,
      say: (line) => process.stderr.write(`homepost: ${line}\n`),
    });
    const text =
      result.outcome === 'updated'
        ? `updated homepost from ${result.from} to ${result.to}\n`
        : `rolled back: ${result.to} failed its health check (${result.reason}); ${result.from} runs again\n`;
    process.stdout.write(args.json ? `${JSON.stringify(result, null, 2)}\n` : text);
    return result.outcome === 'updated' ? EXIT.ok : EXIT.failure;
  } catch (e) {
    if (e instanceof UpdateError || e instanceof DaemonUnreachable) return fail(e.message);
    throw e;
  } finally {
    if (args.pending) rmSync(file!, { force: true });
  }
}

// The daemon through its control socket, a new connection for each call: the daemon at the other
// end changes with each restart. A consistency check of a large store takes a while: 2 minutes.
function controlSocketLink(dataDir: string): DaemonLink {
  const ask = async (method: string, params?: Record<string, unknown>): Promise<unknown> => {
    const daemon = await connectDaemon(dataDir, 120_000).catch(() => null);
    if (!daemon) return null;
    try {
      return await daemon.call(method, params);
    } catch {
      return null;
    } finally {
      daemon.close();
    }
  };
  return {
    health: async () => (await ask('update.health')) as DaemonHealth | null,
    restart: async () => {
      await ask('update.restart');
    },
    report: async (r) => {
      await ask('update.report', { ...r });
    },
  };
}
