// Failures the store reports to its callers. Protocols map `code` to their own replies
// (SMTP 452 4.2.2 for over-quota, IMAP NO [OVERQUOTA], ...); `message` is for people and logs.

export type StoreErrorCode =
  | 'not-found' // no such domain, account, mailbox or message
  | 'exists' // the name is taken
  | 'invalid' // a name or value the store does not accept
  | 'forbidden' // allowed by syntax, not by the rules (deleting INBOX, a \Noselect with children)
  | 'over-quota' // the account's quota would be exceeded
  | 'limit' // a bound of the store's own (keywords in a mailbox) would be exceeded
  | 'full' // the disk or the LMDB map is full: a temporary condition, nothing was written
  | 'closed'; // the store was closed

export class StoreError extends Error {
  readonly code: StoreErrorCode;
  constructor(code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'StoreError';
    this.code = code;
  }
}

export function isStoreError(e: unknown, code?: StoreErrorCode): e is StoreError {
  return e instanceof StoreError && (code === undefined || e.code === code);
}

// LMDB reports a full map or disk as MDB_MAP_FULL / ENOSPC, and a commit the disk refused (full,
// file size limit, I/O error) as "Commit failed": in every case nothing of the batch was written,
// so callers answer "try again later" (SMTP 452 4.3.1, IMAP NO [SERVERBUG]...).
export function asFullError(e: unknown): StoreError | null {
  const text = String((e as Error)?.message ?? e);
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC' || /MDB_MAP_FULL|ENOSPC|No space left/i.test(text)) {
    return new StoreError('full', 'the mail store is full');
  }
  if (/^Commit failed/.test(text)) return new StoreError('full', 'the mail store could not write (disk full or failing)');
  return null;
}
