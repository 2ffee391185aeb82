import type { MessageStructure } from '../mime/types.ts';

// The records kept in LMDB, one interface per database (see open.ts for the key of each).
// msgpack, through lmdb-js; the shapes of `messages` records are fixed in record-shapes.ts.

export interface DomainRecord {
  name: string; // lowercase A-label
  createdAt: number;
}

export interface AccountRecord {
  id: number;
  address: string; // lowercase local@domain
  passwordHash: string; // PHC string, see src/auth/password.ts
  quota: number; // bytes; 0 means no limit
  disabled: boolean;
  // RFC 1939 APOP needs a secret the server can read; opt-in and separate from the login
  // password, which is only ever stored hashed.
  popSecret: string | null;
  createdAt: number;
}

export interface AliasRecord {
  address: string; // lowercase local@domain, or "@domain" for the domain's catch-all
  targets: string[]; // local accounts, other aliases, or external addresses
}

export interface MailboxRecord {
  id: number;
  accountId: number;
  name: string; // UTF-8, hierarchy delimiter "/", "INBOX" always in that case
  uidValidity: number;
  uidNext: number;
  highestModSeq: number;
  specialUse: string | null; // RFC 6154: \Sent, \Drafts, \Trash, \Junk, \Archive
  // RFC 3501 6.3.4: a deleted mailbox with inferiors keeps its name as \Noselect.
  noSelect: boolean;
  count: number;
  unseen: number;
  size: number;
  // Every keyword a message of the mailbox has carried: it only grows, so SELECT sends FLAGS
  // (RFC 9051 7.3.5) without reading the messages.
  keywords: string[];
  // Expunge tombstones kept (the expunged database), and the lowest MODSEQ from which VANISHED is
  // still exact: older tombstones are pruned (messages.ts), and a QRESYNC from before this floor
  // gets the full resync RFC 7162 3.2.5.2 allows.
  tombstones: number;
  vanishedSince: number;
  // The MODSEQ of the last change to messages already in the mailbox (flags, expunges); adding
  // messages does not count. A stored index older than it cannot be caught up (mailbox-index.ts).
  modifiedModSeq: number;
}

export interface MessageRecord {
  uid: number;
  hash: Buffer; // SHA-256 of the raw message: the key of its body
  flags: string[]; // system flags ("\\Seen") and keywords; never \Recent
  internalDate: number; // ms since the epoch
  size: number;
  octets: number; // RFC 1939 11: the size in CRLF form, as POP3 reports it
  modseq: number;
}

// Kept apart from the raw body (which is written once) and together with each other: a delivery
// touches one small record here instead of two. The parse's header index is kept in the body's
// header record (header-records.ts), not twice.
export interface BodyMetaRecord {
  refs: number; // messages and queue entries that point at the body
  size: number;
  parsed: MessageStructure;
}
