// Typed changes the store announces after the commit that made them (one process, an in-process
// event bus: docs/store.md). Open sessions of the same account apply them to their own view; a change
// carries the `origin` the writer passed, so a session can tell its own changes apart.

export type StoreChange =
  // source: the mailbox a COPY or MOVE took the messages from.
  | { kind: 'added'; accountId: number; mailboxId: number; uids: number[]; source?: number; origin?: unknown }
  | {
      kind: 'flags';
      accountId: number;
      mailboxId: number;
      messages: { uid: number; flags: string[]; modseq: number; previous?: string[] }[]; // previous: the flags before
      origin?: unknown;
    }
  | { kind: 'expunged'; accountId: number; mailboxId: number; uids: number[]; modseq: number; origin?: unknown }
  | { kind: 'mailbox-created'; accountId: number; mailboxId: number; name: string; origin?: unknown }
  | { kind: 'mailbox-deleted'; accountId: number; mailboxId: number; name: string; origin?: unknown }
  | { kind: 'mailbox-renamed'; accountId: number; mailboxId: number; name: string; oldName: string; origin?: unknown }
  | { kind: 'account-deleted'; accountId: number; origin?: unknown };

export type ChangeListener = (change: StoreChange) => void;

// Listeners per account, plus listeners for every account (the outbound queue, metrics).
// A listener that throws is reported through onError and does not stop the others.
export class ChangeBus {
  private byAccount = new Map<number, Set<ChangeListener>>();
  private all = new Set<ChangeListener>();
  private onError: (e: unknown) => void;

  constructor(onError: (e: unknown) => void) {
    this.onError = onError;
  }

  subscribe(accountId: number | '*', listener: ChangeListener): () => void {
    if (accountId === '*') {
      this.all.add(listener);
      return () => this.all.delete(listener);
    }
    let set = this.byAccount.get(accountId);
    if (!set) {
      set = new Set();
      this.byAccount.set(accountId, set);
    }
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0) this.byAccount.delete(accountId);
    };
  }

  publish(change: StoreChange): void {
    for (const l of [...(this.byAccount.get(change.accountId) ?? []), ...this.all]) {
      try {
        l(change);
      } catch (e) {
        this.onError(e);
      }
    }
  }
}
