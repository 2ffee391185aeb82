// Throttles failed authentication, shared by SMTP AUTH, IMAP LOGIN/AUTHENTICATE and POP3
// USER/PASS/APOP/AUTH. Failures are counted per client address and per account name:
// - after SOFT_LIMIT failures, each further attempt waits (doubling, up to MAX_DELAY_MS);
// - after LOCK_LIMIT failures, the address (or the account, from any address) is refused outright
//   for LOCK_MS, which each protocol answers with its temporary error (SMTP 454 4.7.0 / 421,
//   IMAP NO [UNAVAILABLE], POP3 -ERR [LOGIN-DELAY] ...).
// Counts decay: a key with no failure for WINDOW_MS is forgotten. Memory is bounded by MAX_KEYS.

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

export type ThrottleVerdict =
  | { allowed: true; delayMs: number }
  | { allowed: false; retryAfterMs: number; scope: 'address' | 'account' };

interface Entry {
  failures: number;
  last: number;
  lockedUntil: number;
}

export class AuthThrottle {
  private entries = new Map<string, Entry>();
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

  // What to do with an attempt from `address` for account name `user` (null before it is known).
  check(address: string, user: string | null): ThrottleVerdict {
    const now = this.o.now();
    const a = this.entry('a:' + address, now);
    const u = user === null ? undefined : this.entry('u:' + user.toLowerCase(), now);
    for (const [e, scope] of [[a, 'address'], [u, 'account']] as const) {
      if (e && e.lockedUntil > now) return { allowed: false, retryAfterMs: e.lockedUntil - now, scope };
    }
    const failures = Math.max(a?.failures ?? 0, u?.failures ?? 0);
    const over = failures - this.o.softLimit;
    const delayMs = over < 0 ? 0 : Math.min(this.o.baseDelayMs * 2 ** over, this.o.maxDelayMs);
    return { allowed: true, delayMs };
  }

  // Waits the delay check() asks for; resolves to the verdict (callers refuse when not allowed).
  async gate(address: string, user: string | null, signal?: AbortSignal): Promise<ThrottleVerdict> {
    const v = this.check(address, user);
    if (v.allowed && v.delayMs > 0) {
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, v.delayMs);
        signal?.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
      });
    }
    return v;
  }

  failure(address: string, user: string | null): void {
    const now = this.o.now();
    this.bump('a:' + address, now, this.o.lockLimitAddress);
    if (user !== null) this.bump('u:' + user.toLowerCase(), now, this.o.lockLimitAccount);
  }

  // A success clears the address's record; the account's stays, so that one address guessing
  // correctly does not unlock an account another address is attacking.
  success(address: string): void {
    this.entries.delete('a:' + address);
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
