// Reads the messages a pass goes through (a SEARCH over the text, a FETCH of many messages) into
// memory on lmdb-js's threads, batches ahead of the pass, and says when those of a message are
// there.
// The store is opened with noReadAhead (open.ts): a record or body read on the event loop faults
// its pages in one at a time and holds every other session meanwhile. With the disk busy each
// such fault waited 15-20 ms here, and a cold 100 KB body or a batch of records held the loop
// 30-170 ms (SEARCH TEXT over 50,000 messages, bench-imap-scale); a pass that waits for ready()
// reads them without a fault, and the threads keep the disk busy while the loop works.
import type { MessageReads, Messages } from './messages.ts';

// A body up to this size is read on the event loop at once: cold, it costs the loop a few pages,
// less than the threads' round trip, which every read of a warm one would pay (a POP3 download of
// 1,000 warm 4 KB messages: 0.27 s through the threads, 0.13-0.15 s without). A larger one is
// read on the threads first (a 1 MB body: 256 disk reads).
export const BODY_READ_AT_ONCE = 64 * 1024;

export interface ReadAheadOptions {
  reads: MessageReads; // the records, and their bodies' parses, or whole bodies
  batch: number; // messages per read
  batches: number; // reads in flight past the batch of the message the pass is at
}

export class ReadAhead {
  private messages: Messages;
  private mailboxId: number;
  private uids: ArrayLike<number>;
  private o: ReadAheadOptions;
  private asked = 0; // the positions in `uids` read ahead: those below this
  // The reads not yet passed, in order: each covers the positions below `to` from the one before.
  private reading: { to: number; over: boolean; done: Promise<void> }[] = [];

  // `uids`: the messages of the mailbox the pass reads, in the order it reads them.
  constructor(messages: Messages, mailboxId: number, uids: ArrayLike<number>, o: ReadAheadOptions) {
    this.messages = messages;
    this.mailboxId = mailboxId;
    this.uids = uids;
    this.o = o;
  }

  // Resolves when the message at position i of `uids` is in memory; null when it is. Called with
  // ascending positions.
  ready(i: number): Promise<void> | null {
    const until = Math.min(this.uids.length, (Math.floor(i / this.o.batch) + 1 + this.o.batches) * this.o.batch);
    while (this.asked < until) this.read();
    while (this.reading.length && this.reading[0]!.to <= i) this.reading.shift();
    const covering = this.reading[0];
    return covering && !covering.over ? covering.done : null;
  }

  private read(): void {
    const from = this.asked;
    const to = Math.min(from + this.o.batch, this.uids.length);
    this.asked = to;
    const uids: number[] = [];
    for (let i = from; i < to; i++) uids.push(this.uids[i]!);
    const entry = { to, over: false, done: Promise.resolve() };
    entry.done = this.messages.prefetchMessages(this.mailboxId, uids, this.o.reads).then(() => {
      entry.over = true;
    });
    this.reading.push(entry);
  }
}
