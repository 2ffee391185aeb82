export { type OpenOptions, Store } from './store.ts';
export { StoreError, isStoreError, type StoreErrorCode } from './errors.ts';
export type { StoreChange, ChangeListener } from './changes.ts';
export type { AccountInfo, StoredCredentials } from './accounts.ts';
export type { Resolution } from './aliases.ts';
export type { DeliveryOutcome, DeliveryTarget, FlagUpdate, MessageReads } from './messages.ts';
export { bodyHash, contentHash, type PreparedBody } from './bodies.ts';
export type {
  QueueEntry,
  QueueRecipient,
  QueueRecipientState,
  EnqueueOptions,
  EnqueueRecipient,
  QueuedSenderMarks,
  RecipientDsn,
  QueueEvent,
} from './queue.ts';
export { isPending } from './queue.ts';
export type { TrainedLabel } from './junk.ts';
export type { DomainHistory } from './reputation.ts';
export type { GreylistState } from './greylist.ts';
export type { DkimKey, DkimDomainRecord, DkimAlgorithm } from './dkim.ts';
export type { MailboxRecord, MessageRecord, AliasRecord, DomainRecord } from './records.ts';
export type { MailboxIndex } from './mailbox-index.ts';
export type { HeaderRecord } from './header-records.ts';
export type { HeaderCacheReader, MessageSummary } from './header-cache.ts';
export { BODY_READ_AT_ONCE, ReadAhead } from './read-ahead.ts';
export { free, isOwned } from './free.ts';
export { octetSize } from './octets.ts';
export { DELIMITER, INBOX, DEFAULT_MAILBOXES, normalizeMailboxName } from './mailboxes.ts';
export { SYSTEM_FLAGS, type FlagOp } from './flags.ts';
export { normalizeMailAddress, normalizeDomain } from './addresses.ts';
