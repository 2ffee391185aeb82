// The last junk decisions of each account, for `homepost junk stats` and the setup page: each
// verdict matched to the copy delivery stored (by account and body hash, service.ts expect()), so
// each decision names the mailbox and UID the message really got. Kept in memory only, a few per
// account; never a word of the body, only the subject (cut short) and the filter's clues.
import type { Clue } from './classifier.ts';

// Decisions kept per account, newest first.
export const DECISIONS_KEPT = 20;
const SUBJECT_CHARS = 80;

export interface JunkDecision {
  at: number; // ms since the epoch
  rule: string;
  score: number;
  reasons: Clue[];
  subject: string | null;
  mailboxId: number;
  mailbox: string;
  // Null once the message left that mailbox (moved or expunged).
  uid: number | null;
}

export function shortSubject(subject: string | null): string | null {
  return subject === null || subject.length <= SUBJECT_CHARS ? subject : `${subject.slice(0, SUBJECT_CHARS - 1)}…`;
}

// Each account's last DECISIONS_KEPT decisions.
export class DecisionRing {
  private byAccount = new Map<number, JunkDecision[]>();

  add(accountId: number, d: JunkDecision): void {
    const list = this.byAccount.get(accountId) ?? [];
    list.unshift(d);
    if (list.length > DECISIONS_KEPT) list.pop();
    this.byAccount.set(accountId, list);
  }

  recent(accountId: number): JunkDecision[] {
    return this.byAccount.get(accountId) ?? [];
  }

  // The messages left the mailbox: their decisions stay, without a place.
  gone(accountId: number, mailboxId: number, uids: readonly number[]): void {
    for (const d of this.recent(accountId)) if (d.mailboxId === mailboxId && d.uid !== null && uids.includes(d.uid)) d.uid = null;
  }

  drop(accountId: number): void {
    this.byAccount.delete(accountId);
  }
}
