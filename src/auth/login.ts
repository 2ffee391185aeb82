// The one way to log in, for IMAP (LOGIN, AUTHENTICATE), POP3 (USER/PASS, APOP, AUTH), SMTP
// AUTH and the setup page. Each attempt is throttled on the identity normalized exactly as the
// store looks accounts up (store/addresses.ts: trimmed, lowercased, IDNA-mapped domain), so
// every spelling of one account (a soft hyphen, fullwidth letters, an ideographic full stop in
// the domain) counts against that one account; on the client's address (an IPv6 client per
// /64); after any wait the verdict is taken again; and attempts in flight count. One set of log
// events: auth.login, auth.login_failed, auth.locked, each with its protocol. Passwords are
// never logged.
import { isLoopback } from '../net/address.ts';
import type { Logger } from '../log/log.ts';
import { normalizeMailAddress } from '../store/addresses.ts';
import { AuthThrottle } from './throttle.ts';

export type LoginProtocol = 'imap' | 'pop3' | 'smtp' | 'admin';

export type LoginResult<T> =
  | { ok: true; value: T }
  | { ok: false; reason: 'failed' }
  // Refused without looking at the credentials; each protocol says "try again later".
  | { ok: false; reason: 'locked'; scope: 'address' | 'account'; retryAfterMs: number };

export interface LoginAttempt<T> {
  protocol: LoginProtocol;
  remote: string;
  user: string; // as the client sent it
  mechanism: string; // LOGIN, PLAIN, USER, APOP, password ...
  // Checks the credentials: what the login gives (an account), or null.
  check: () => Promise<T | null> | T | null;
  signal?: AbortSignal;
  // The session's logger (its id and address on every line); default the gate's.
  log?: Logger;
}

// May this connection send a password: over TLS, or in development from loopback, so that no
// password crosses a network in the clear. Every protocol asks here.
export function passwordsAllowed(c: { secure: boolean; remoteAddress: string; dev: boolean }): boolean {
  return c.secure || (c.dev && isLoopback(c.remoteAddress));
}

// The identity an attempt counts against: the account address in its normal form, or for a
// name that is not an address (the setup page's "admin") the name trimmed and lowercased.
// Bounded, so a hostile name costs the throttle a few hundred bytes at most.
export function loginIdentity(user: string): string {
  const bounded = user.slice(0, 512);
  return normalizeMailAddress(bounded.trim()) ?? bounded.trim().toLowerCase();
}

export class LoginGate {
  // Tests swap in a faster one.
  throttle: AuthThrottle;
  private log: Logger;

  constructor(o: { log: Logger; throttle?: AuthThrottle }) {
    this.throttle = o.throttle ?? new AuthThrottle();
    this.log = o.log;
  }

  async login<T>(a: LoginAttempt<T>): Promise<LoginResult<T>> {
    const identity = loginIdentity(a.user);
    const log = a.log ?? this.log;
    const fields = { protocol: a.protocol, remote: a.remote, user: identity, mechanism: a.mechanism };
    const gate = await this.throttle.enter(a.remote, identity, a.signal);
    if (!gate.allowed) {
      log.warn('auth.locked', { ...fields, scope: gate.scope, retryAfterMs: gate.retryAfterMs });
      return { ok: false, reason: 'locked', scope: gate.scope, retryAfterMs: gate.retryAfterMs };
    }
    let value: T | null;
    try {
      value = await a.check();
    } catch (e) {
      gate.attempt.abandoned();
      throw e;
    }
    if (value === null) {
      gate.attempt.failed();
      log.info('auth.login_failed', fields);
      return { ok: false, reason: 'failed' };
    }
    gate.attempt.succeeded();
    log.info('auth.login', fields);
    return { ok: true, value };
  }
}
