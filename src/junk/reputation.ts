// Sender reputation (docs/junk.md "Sender reputation"): an account trusts the author of a message
// that DMARC vouched for when it has sent mail to that address, or when the author's domain, with
// an aligned DKIM signature, has a good history with it. Trusted mail is never filed into Junk by
// content alone (filter.ts judgeScan). The history is what the account's filter said of the
// domain's DKIM-aligned mail; the store keeps both, bounded (src/store/reputation.ts).
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

// The domain's history grows by each verdict of a trained filter on its DKIM-aligned mail (a
// trusted message included: what the words said of it counts against the domain all the same).
export function historyEntry(accountId: number, author: Author | null | undefined, verdict: JunkVerdict) {
  return author?.dkimAligned && verdict.byContent !== null ? { accountId, domain: author.domain, spam: verdict.byContent } : null;
}
