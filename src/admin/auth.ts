// Who may use the setup page: on first boot whoever knows the setup code (once), then whoever
// knows the admin password. The password's hash (src/auth/password.ts, the accounts' KDF) is kept
// in the store's settings; sessions are in memory. Every attempt goes through the login path all
// protocols share (src/auth/login.ts), under the user name "admin".
import type { LoginGate } from '../auth/login.ts';
import { hashPassword, verifyPassword } from '../auth/password.ts';
import type { Logger } from '../log/log.ts';
import type { Store } from '../store/index.ts';
import { ADMIN_PASSWORD } from '../auth/admin-password.ts';
import { HttpError } from '../http/errors.ts';
import type { SessionTable } from './sessions.ts';
import { newSetupCode, sameCode } from './setup-code.ts';

export const ADMIN_USER = 'admin';
export const MIN_ADMIN_PASSWORD = 10;
const MAX_PASSWORD = 1024;

export class AdminAuth {
  private store: Store;
  private logins: LoginGate;
  private log: Logger;
  readonly sessions: SessionTable;
  // Null once used, or when an admin password exists.
  private code: string | null;

  // Shows a new setup code (console and log) after a reset; the first one is shown at start.
  private announce: (code: string) => void;
  // Called once the admin password is set: the console stops showing the code.
  private setupDone: () => void;

  constructor(o: {
    store: Store;
    logins: LoginGate;
    log: Logger;
    sessions: SessionTable;
    announce: (code: string) => void;
    setupDone?: () => void;
  }) {
    this.store = o.store;
    this.logins = o.logins;
    this.log = o.log;
    this.sessions = o.sessions;
    this.announce = o.announce;
    this.setupDone = o.setupDone ?? (() => {});
    this.code = this.hasAdmin() ? null : newSetupCode();
    this.store.settings.watch(ADMIN_PASSWORD.key, () => this.passwordChanged());
  }

  // Setup set the password; or `homepost admin reset-password` removed it: every session ends,
  // and setup starts again with a new code.
  private passwordChanged(): void {
    if (this.hasAdmin()) {
      this.setupDone();
      return;
    }
    this.sessions.clear();
    this.code = newSetupCode();
    this.log.info('admin.password_reset', {});
    this.announce(this.code);
  }

  // The code to announce at start, when setup is still to be done.
  get setupCode(): string | null {
    return this.code;
  }

  hasAdmin(): boolean {
    return typeof this.store.settings.get<unknown>(ADMIN_PASSWORD.key, null) === 'string';
  }

  // First boot: the code and a new admin password; returns a session token.
  async setup(remote: string, code: unknown, password: unknown, signal: AbortSignal): Promise<string> {
    if (typeof code !== 'string' || code.length > 64) throw new HttpError(400, 'bad-request', 'code is required');
    const newPassword = checkNewPassword(password);
    const result = await this.logins.login({
      protocol: 'admin',
      remote,
      user: ADMIN_USER,
      mechanism: 'setup-code',
      signal,
      log: this.log,
      check: async () => {
        if (signal.aborted) throw new HttpError(400, 'client-gone', 'the client left');
        if (this.hasAdmin()) throw new HttpError(409, 'setup-done', 'the admin password is set; log in');
        const expected = this.code;
        if (expected === null) throw new HttpError(409, 'setup-in-progress', 'setup is in progress in another request');
        if (!sameCode(expected, code)) return null;
        // Void at once, so that a second request with the same code cannot race this one.
        this.code = null;
        try {
          await this.store.settings.set(ADMIN_PASSWORD.key, await hashPassword(newPassword));
        } catch (e) {
          this.code = expected;
          throw e;
        }
        return true;
      },
    });
    if (!result.ok) throw refusal(result, new HttpError(403, 'bad-code', 'wrong setup code (it is on the device console and in the homepost log)'));
    this.log.info('admin.setup_done', { remote });
    return this.sessions.create();
  }

  // Returns a session token for the admin password.
  async login(remote: string, password: unknown, signal: AbortSignal): Promise<string> {
    await this.verify(remote, password, signal, new HttpError(401, 'bad-password', 'wrong password'));
    return this.sessions.create();
  }

  // A logged-in admin replaces the password, proving the old one (a session left open on a shared
  // computer must not be enough). The other sessions end; keep is the one that asked.
  async changePassword(remote: string, oldPassword: unknown, newPassword: unknown, keep: string | null, signal: AbortSignal): Promise<void> {
    const next = checkNewPassword(newPassword);
    await this.verify(remote, oldPassword, signal, new HttpError(403, 'bad-password', 'the current password is wrong'));
    await this.store.settings.set(ADMIN_PASSWORD.key, await hashPassword(next));
    this.sessions.clearExcept(keep);
    this.log.info('admin.password_changed', { remote });
  }

  // The admin password, checked through the login path every protocol shares; wrong when it fails.
  private async verify(remote: string, password: unknown, signal: AbortSignal, wrong: HttpError): Promise<void> {
    if (typeof password !== 'string' || password === '' || password.length > MAX_PASSWORD) throw new HttpError(400, 'bad-request', 'password is required');
    const hash = this.store.settings.get<unknown>(ADMIN_PASSWORD.key, null);
    if (typeof hash !== 'string') throw new HttpError(401, 'setup-required', 'set the admin password with the setup code first');
    const result = await this.logins.login({
      protocol: 'admin',
      remote,
      user: ADMIN_USER,
      mechanism: 'password',
      signal,
      log: this.log,
      check: async () => {
        if (signal.aborted) throw new HttpError(400, 'client-gone', 'the client left');
        return (await verifyPassword(password, hash)) ? true : null;
      },
    });
    if (!result.ok) throw refusal(result, wrong);
  }
}

// A refused attempt as the page hears it: while locked, 429 with the seconds to wait (RFC 6585 4,
// RFC 9110 10.2.3); otherwise the wrong-credentials error.
function refusal(result: { reason: 'failed' } | { reason: 'locked'; retryAfterMs: number }, wrong: HttpError): HttpError {
  if (result.reason === 'failed') return wrong;
  return new HttpError(429, 'throttled', 'too many failed attempts; try again later', {
    headers: { 'Retry-After': String(Math.ceil(result.retryAfterMs / 1000)) },
  });
}

function checkNewPassword(password: unknown): string {
  if (typeof password !== 'string' || password.length < MIN_ADMIN_PASSWORD || password.length > MAX_PASSWORD) {
    throw new HttpError(400, 'weak-password', `the admin password needs ${MIN_ADMIN_PASSWORD} to ${MAX_PASSWORD} characters`);
  }
  return password;
}
