// `homepost update FILE` (docs/updates.md): replaces the executable a running, supervised daemon
// runs, restarts it and lets the health check decide.
//   1. ask the daemon: it must run this very executable, under a supervisor that starts it again;
//   2. verify the update (verify.ts) while copying it beside the executable; refuse an older
//      version unless asked; run the copy with --version: it must name the signed version;
//   3. install it (install.ts) and ask the daemon to restart (it exits with RESTART_EXIT_CODE and
//      its supervisor starts the file now at its path);
//   4. wait for the health check (health.ts) against the new file; should it fail within the time
//      given, put the previous executable back, restart again and wait for that one.
// Each outcome is reported to the daemon that runs at the end (update.report), for the setup page.
import { execFile } from 'node:child_process';
import type { KeyObject } from 'node:crypto';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { VERSION } from '../version.ts';
import { compareVersions, UpdateError, type UpdateManifest } from './format.ts';
import { type DaemonHealth, fileIdentity, type FileIdentity, probeListeners } from './health.ts';
import { install, prepareCandidate, rollBack } from './install.ts';
import type { LastUpdate } from './settings.ts';
import { verifyUpdate } from './verify.ts';

// The running daemon, as the command reaches it (src/cli/update.ts: its control socket). Each
// call answers null or does nothing while no daemon answers.
export interface DaemonLink {
  health(): Promise<DaemonHealth | null>;
  restart(): Promise<void>;
  report(outcome: Omit<LastUpdate, 'at'>): Promise<void>;
}

export interface ApplyOptions {
  file: string;
  daemon: DaemonLink;
  target: string; // the executable to replace: the one running this
  key: KeyObject;
  // How long the restarted daemon has to pass the health check.
  timeoutMs: number;
  allowDowngrade: boolean;
  say(line: string): void;
}

export interface ApplyResult {
  outcome: 'updated' | 'rolled-back';
  from: string;
  to: string;
  reason: string | null;
}

const POLL_MS = 500;

export async function applyUpdate(o: ApplyOptions): Promise<ApplyResult> {
  const running = await o.daemon.health();
  if (!running) throw new UpdateError('homepost is not running: the update is checked by restarting it (start it first)');
  if (!running.supervised) {
    throw new UpdateError('homepost was not started by a supervisor that would start it again (systemd: homepost.service); install the file by hand instead');
  }
  if (!sameFile(running.exe, fileIdentity(o.target)))
    throw new UpdateError(`the running homepost is not ${o.target}, the executable this update would replace`);

  let manifest: UpdateManifest | undefined;
  const candidate = prepareCandidate(o.target);
  try {
    manifest = await verifyUpdate(o.file, o.key, candidate);
    if (compareVersions(manifest.version, VERSION) < 0 && !o.allowDowngrade) {
      throw new UpdateError(`the update is version ${manifest.version}, older than this ${VERSION} (--allow-downgrade installs it anyway)`);
    }
    await checkVersionAnswer(candidate, manifest);
  } catch (e) {
    rmSync(candidate, { force: true });
    if (e instanceof UpdateError) await o.daemon.report({ outcome: 'refused', from: VERSION, to: manifest?.version ?? null, reason: e.message });
    throw e;
  }

  install(o.target);
  const installed = fileIdentity(o.target);
  o.say(`installed ${manifest.version} (the previous executable is ${o.target}.previous); restarting homepost`);
  const problem = await restartInto(o, installed);
  if (problem === null) {
    const result: ApplyResult = { outcome: 'updated', from: VERSION, to: manifest.version, reason: null };
    await o.daemon.report(result);
    return result;
  }
  o.say(`the health check failed: ${problem}; putting ${VERSION} back`);
  rollBack(o.target);
  const again = await restartInto(o, fileIdentity(o.target));
  if (again !== null) throw new UpdateError(`${manifest.version} failed its health check (${problem}), and ${VERSION}, put back, failed too: ${again}`);
  const result: ApplyResult = { outcome: 'rolled-back', from: VERSION, to: manifest.version, reason: problem };
  await o.daemon.report(result);
  return result;
}

function sameFile(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}

// The executable must start and name the version its manifest was signed with.
async function checkVersionAnswer(file: string, manifest: UpdateManifest): Promise<void> {
  let out: string;
  try {
    ({ stdout: out } = await promisify(execFile)(file, ['--version'], { timeout: 60_000, encoding: 'utf8' }));
  } catch (e) {
    throw new UpdateError(`the update's executable did not run: ${(e as Error).message.split('\n')[0]}`);
  }
  const expected = `homepost ${manifest.version} (`;
  if (!out.startsWith(expected) || !out.trimEnd().endsWith(`, ${manifest.arch})`)) {
    throw new UpdateError(
      `the update's executable answers ${JSON.stringify(out.trim().slice(0, 100))} to --version, not homepost ${manifest.version} for ${manifest.arch}`,
    );
  }
}

// Has the daemon restart (when one answers) and waits until the daemon running `expected` passes
// the health check: null, or the last reason it did not.
async function restartInto(o: ApplyOptions, expected: FileIdentity): Promise<string | null> {
  await o.daemon.restart();
  const deadline = Date.now() + o.timeoutMs;
  let reason = `homepost did not answer within ${Math.round(o.timeoutMs / 1000)} s`;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, POLL_MS));
    const h = await o.daemon.health();
    if (!h || !sameFile(h.exe, expected)) continue;
    if (h.problems.length) return `the store's consistency check found: ${h.problems.slice(0, 3).join('; ')}`;
    const down = await probeListeners(h.listeners);
    if (!down.length) return null;
    reason = down.join('; ');
  }
  return reason;
}
