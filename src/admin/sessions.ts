// Admin sessions of the setup page: a random token in a cookie, kept in memory only (a restart
// logs the admin out). A session ends after IDLE_MS without a request, ABSOLUTE_MS after login
// whatever happens, or at logout. The table keeps SHA-256 digests of the tokens, not the tokens.
import { createHash, randomBytes } from 'node:crypto';

export const COOKIE_NAME = 'homepost_session';

export interface SessionOptions {
  idleMs?: number;
  absoluteMs?: number;
  // More logins than this push out the least recently used session.
  max?: number;
  now?: () => number;
}

interface Entry {
  created: number;
  lastSeen: number;
}

const TOKEN = /^[A-Za-z0-9_-]{43}$/; // 32 bytes, base64url

export class SessionTable {
  private entries = new Map<string, Entry>();
  private o: Required<SessionOptions>;

  constructor(options: SessionOptions = {}) {
    this.o = { idleMs: 30 * 60_000, absoluteMs: 12 * 3600_000, max: 32, now: Date.now, ...options };
  }

  get size(): number {
    return this.entries.size;
  }

  // A new session; the token goes to the client and nowhere else.
  create(): string {
    const token = randomBytes(32).toString('base64url');
    const now = this.o.now();
    for (const [key, e] of this.entries) if (this.expired(e, now)) this.entries.delete(key);
    while (this.entries.size >= this.o.max) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(digest(token), { created: now, lastSeen: now });
    return token;
  }

  // Whether the token names a live session; a live one counts as used now.
  touch(token: string | null): boolean {
    if (token === null || !TOKEN.test(token)) return false;
    const key = digest(token);
    const e = this.entries.get(key);
    if (!e) return false;
    const now = this.o.now();
    if (this.expired(e, now)) {
      this.entries.delete(key);
      return false;
    }
    e.lastSeen = now;
    // Most recently used last: the first entry is the one to push out.
    this.entries.delete(key);
    this.entries.set(key, e);
    return true;
  }

  delete(token: string | null): void {
    if (token !== null && TOKEN.test(token)) this.entries.delete(digest(token));
  }

  // Every session but keep's (a token), which may be null: the admin password was changed.
  clearExcept(keep: string | null): void {
    const kept = keep !== null && TOKEN.test(keep) ? this.entries.get(digest(keep)) : undefined;
    this.entries.clear();
    if (kept) this.entries.set(digest(keep!), kept);
  }

  // Ends every session (the admin password was reset).
  clear(): void {
    this.entries.clear();
  }

  private expired(e: Entry, now: number): boolean {
    return now - e.lastSeen >= this.o.idleMs || now - e.created >= this.o.absoluteMs;
  }
}

function digest(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

// The session token from a Cookie header (RFC 6265 5.4), or null.
export function sessionToken(cookieHeader: string | undefined): string | null {
  if (!cookieHeader) return null;
  for (const pair of cookieHeader.split(';')) {
    const eq = pair.indexOf('=');
    if (eq > 0 && pair.slice(0, eq).trim() === COOKIE_NAME) return pair.slice(eq + 1).trim();
  }
  return null;
}

// RFC 6265 4.1; SameSite (RFC 6265bis 4.1.2.7) Strict: no cross-site request carries it.
export function sessionCookie(token: string): string {
  return `${COOKIE_NAME}=${token}; HttpOnly; Secure; SameSite=Strict; Path=/`;
}

export function clearedSessionCookie(): string {
  return `${COOKIE_NAME}=; HttpOnly; Secure; SameSite=Strict; Path=/; Max-Age=0`;
}
