// Sender reputation for the junk filter (docs/junk.md "Sender reputation"), kept per account and
// bounded: the addresses the account sent mail to (its correspondents, newest kept), and per
// sender domain how its DKIM-aligned mail was judged. Opaque counts here; src/junk decides what
// a good history is. Each record is a few dozen bytes; writes made in one event turn share a
// commit (context.ts).
import type { StoreContext } from './context.ts';
import type { Dbs } from './open.ts';

// Per account: correspondents and domains kept, the oldest going first past the cap (to 90% of it,
// so a prune is followed by many writes without one).
export const MAX_CORRESPONDENTS = 4096;
export const MAX_DOMAINS = 2048;

// A sender domain's record: its mail judged ham and spam, and when it was last seen (ms).
export interface DomainHistory {
  ham: number;
  spam: number;
  seen: number;
}

type Key = [number, string];
const range = (accountId: number) => ({ start: [accountId], end: [accountId + 1] });

export class Reputation {
  private ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  // Whether the account has sent mail to this address (lowercase addr-spec).
  isCorrespondent(accountId: number, address: string): boolean {
    return this.ctx.dbs.junkCorrespondents.get([accountId, address]) !== undefined;
  }

  domain(accountId: number, domain: string): DomainHistory | null {
    return this.ctx.dbs.junkDomains.get([accountId, domain]) ?? null;
  }

  // The recipients of one submitted message, with the time it was sent: one small write.
  recordSent(accountId: number, addresses: readonly string[], now = Date.now()): Promise<void> {
    return this.ctx.write(() => {
      const db = this.ctx.dbs.junkCorrespondents;
      if (!this.ctx.dbs.accountIds.get(accountId)) return;
      let added = false;
      for (const a of new Set(addresses)) {
        added ||= db.get([accountId, a]) === undefined;
        db.putSync([accountId, a], now);
      }
      if (added) prune(db, accountId, MAX_CORRESPONDENTS, (v) => v);
    });
  }

  // One judgement of a domain's mail per account (a delivery's accounts in one write).
  recordDomain(judged: readonly { accountId: number; domain: string; spam: boolean }[], now = Date.now()): Promise<void> {
    return this.ctx.write(() => {
      const db = this.ctx.dbs.junkDomains;
      for (const { accountId, domain, spam } of judged) {
        if (!this.ctx.dbs.accountIds.get(accountId)) continue;
        const old = db.get([accountId, domain]);
        const next = { ham: (old?.ham ?? 0) + (spam ? 0 : 1), spam: (old?.spam ?? 0) + (spam ? 1 : 0), seen: now };
        db.putSync([accountId, domain], next);
        if (!old) prune(db, accountId, MAX_DOMAINS, (v) => v.seen);
      }
    });
  }
}

// Past `max` records of the account, the least recent go, down to 90% of max.
function prune<V>(db: import('lmdb').Database<V, Key>, accountId: number, max: number, time: (v: V) => number): void {
  if (db.getKeysCount(range(accountId)) <= max) return;
  const rows = [...db.getRange(range(accountId))].sort((a, b) => time(a.value) - time(b.value));
  for (const { key } of rows.slice(0, rows.length - Math.floor(max * 0.9))) db.removeSync(key);
}

// Inside the write that deletes the account.
export function removeReputation(dbs: Dbs, accountId: number): void {
  for (const db of [dbs.junkCorrespondents, dbs.junkDomains] as const) for (const key of db.getKeys(range(accountId))) db.removeSync(key);
}
