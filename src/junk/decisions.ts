// The last junk decisions of each account, for `homepost junk stats` and the setup page: each
// verdict matched to the copy delivery stored (by account and the copy's SHA-256, service.ts
// expect()), so each decision names the mailbox and UID the message really got. A few per account,
// in memory and saved by the service now and then (service.ts); never a word of the body, only the
// subject (cut short) and the filter's clues.
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
  // Accounts whose decisions changed since takeChanged().
  private changed = new Set<number>();

  add(accountId: number, d: JunkDecision): void {
    const list = this.byAccount.get(accountId) ?? [];
    list.unshift(d);
    if (list.length > DECISIONS_KEPT) list.pop();
    this.byAccount.set(accountId, list);
    this.changed.add(accountId);
  }

  // Decisions saved earlier, older than any added since.
  restore(accountId: number, saved: readonly JunkDecision[]): void {
    const list = [...(this.byAccount.get(accountId) ?? []), ...saved].slice(0, DECISIONS_KEPT);
    if (list.length) this.byAccount.set(accountId, list);
  }

  // The accounts' decisions that changed, with the change forgotten.
  takeChanged(): [accountId: number, decisions: JunkDecision[]][] {
    const out = [...this.changed].map((id): [number, JunkDecision[]] => [id, this.recent(id)]);
    this.changed.clear();
    return out;
  }

  recent(accountId: number): JunkDecision[] {
    return this.byAccount.get(accountId) ?? [];
  }

  // The messages left the mailbox: their decisions stay, without a place. True when one did.
  gone(accountId: number, mailboxId: number, uids: readonly number[]): boolean {
    let changed = false;
    for (const d of this.recent(accountId)) {
      if (d.mailboxId !== mailboxId || d.uid === null || !uids.includes(d.uid)) continue;
      d.uid = null;
      changed = true;
    }
    if (changed) this.changed.add(accountId);
    return changed;
  }

  drop(accountId: number): void {
    this.byAccount.delete(accountId);
    this.changed.delete(accountId);
  }
}
