// `homepost serve`: runs the server until SIGTERM or SIGINT, then shuts down gracefully.
import { parseServeOptions, SERVE_USAGE } from '../config/options.ts';
import { createLogger } from '../log/log.ts';
import type { RunningServer } from '../serve/server.ts';
import type { Restart } from '../service/context.ts';
import { RESTART_EXIT_CODE, supervised, systemdNotifier } from '../serve/systemd.ts';
import { ensureServeEnv } from './serve-env.ts';
import { useDataDir } from '../runtime/sea.ts';

export async function serveCommand(argv: string[]): Promise<number> {
  if (argv.includes('--help')) {
    process.stdout.write(`${SERVE_USAGE}\n`);
    return 0;
  }
  const options = parseServeOptions(argv);
  ensureServeEnv();
  // Mail, keys and the control socket are the owner's alone.
  process.umask(0o077);
  const log = createLogger({ level: options.logLevel });
  // The server (and the store with lmdb's native addon) loads once the data folder is known (sea.ts).
  useDataDir(options.dataDir);
  // Listen for the signals before anything starts, so a stop during start-up is graceful too. A
  // restart (an update asks for it) is a stop whose exit code tells the supervisor to start the
  // executable again.
  let exitCode = 0;
  let requestStop!: (reason: string) => void;
  const stopRequested = new Promise<void>((resolve) => {
    requestStop = (reason) => {
      log.info('server.stopping', { reason });
      process.off('SIGTERM', requestStop);
      process.off('SIGINT', requestStop);
      resolve();
    };
    process.on('SIGTERM', requestStop);
    process.on('SIGINT', requestStop);
  });
  let afterStop: (() => Promise<void> | void) | undefined;
  const restart: Restart | null = supervised()
    ? (then) => {
        exitCode = RESTART_EXIT_CODE;
        afterStop = then;
        setTimeout(() => requestStop('restart'), RESTART_DELAY_MS);
      }
    : null;
  // Under systemd (homepost.service): the watchdog from now on, READY=1 once listening.
  const systemd = systemdNotifier({ log });
  const { startServer } = await import('../serve/server.ts');
  const server = await startServer(options, log, undefined, restart);
  systemd?.ready();
  if (server.devAccount) process.stdout.write(devBanner(server));
  await stopRequested;
  systemd?.stopping();
  // A stop takes a few seconds at most (sessions are told goodbye, busy workers are ended, the
  // store closes). Should anything hang, the process ends anyway: nothing unacknowledged is
  // lost by that, and LMDB needs no recovery. A second signal ends it at once.
  const force = (why: string) => {
    log.error('server.stop_forced', { reason: why });
    process.exit(1);
  };
  setTimeout(() => force('timeout'), STOP_DEADLINE_MS).unref();
  process.once('SIGTERM', () => force('SIGTERM'));
  process.once('SIGINT', () => force('SIGINT'));
  await server.stop();
  if (afterStop) {
    try {
      await afterStop();
    } catch (e) {
      log.error('server.after_stop_failed', { error: e });
    }
  }
  systemd?.close();
  log.info('server.stopped', { exitCode });
  return exitCode;
}

const STOP_DEADLINE_MS = 10_000;
// Long enough for the answer to get out first: to the CLI at once, or as a job's result that the
// setup page asks for every 400 ms (web/src/api.ts).
const RESTART_DELAY_MS = 2000;

// The lines `make run` prints: where to point a mail client and the setup page.
function devBanner(server: RunningServer): string {
  const { address, password } = server.devAccount!;
  const host = '127.0.0.1';
  const p = server.ports;
  const lines = ['', `homepost is running (development). Data: ${server.context.options.dataDir}`, `  account   ${address}  password ${password}`];
  const show = (label: string, names: string[]) => {
    const parts = names.filter((n) => p[n] !== undefined).map((n) => `${n} ${host}:${p[n]}`);
    if (parts.length) lines.push(`  ${label.padEnd(9)} ${parts.join(', ')}`);
  };
  show('mail in', ['smtp']);
  show('send', ['submission', 'submissions']);
  show('read', ['imap', 'imaps', 'pop3', 'pop3s']);
  if (p.https !== undefined) lines.push(`  setup     https://${host}:${p.https}/  (first visit: the setup code is in the admin.setup_code log line)`);
  lines.push(`  Point a mail client at ${host} with the account above (self-signed certificate: accept it once).`, '');
  return `${lines.join('\n')}\n`;
}
