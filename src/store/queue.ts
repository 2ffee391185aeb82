// The durable outbound queue: messages accepted for recipients this server does not deliver
// locally (authenticated submission, trusted relay, aliases that forward) or could not deliver
// locally yet (a full mailbox). An entry holds the envelope, each recipient's state and delivery
// bookkeeping, and a reference to the message body, which is stored once and reference-counted
// like a mailbox message (bodies.ts). SMTP acknowledges a message only after its entry's commit is
// on disk; the outbound delivery (src/queue) takes entries whose recipients are due, records
// each attempt, and removes the entry when nothing is left to do (no recipient to try, no delivery
// status notification owed).
import { keyedBody, type Bodies, type PreparedBody } from './bodies.ts';
import type { StoreContext } from './context.ts';
import { StoreError } from './errors.ts';

// queued: not tried yet; deferred: a temporary failure, retried at nextAttemptAt;
// delivered: a peer (or the local store) accepted it; failed: a permanent failure.
export type QueueRecipientState = 'queued' | 'deferred' | 'delivered' | 'failed';

export interface QueueRecipient {
  address: string;
  state: QueueRecipientState;
  attempts: number;
  lastAttemptAt: number | null;
  // The last reply or error text ("452 4.2.2 Mailbox full"), for bounces and `homepost queue`.
  lastResult: string | null;
  // RFC 3463 status of lastResult ("4.2.2") and the host that gave it (RFC 3464 Remote-MTA).
  status: string | null;
  remoteMta: string | null;
  // When a queued or deferred recipient is due.
  nextAttemptAt: number;
  // RFC 3461 NOTIFY as given at RCPT: null when not given, [] for NEVER (their meaning, and
  // that of `notice`: src/queue/dsn.ts, DsnNotify and DsnAction).
  notify: ('success' | 'failure' | 'delay')[] | null;
  // RFC 3461 ORCPT, decoded: "rfc822;user@example.org"; null when not given.
  orcpt: string | null;
  // A DSN owed to the sender for this recipient, not written yet (cleared in the commit that
  // writes it), and whether the one delay notice was sent.
  notice: 'failed' | 'delayed' | 'delivered' | 'relayed' | null;
  delayNotified: boolean;
}

export interface QueueEntry {
  id: number;
  // Envelope sender (RFC 5321 reverse-path); "" for the null sender.
  sender: string;
  recipients: QueueRecipient[];
  hash: Buffer; // body, see bodies.ts
  size: number;
  arrivedAt: number;
  // The earliest nextAttemptAt of its queued and deferred recipients.
  nextAttemptAt: number;
  // The account that submitted it, null for relayed or forwarded mail.
  accountId: number | null;
  // RFC 6531 SMTPUTF8 and RFC 6152 BODY=8BITMIME of the original transaction.
  smtpUtf8: boolean;
  bodyType: '7bit' | '8bitmime';
  // RFC 3461 4.4 ENVID (decoded) and 4.3 RET of the original transaction.
  envid: string | null;
  ret: 'full' | 'hdrs' | null;
  // Mail from the internet: its local recipients' copies are filed by their junk filter, with
  // what the SMTP-time checks said of the sender (null for entries written before they were kept).
  junk: boolean;
  senderMarks: QueuedSenderMarks | null;
}

// What the SMTP-time checks said of an inbound message's sender, for its retried local copies
// (src/junk/filter.ts SenderSignals): the rule that marked it for Junk, the points of the score
// rules, and the DMARC author.
export interface QueuedSenderMarks {
  junkRule: string | null;
  points: number;
  author: { address: string; domain: string; dkimAligned: boolean } | null;
}

export interface RecipientDsn {
  notify?: QueueRecipient['notify'];
  orcpt?: string | null;
}

export type EnqueueRecipient = string | ({ address: string } & RecipientDsn);

export interface EnqueueOptions {
  sender: string;
  recipients: EnqueueRecipient[];
  raw: Buffer;
  // Its hash and parse when they were prepared off the event loop (src/offload).
  body?: PreparedBody;
  accountId?: number | null;
  smtpUtf8?: boolean;
  bodyType?: '7bit' | '8bitmime';
  envid?: string | null;
  ret?: 'full' | 'hdrs' | null;
  junk?: boolean;
  senderMarks?: QueuedSenderMarks | null;
  // Recipients that already failed temporarily (state "deferred" with this reply and its
  // enhanced status code), due again at retryAt (default: at once).
  deferred?: ({ address: string; result: string; status: string | null } & RecipientDsn)[];
  retryAt?: number;
  now?: number;
}

// What subscribers hear after each commit that changed the queue.
export type QueueEvent = { kind: 'enqueued'; entry: QueueEntry } | { kind: 'changed'; id: number } | { kind: 'removed'; id: number };
export type QueueListener = (event: QueueEvent) => void;

export function isPending(r: QueueRecipient): boolean {
  return r.state === 'queued' || r.state === 'deferred';
}

// Entries written before the delivery bookkeeping existed get its defaults.
function normalize(raw: unknown): QueueEntry {
  const e = raw as QueueEntry;
  return {
    ...e,
    envid: e.envid ?? null,
    ret: e.ret ?? null,
    junk: e.junk ?? false,
    senderMarks: e.senderMarks ?? null,
    recipients: e.recipients.map((r) => ({
      ...r,
      status: r.status ?? null,
      remoteMta: r.remoteMta ?? null,
      nextAttemptAt: r.nextAttemptAt ?? e.nextAttemptAt,
      notify: r.notify ?? null,
      orcpt: r.orcpt ?? null,
      notice: r.notice ?? null,
      delayNotified: r.delayNotified ?? false,
    })),
  };
}

// The entry's nextAttemptAt follows its recipients.
function withNextAttempt(e: QueueEntry): QueueEntry {
  const due = e.recipients.filter(isPending).map((r) => r.nextAttemptAt);
  return { ...e, nextAttemptAt: due.length ? Math.min(...due) : e.nextAttemptAt };
}

export class Queue {
  private ctx: StoreContext;
  private bodies: Bodies;
  private listeners = new Set<QueueListener>();

  constructor(ctx: StoreContext, bodies: Bodies) {
    this.ctx = ctx;
    this.bodies = bodies;
  }

  // Called after each commit that enqueued, changed or removed an entry (the delivery worker).
  subscribe(listener: QueueListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  // Adds an entry; resolves once its commit is on disk.
  async enqueue(o: EnqueueOptions): Promise<QueueEntry> {
    const now = o.now ?? Date.now();
    const recipient = (r: { address: string } & RecipientDsn, state: QueueRecipientState, result: string | null, status: string | null): QueueRecipient => ({
      address: r.address,
      state,
      attempts: state === 'deferred' ? 1 : 0,
      lastAttemptAt: state === 'deferred' ? now : null,
      lastResult: result,
      status,
      remoteMta: null,
      nextAttemptAt: state === 'deferred' ? (o.retryAt ?? now) : now,
      notify: r.notify ?? null,
      orcpt: r.orcpt ?? null,
      notice: null,
      delayNotified: false,
    });
    const recipients: QueueRecipient[] = [
      ...o.recipients.map((r) => recipient(typeof r === 'string' ? { address: r } : r, 'queued', null, null)),
      ...(o.deferred ?? []).map((d) => recipient(d, 'deferred', d.result, d.status)),
    ];
    if (recipients.length === 0) throw new StoreError('invalid', 'a queue entry needs a recipient');
    const { hash, parsed } = keyedBody(o.raw, o.body, now);
    const entry = await this.ctx.write(() => {
      const e: QueueEntry = {
        id: this.ctx.next('nextQueueId'),
        sender: o.sender,
        recipients,
        hash,
        size: o.raw.length,
        arrivedAt: now,
        nextAttemptAt: Math.min(...recipients.map((r) => r.nextAttemptAt)),
        accountId: o.accountId ?? null,
        smtpUtf8: o.smtpUtf8 ?? false,
        bodyType: o.bodyType ?? '7bit',
        envid: o.envid ?? null,
        ret: o.ret ?? null,
        junk: o.junk ?? false,
        senderMarks: o.senderMarks ?? null,
      };
      this.bodies.addRef(hash, o.raw, parsed);
      this.ctx.dbs.queue.putSync(e.id, e);
      return e;
    });
    this.publish({ kind: 'enqueued', entry });
    return entry;
  }

  get(id: number): QueueEntry | null {
    const v = this.ctx.dbs.queue.get(id);
    return v === undefined ? null : normalize(v);
  }

  // Every entry, oldest first.
  list(): QueueEntry[] {
    return [...this.ctx.dbs.queue.getRange()].map((e) => normalize(e.value));
  }

  // Entries with work at `now`: a recipient due, or a delivery status notification owed.
  due(now = Date.now()): QueueEntry[] {
    return this.list().filter((e) => e.recipients.some((r) => (isPending(r) && r.nextAttemptAt <= now) || r.notice !== null));
  }

  body(entry: QueueEntry): Buffer | undefined {
    return this.bodies.get(entry.hash);
  }

  // Records attempts: new recipient states and the next attempt time, in one commit.
  async update(id: number, changes: { recipients?: QueueRecipient[]; nextAttemptAt?: number }): Promise<QueueEntry> {
    const next = await this.ctx.write(() => {
      const entry = this.get(id);
      if (!entry) throw new StoreError('not-found', `no queue entry ${id}`);
      const updated: QueueEntry = { ...entry, ...changes };
      this.ctx.dbs.queue.putSync(id, updated);
      return updated;
    });
    this.publish({ kind: 'changed', id });
    return next;
  }

  // Read-modify-write of one entry inside one write transaction, so concurrent deliveries of one
  // entry's recipients never overwrite each other's results. `change` gets the current entry and
  // returns its new form (nextAttemptAt follows the recipients), or null to remove it with its
  // reference to the body. The hash and id cannot change.
  async modify(id: number, change: (entry: QueueEntry) => QueueEntry | null): Promise<QueueEntry | null> {
    const result = await this.ctx.write(() => {
      const entry = this.get(id);
      if (!entry) throw new StoreError('not-found', `no queue entry ${id}`);
      const next = change(entry);
      if (next === null) {
        this.ctx.dbs.queue.removeSync(id);
        this.bodies.unref(entry.hash);
        return null;
      }
      const updated = withNextAttempt({ ...next, id: entry.id, hash: entry.hash });
      this.ctx.dbs.queue.putSync(id, updated);
      return updated;
    });
    this.publish(result ? { kind: 'changed', id } : { kind: 'removed', id });
    return result;
  }

  // Removes an entry and its reference to the body.
  async remove(id: number): Promise<void> {
    await this.ctx.write(() => {
      const entry = this.get(id);
      if (!entry) throw new StoreError('not-found', `no queue entry ${id}`);
      this.ctx.dbs.queue.removeSync(id);
      this.bodies.unref(entry.hash);
    });
    this.publish({ kind: 'removed', id });
  }

  private publish(event: QueueEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(event);
      } catch (e) {
        this.ctx.log.error('store.queue_listener_failed', { error: e });
      }
    }
  }
}
