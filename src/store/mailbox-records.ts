// Each mailbox's record (UIDNEXT, HIGHESTMODSEQ, counters, keywords) is kept in the `messages`
// database at [mailbox id, MAILBOX_KEY], just after the mailbox's last message. A delivery
// rewrites both the new message and the record: beside each other they share a leaf page, so
// the commit copies one B-tree path fewer than with the records in a database of their own
// (format 6; docs/store.md "Tuned for SD cards"). A mailbox's messages are therefore read with
// messageRange(), which stops before the record.
import type { Database } from 'lmdb';
import type { MailboxRecord, MessageRecord } from './records.ts';

// Above every UID (RFC 9051 2.3.1.1: a 32-bit number), so no message can take its place.
export const MAILBOX_KEY = 2 ** 32;

// The keys of a mailbox's messages from `fromUid` on, for getRange() over `messages` (and
// `expunged`, whose keys have the same shape).
export function messageRange(mailboxId: number, fromUid = 1): { start: [number, number]; end: [number, number] } {
  return { start: [mailboxId, fromUid], end: [mailboxId, MAILBOX_KEY] };
}

export class MailboxRecords {
  private db: Database<MailboxRecord, [number, number]>;

  constructor(messages: Database<MessageRecord, [number, number]>) {
    this.db = messages as unknown as Database<MailboxRecord, [number, number]>;
  }

  get(id: number): MailboxRecord | undefined {
    return this.db.get([id, MAILBOX_KEY]);
  }

  doesExist(id: number): boolean {
    return this.db.doesExist([id, MAILBOX_KEY]);
  }

  // Inside a write, as lmdb-js's putSync and removeSync.
  putSync(id: number, record: MailboxRecord): void {
    this.db.putSync([id, MAILBOX_KEY], record);
  }

  removeSync(id: number): void {
    this.db.removeSync([id, MAILBOX_KEY]);
  }

  // Every mailbox, by id: a seek per mailbox, from the first key past the last one found.
  *all(): Generator<MailboxRecord> {
    let from: [number, number] = [0, 0];
    for (;;) {
      let id: number | null = null;
      for (const key of this.db.getKeys({ start: from, limit: 1 })) id = key[0];
      if (id === null) return;
      const record = this.get(id);
      if (record) yield record;
      from = [id, MAILBOX_KEY + 1];
    }
  }
}
