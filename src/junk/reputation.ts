// Sender reputation (docs/junk.md "Sender reputation"): an account trusts the author of a message
// that DMARC vouched for when it has sent mail to that address, or when the author's domain, with
// an aligned DKIM signature, has a good history with it. Trusted mail is never filed into Junk by
// content alone (filter.ts judgeScan). The history is what the account's filter said of the
// domain's DKIM-aligned mail; the store keeps both, bounded (src/store/reputation.ts).
import type { Logger } from '../log/log.ts';
import type { DomainHistory, Store } from '../store/index.ts';
import type { Author, JunkVerdict, Trust } from './filter.ts';

// A good history: at least this much of the domain's aligned mail judged ham by content, and at
// most one message in twenty judged junk.
export const GOOD_HAM = 10;
export const SPAM_PER_HAM = 1 / 20;

export function goodHistory(h: DomainHistory | null): boolean {
  return h !== null && h.ham >= GOOD_HAM && h.spam <= h.ham * SPAM_PER_HAM;
}

export function trustOf(store: Store, accountId: number, author: Author | null | undefined): Trust | null {
  if (!author) return null;
  if (store.reputation.isCorrespondent(accountId, author.address)) return 'correspondent';
  return author.dkimAligned && goodHistory(store.reputation.domain(accountId, author.domain)) ? 'domain' : null;
}

export interface HistoryEntry {
  accountId: number;
  domain: string;
  spam: boolean;
}

// The domain's history grows by each verdict of a trained filter on its DKIM-aligned mail (a
// trusted message included: what the words said of it counts against the domain all the same).
export function historyEntry(accountId: number, author: Author | null | undefined, verdict: JunkVerdict): HistoryEntry | null {
  return author?.dkimAligned && verdict.byContent !== null ? { accountId, domain: author.domain, spam: verdict.byContent } : null;
}

// History entries wait in memory and are written together: one commit per FLUSH_MS at most (or
// per FLUSH_ENTRIES), not one per delivery (an SD card pays for each commit). A stop or a crash
// loses what waits: a little history, never mail.
export const FLUSH_MS = 60_000;
const FLUSH_ENTRIES = 1024;
const waiting = new WeakMap<Store, { entries: HistoryEntry[]; timer: NodeJS.Timeout }>();

export function recordHistory(store: Store, entries: readonly HistoryEntry[], log: Logger): void {
  let batch = waiting.get(store);
  if (!batch) {
    batch = { entries: [], timer: setTimeout(() => flushHistory(store, log), FLUSH_MS).unref() };
    waiting.set(store, batch);
  }
  batch.entries.push(...entries);
  if (batch.entries.length >= FLUSH_ENTRIES) flushHistory(store, log);
}

export function flushHistory(store: Store, log: Logger): Promise<void> {
  const batch = waiting.get(store);
  if (!batch) return Promise.resolve();
  waiting.delete(store);
  clearTimeout(batch.timer);
  return Promise.resolve()
    .then(() => store.reputation.recordDomain(batch.entries))
    .catch((e: unknown) => log.warn('junk.history_failed', { error: e as Error }));
}
