// Throttles failed authentication for every protocol (src/auth/login.ts is its one user).
// Failures are counted per client (clientKey: an IPv4 address, an IPv6 /64) and per identity (as
// login normalizes it, so spellings of one account share one count):
// - after SOFT_LIMIT failures, each further attempt waits (doubling, up to MAX_DELAY_MS), and is
//   checked again after the wait (other attempts may have failed meanwhile);
// - after LOCK_LIMIT failures, the client (or the account, from any client) is refused outright
//   for LOCK_MS, which each protocol answers with its temporary error (SMTP 454 4.7.0 / 421,
//   IMAP NO [UNAVAILABLE], POP3 -ERR [LOGIN-DELAY], HTTP 429);
// - attempts in flight count towards the lock: of sixty guesses sent at once, twenty are checked
//   and the others wait for those to end, then are judged again (refused once they failed,
//   let through once they succeeded: a mail client opening many connections at once still
//   logs in on all of them).
// Counts decay: a key with no failure for WINDOW_MS is forgotten. Memory is bounded by MAX_KEYS.
import { clientKey } from '../net/address.ts';

export interface ThrottleOptions {
  softLimit?: number;
  lockLimitAddress?: number;
  lockLimitAccount?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  lockMs?: number;
  windowMs?: number;
  maxKeys?: number;
  now?: () => number;
}

export type ThrottleVerdict = { allowed: true; delayMs: number } | { allowed: false; retryAfterMs: number; scope: 'address' | 'account' };

// A refusal, or: as many attempts are in flight for `key` as failures are still allowed.
type Check = ThrottleVerdict | { allowed: false; retryAfterMs: number; scope: 'address' | 'account'; busy: string };

// How long an attempt waits for others in flight before it is refused.
const MAX_WAIT_MS = 30_000;

// One attempt let through: it ends exactly once, one way or the other.
export interface Attempt {
  failed(): void;
  succeeded(): void;
  // Ended without a verdict on the credentials (the client left, a malformed request).
  abandoned(): void;
}

interface Entry {
  failures: number;
  last: number;
  lockedUntil: number;
}

export class AuthThrottle {
  private entries = new Map<string, Entry>();
  private inFlight = new Map<string, number>();
  private waiters = new Map<string, (() => void)[]>();
  private o: Required<ThrottleOptions>;

  constructor(options: ThrottleOptions = {}) {
    this.o = {
      softLimit: 3,
      lockLimitAddress: 10,
      lockLimitAccount: 20,
      baseDelayMs: 500,
      maxDelayMs: 8000,
      lockMs: 15 * 60_000,
      windowMs: 15 * 60_000,
      maxKeys: 10_000,
      now: Date.now,
      ...options,
    };
  }

  // What to do with an attempt from `address` for `identity` (null before it is known).
  check(address: string, identity: string | null): ThrottleVerdict {
    const v = this.judge(address, identity);
    return 'busy' in v ? { allowed: false, retryAfterMs: v.retryAfterMs, scope: v.scope } : v;
  }

  private judge(address: string, identity: string | null): Check {
    const now = this.o.now();
    let failures = 0;
    for (const [key, scope, limit] of this.keys(address, identity)) {
      const e = this.entry(key, now);
      if (e && e.lockedUntil > now) return { allowed: false, retryAfterMs: e.lockedUntil - now, scope };
      const n = e?.failures ?? 0;
      if (n + (this.inFlight.get(key) ?? 0) >= limit) return { allowed: false, retryAfterMs: this.o.baseDelayMs, scope, busy: key };
      failures = Math.max(failures, n);
    }
    const over = failures - this.o.softLimit;
    const delayMs = over < 0 ? 0 : Math.min(this.o.baseDelayMs * 2 ** over, this.o.maxDelayMs);
    return { allowed: true, delayMs };
  }

  // Waits the delay the throttle asks for, or for attempts in flight to end, judges again after
  // every wait, and lets the attempt through (counted in flight until it ends) or refuses it.
  async enter(
    address: string,
    identity: string,
    signal?: AbortSignal,
  ): Promise<{ allowed: true; attempt: Attempt } | Extract<ThrottleVerdict, { allowed: false }>> {
    const until = this.o.now() + MAX_WAIT_MS;
    let delayed = false;
    for (;;) {
      const v = this.judge(address, identity);
      if (v.allowed && v.delayMs > 0 && !delayed) {
        delayed = true;
        await this.sleep(v.delayMs, signal);
        continue;
      }
      if (v.allowed) return { allowed: true, attempt: this.begin(address, identity) };
      if (!('busy' in v) || signal?.aborted || this.o.now() >= until) return { allowed: false, retryAfterMs: v.retryAfterMs, scope: v.scope };
      await this.ended(v.busy, until - this.o.now(), signal);
    }
  }

  // Resolves after ms or on abort. The timer keeps no process alive (a stopping server waits
  // for no login).
  private sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => done(), ms).unref();
      const done = () => {
        clearTimeout(t);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  // Resolves when an attempt in flight for `key` ends (or after ms, or on abort).
  private ended(key: string, ms: number, signal?: AbortSignal): Promise<void> {
    const slept = new AbortController();
    const list = this.waiters.get(key) ?? [];
    list.push(() => slept.abort());
    this.waiters.set(key, list);
    return this.sleep(ms, signal ? AbortSignal.any([signal, slept.signal]) : slept.signal);
  }

  private begin(address: string, identity: string): Attempt {
    const keys = this.keys(address, identity).map(([key]) => key);
    for (const key of keys) this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    let open = true;
    const end = () => {
      if (!open) return false;
      open = false;
      for (const key of keys) {
        const n = (this.inFlight.get(key) ?? 1) - 1;
        if (n <= 0) this.inFlight.delete(key);
        else this.inFlight.set(key, n);
      }
      // Attempts waiting on these keys are judged again, once the outcome is recorded.
      queueMicrotask(() => {
        for (const key of keys) {
          const list = this.waiters.get(key);
          this.waiters.delete(key);
          for (const wake of list ?? []) wake();
        }
      });
      return true;
    };
    return {
      failed: () => {
        if (end()) this.failure(address, identity);
      },
      // A success clears the client's record; the account's stays, so that one client guessing
      // right does not unlock an account another client is attacking.
      succeeded: () => {
        if (end()) this.entries.delete(`a:${clientKey(address)}`);
      },
      abandoned: () => void end(),
    };
  }

  failure(address: string, identity: string | null): void {
    const now = this.o.now();
    for (const [key, , limit] of this.keys(address, identity)) this.bump(key, now, limit);
  }

  private keys(address: string, identity: string | null): [string, 'address' | 'account', number][] {
    const keys: [string, 'address' | 'account', number][] = [[`a:${clientKey(address)}`, 'address', this.o.lockLimitAddress]];
    if (identity !== null) keys.push([`u:${identity}`, 'account', this.o.lockLimitAccount]);
    return keys;
  }

  private entry(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && e.lockedUntil <= now && now - e.last > this.o.windowMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private bump(key: string, now: number, lockLimit: number): void {
    const e = this.entry(key, now) ?? { failures: 0, last: now, lockedUntil: 0 };
    e.failures++;
    e.last = now;
    if (e.failures >= lockLimit) {
      e.lockedUntil = now + this.o.lockMs;
      e.failures = 0;
    }
    this.entries.delete(key);
    this.entries.set(key, e);
    // Oldest first in a Map: drop the least recently failed keys beyond the bound.
    while (this.entries.size > this.o.maxKeys) this.entries.delete(this.entries.keys().next().value!);
  }
}
