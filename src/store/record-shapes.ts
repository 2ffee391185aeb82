// The record shapes of the `messages` database, fixed in the code. msgpackr (lmdb-js's encoding)
// writes a record of a shape it does not know with the shape's field names in front of its values,
// in every value: 50 of a message record's 113 bytes. A record of a shape listed here is written
// as the shape's one-byte id (0x40 + its position) and its values alone: 63 bytes. So a leaf page
// holds almost twice the records, and a STORE or EXPUNGE over a mailbox writes about half the pages.
//
// msgpackr calls such a list "shared structures"; lmdb-js would save new ones in the file as they
// appear, but from inside the encoder, which hangs in a child transaction (docs/store.md). These
// never change, so nothing is saved: a shape not listed (an older record's field order) is still
// written, and read, with its names inline. Records written before format 7 read the same.
// Append only: a stored record names its shape by position. A release that does not know the list
// cannot read such records, so the list came with store format 7 (open.ts), which it refuses.
import type { MailboxRecord, MessageRecord } from './records.ts';

const MESSAGE: (keyof MessageRecord)[] = ['uid', 'hash', 'flags', 'internalDate', 'size', 'octets', 'modseq'];
const MAILBOX: (keyof MailboxRecord)[] = [
  'id',
  'accountId',
  'name',
  'uidValidity',
  'uidNext',
  'highestModSeq',
  'specialUse',
  'noSelect',
  'count',
  'unseen',
  'size',
  'keywords',
  'tombstones',
  'vanishedSince',
  'modifiedModSeq',
];

const MESSAGES_SHAPES: readonly (readonly string[])[] = [MESSAGE, MAILBOX];

// lmdb-js's `encoder` option for the database: msgpackr's options. Each database gets arrays of its
// own (msgpackr keeps its lookup tables on them), marked shared so that reading an older record,
// whose inline shape takes the same id for the length of that read, gives the id back after it.
export function messagesEncoding(): { structures: string[][]; maxSharedStructures: number } {
  return {
    structures: MESSAGES_SHAPES.map((keys) => Object.assign([...keys], { isShared: true })),
    maxSharedStructures: MESSAGES_SHAPES.length,
  };
}
