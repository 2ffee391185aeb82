// The durable outbound queue: messages accepted for recipients this server does not deliver
// locally (authenticated submission, trusted relay, aliases that forward). An entry holds the
// envelope, each recipient's state, and a reference to the message body, which is stored once
// and reference-counted like a mailbox message (bodies.ts). SMTP acknowledges a message only after
// its entry's commit is on disk; the outbound delivery (a later module) takes entries whose
// nextAttemptAt has come, updates recipients, and removes the entry when nothing is left to do.
import { parseMessage } from '../mime/parse.ts';
import { bodyHash, type Bodies } from './bodies.ts';
import type { StoreContext } from './context.ts';
import { StoreError } from './errors.ts';

// queued: not tried yet; deferred: a temporary failure, retried at nextAttemptAt;
// delivered: done; failed: a permanent failure (a bounce is owed to the sender).
export type QueueRecipientState = 'queued' | 'deferred' | 'delivered' | 'failed';

export interface QueueRecipient {
  address: string;
  state: QueueRecipientState;
  attempts: number;
  lastAttemptAt: number | null;
  // The last reply or error text ("452 4.2.2 Mailbox full"), for bounces and `homepost queue`.
  lastResult: string | null;
}

export interface QueueEntry {
  id: number;
  // Envelope sender (RFC 5321 reverse-path); "" for the null sender.
  sender: string;
  recipients: QueueRecipient[];
  hash: Buffer; // body, see bodies.ts
  size: number;
  arrivedAt: number;
  nextAttemptAt: number;
  // The account that submitted it, null for relayed or forwarded mail.
  accountId: number | null;
  // RFC 6531 SMTPUTF8 and RFC 6152 BODY=8BITMIME of the original transaction.
  smtpUtf8: boolean;
  bodyType: '7bit' | '8bitmime';
}

export interface EnqueueOptions {
  sender: string;
  recipients: string[];
  raw: Buffer;
  accountId?: number | null;
  smtpUtf8?: boolean;
  bodyType?: '7bit' | '8bitmime';
  // Recipients that already failed temporarily (state "deferred" with this result).
  deferred?: { address: string; result: string }[];
  now?: number;
}

export class Queue {
  private ctx: StoreContext;
  private bodies: Bodies;

  constructor(ctx: StoreContext, bodies: Bodies) {
    this.ctx = ctx;
    this.bodies = bodies;
  }

  // Adds an entry; resolves once its commit is on disk.
  async enqueue(o: EnqueueOptions): Promise<QueueEntry> {
    const recipients: QueueRecipient[] = [
      ...o.recipients.map((address): QueueRecipient => ({ address, state: 'queued', attempts: 0, lastAttemptAt: null, lastResult: null })),
      ...(o.deferred ?? []).map((d): QueueRecipient => ({ address: d.address, state: 'deferred', attempts: 1, lastAttemptAt: o.now ?? Date.now(), lastResult: d.result })),
    ];
    if (recipients.length === 0) throw new StoreError('invalid', 'a queue entry needs a recipient');
    const hash = bodyHash(o.raw);
    const parsed = this.bodies.exists(hash) ? undefined : parseMessage(o.raw);
    const now = o.now ?? Date.now();
    return this.ctx.write(() => {
      const entry: QueueEntry = {
        id: this.ctx.next('nextQueueId'),
        sender: o.sender,
        recipients,
        hash,
        size: o.raw.length,
        arrivedAt: now,
        nextAttemptAt: now,
        accountId: o.accountId ?? null,
        smtpUtf8: o.smtpUtf8 ?? false,
        bodyType: o.bodyType ?? '7bit',
      };
      this.bodies.addRef(hash, o.raw, parsed ?? (this.bodies.exists(hash) ? undefined : parseMessage(o.raw)));
      this.ctx.dbs.queue.putSync(entry.id, entry);
      return entry;
    });
  }

  get(id: number): QueueEntry | null {
    return (this.ctx.dbs.queue.get(id) as QueueEntry | undefined) ?? null;
  }

  // Every entry, oldest first.
  list(): QueueEntry[] {
    return [...this.ctx.dbs.queue.getRange()].map((e) => e.value as QueueEntry);
  }

  // Entries with a recipient still to try whose next attempt is due at `now`.
  due(now = Date.now()): QueueEntry[] {
    return this.list().filter((e) => e.nextAttemptAt <= now && e.recipients.some((r) => r.state === 'queued' || r.state === 'deferred'));
  }

  body(entry: QueueEntry): Buffer | undefined {
    return this.bodies.get(entry.hash);
  }

  // Records attempts: new recipient states and the next attempt time, in one commit.
  async update(id: number, changes: { recipients?: QueueRecipient[]; nextAttemptAt?: number }): Promise<QueueEntry> {
    return this.ctx.write(() => {
      const entry = this.get(id);
      if (!entry) throw new StoreError('not-found', `no queue entry ${id}`);
      const next: QueueEntry = { ...entry, ...changes };
      this.ctx.dbs.queue.putSync(id, next);
      return next;
    });
  }

  // Removes an entry and its reference to the body.
  async remove(id: number): Promise<void> {
    await this.ctx.write(() => {
      const entry = this.get(id);
      if (!entry) throw new StoreError('not-found', `no queue entry ${id}`);
      this.ctx.dbs.queue.removeSync(id);
      this.bodies.unref(entry.hash);
    });
  }
}
