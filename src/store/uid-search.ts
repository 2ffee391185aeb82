// Binary search over UIDs kept ascending (RFC 9051 2.3.1.1: UIDs only grow), shared by the store's
// mailbox index, IMAP's session view and POP3's maildrop. Pure: no database behind it.

// The position of `uid` among the first `length` entries, or -1.
export function positionOfUid(uids: ArrayLike<number>, length: number, uid: number): number {
  const i = firstUidAtLeast(uids, length, uid);
  return i < length && uids[i] === uid ? i : -1;
}

// The position of the first UID at least `uid` among the first `length` (length when none is).
export function firstUidAtLeast(uids: ArrayLike<number>, length: number, uid: number): number {
  let lo = 0;
  let hi = length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (uids[mid]! < uid) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
