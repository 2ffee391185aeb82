export { Store } from './store.ts';
export { StoreError, isStoreError, type StoreErrorCode } from './errors.ts';
export type { StoreChange, ChangeListener } from './changes.ts';
export type { AccountInfo, Resolution } from './accounts.ts';
export type { DeliveryOutcome, DeliveryTarget, FlagUpdate } from './messages.ts';
export type { MailboxRecord, MessageRecord, AliasRecord, DomainRecord } from './records.ts';
export { DELIMITER, INBOX, DEFAULT_MAILBOXES, normalizeMailboxName } from './mailboxes.ts';
export { SYSTEM_FLAGS, type FlagOp } from './flags.ts';
export { normalizeAddress, normalizeDomain } from './addresses.ts';
