// \Recent for IMAP4rev1 clients (RFC 3501 2.3.2), kept in process memory because read paths never
// write to the store (docs/store.md). A message is recent to the first session told about it; per
// mailbox we remember the highest UID some session has claimed. After a restart nothing is known,
// and "if it is not possible to determine whether or not this session is the first session to be
// notified about a message, then that message SHOULD be considered recent".
export class RecentTracker {
  private claimed = new Map<number, number>();

  // The UIDs (ascending) this session is the first to see; they become claimed.
  claim(mailboxId: number, uids: ArrayLike<number>): number[] {
    const mine = this.peek(mailboxId, uids);
    if (mine.length) this.claimed.set(mailboxId, mine[mine.length - 1]!);
    return mine;
  }

  // The UIDs that would be recent, without claiming them (RFC 3501 6.3.2: EXAMINE "MUST NOT cause
  // messages to lose the \Recent flag").
  peek(mailboxId: number, uids: ArrayLike<number>): number[] {
    const floor = this.claimed.get(mailboxId) ?? 0;
    const out: number[] = [];
    // Ascending: only the tail can be above the floor.
    let i = uids.length;
    while (i > 0 && uids[i - 1]! > floor) i--;
    for (; i < uids.length; i++) out.push(uids[i]!);
    return out;
  }

  // UIDs above this are recent to the next session that selects the mailbox.
  floor(mailboxId: number): number {
    return this.claimed.get(mailboxId) ?? 0;
  }

  forget(mailboxId: number): void {
    this.claimed.delete(mailboxId);
  }
}
