// Notifications to systemd for homepost.service's Type=notify (sd_notify(3), systemd.service(5)):
// READY=1 once every listener is up, WATCHDOG=1 every half WATCHDOG_USEC from a timer on the main
// thread (an event loop that hangs stops feeding it, and systemd restarts homepost after
// WatchdogSec), STOPPING=1 when a stop begins. Only when systemd set NOTIFY_SOCKET.
// Node has no Unix datagram sockets: each message is one run of systemd-notify(1), which waits
// until the manager has read it (BARRIER=1), so the manager still knows the sender's unit when it
// reads it (the unit's NotifyAccess=all lets a child speak for the service).
import { execFile } from 'node:child_process';
import type { Logger } from '../log/log.ts';

const SEND_TIMEOUT_MS = 10_000;

// The exit code of a restart asked for (an update): homepost.service has RestartForceExitStatus=75
// and SuccessExitStatus=75 (EX_TEMPFAIL of sysexits.h), so systemd starts it again at once and
// does not count it as a failure.
export const RESTART_EXIT_CODE = 75;

// Whether something starts homepost again when it exits: systemd sets INVOCATION_ID for every
// service it runs (systemd.exec(5)); another supervisor that restarts on RESTART_EXIT_CODE sets it
// too.
export function supervised(env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(env.INVOCATION_ID);
}

export interface SystemdNotifier {
  ready(): void;
  stopping(): void;
  // Ends the watchdog timer.
  close(): void;
}

export interface NotifierOptions {
  log: Logger;
  env?: NodeJS.ProcessEnv;
  // The program that sends one message (tests pass another path).
  program?: string;
}

// Null when homepost does not run under systemd's Type=notify.
export function systemdNotifier(o: NotifierOptions): SystemdNotifier | null {
  const env = o.env ?? process.env;
  if (!env.NOTIFY_SOCKET) return null;
  const log = o.log.child({ component: 'systemd' });
  const send = (message: string) => {
    execFile(o.program ?? 'systemd-notify', [message], { env: { ...env }, timeout: SEND_TIMEOUT_MS }, (e) => {
      if (e) log.warn('systemd.notify_failed', { message, error: e });
    });
  };
  const intervalMs = watchdogIntervalMs(env);
  const timer = intervalMs === null ? null : setInterval(() => send('WATCHDOG=1'), intervalMs).unref();
  if (intervalMs !== null) log.debug('systemd.watchdog', { intervalMs });
  return {
    ready: () => send('READY=1'),
    stopping: () => send('STOPPING=1'),
    close: () => {
      if (timer) clearInterval(timer);
    },
  };
}

// Half the watchdog's timeout (sd_watchdog_enabled(3): WATCHDOG_USEC, and WATCHDOG_PID when set
// must be this process), or null when there is no watchdog.
export function watchdogIntervalMs(env: NodeJS.ProcessEnv): number | null {
  const usec = Number(env.WATCHDOG_USEC);
  if (!Number.isSafeInteger(usec) || usec <= 0) return null;
  if (env.WATCHDOG_PID !== undefined && Number(env.WATCHDOG_PID) !== process.pid) return null;
  return Math.max(1, Math.floor(usec / 2000));
}
