// The greylist's memory (src/smtpserver/policy/rcpt.greylist.ts): per triplet of client network,
// envelope sender and recipient, when it was first tried and when a retry last passed. Bounded:
// entries expire, and past MAX_GREYLIST the least recent go. A triplet is written when first seen,
// when its retry passes, and then at most once a day: a few dozen bytes each.
import type { StoreContext } from './context.ts';

export interface GreylistEntry {
  first: number; // ms of the first attempt
  passed: number; // ms of the last passing attempt (refreshed at most daily), 0 while unconfirmed
}

// What the attempt is: the first (or the first after its entry expired), a retry before the delay,
// or one that passes.
export type GreylistState = 'new' | 'early' | 'pass';

// An unconfirmed triplet is forgotten after 36 hours, a confirmed one 35 days after its last pass.
export const UNCONFIRMED_MS = 36 * 3600_000;
export const CONFIRMED_MS = 35 * 24 * 3600_000;
const REFRESH_MS = 24 * 3600_000;
export const MAX_GREYLIST = 20_000;

// LMDB's own count (mdb_stat): no scan.
const entries = (db: { getStats(): object }) => (db.getStats() as { entryCount: number }).entryCount;
const lastActive = (e: GreylistEntry) => Math.max(e.first, e.passed);
const expired = (e: GreylistEntry, now: number) => (e.passed ? now - e.passed > CONFIRMED_MS : now - e.first > UNCONFIRMED_MS);

export class Greylist {
  private ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  // Records the attempt; resolves once what it wrote is committed (nothing is written for a retry
  // before the delay, or for a pass refreshed within the day).
  async attempt(triplet: string, delayMs: number, now = Date.now()): Promise<GreylistState> {
    const db = this.ctx.dbs.greylist;
    const entry = db.get(triplet);
    if (entry && !expired(entry, now)) {
      if (entry.passed) {
        if (now - entry.passed >= REFRESH_MS) await this.ctx.write(() => db.putSync(triplet, { first: entry.first, passed: now }));
        return 'pass';
      }
      if (now - entry.first < delayMs) return 'early';
      await this.ctx.write(() => db.putSync(triplet, { first: entry.first, passed: now }));
      return 'pass';
    }
    await this.ctx.write(() => {
      db.putSync(triplet, { first: now, passed: 0 });
      if (entries(db) > MAX_GREYLIST) this.prune(now);
    });
    return 'new';
  }

  size(): number {
    return entries(this.ctx.dbs.greylist);
  }

  // Inside a write: the expired entries go, then the least recently active down to 90% of the cap.
  private prune(now: number): void {
    const db = this.ctx.dbs.greylist;
    const rows = [...db.getRange()].sort((a, b) => lastActive(a.value) - lastActive(b.value));
    const excess = rows.length - Math.floor(MAX_GREYLIST * 0.9);
    rows.forEach(({ key, value }, i) => {
      if (i < excess || expired(value, now)) db.removeSync(key);
    });
  }
}
