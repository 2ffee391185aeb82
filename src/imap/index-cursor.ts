// A walk over a session's UIDs, ascending, in the mailbox index (src/store/mailbox-index.ts): each
// UID is looked for first just past the one found last, before a binary search, so a pass over a
// mailbox costs a comparison per message. Commits update the index in place while a command
// yields; one dropped meanwhile (evicted, or the mailbox deleted) is fetched again by refresh().
import type { MailboxIndex, Store } from '../store/index.ts';

export class IndexCursor {
  private store: Store['messages'];
  private mailboxId: number;
  index: MailboxIndex | null = null;
  private at = -1;

  constructor(store: Store['messages'], mailboxId: number) {
    this.store = store;
    this.mailboxId = mailboxId;
  }

  // False when the index must be fetched (again) before position(): after each yield, check.
  get current(): boolean {
    return this.index?.current ?? false;
  }

  async refresh(): Promise<void> {
    await this.store.indexReady(this.mailboxId);
    this.index = this.store.index(this.mailboxId);
    this.at = -1;
  }

  // The UID's position in the index, or -1 when it is no longer in the mailbox.
  position(uid: number): number {
    const index = this.index;
    if (!index) return -1;
    const i = this.at + 1 < index.length && index.uid(this.at + 1) === uid ? this.at + 1 : index.indexOf(uid);
    if (i >= 0) this.at = i;
    return i;
  }
}
