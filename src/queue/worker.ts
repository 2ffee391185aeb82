// The delivery worker: takes queue entries whose recipients are due, groups the recipients by
// destination (route.ts) into jobs, runs each job within the connection limits (pool.ts), records
// the results (record.ts) and writes the notifications they owe (notify.ts).
//
// When it looks: at start (so the queue resumes by itself after a restart), when an entry is
// queued or changed (the store tells subscribers after the commit), and at the earliest time a
// deferred recipient is due (one timer; timer passes over the whole queue are at least a second
// apart).
//
// Never twice: a recipient is in at most one job at a time (inFlight), and what a peer accepted
// is recorded before anything else happens on that connection (run). close() stops taking work,
// abandons transactions whose message has not started to flow (the peer has nothing to deliver;
// they are retried at the next start without counting as an attempt), waits up to
// outbound.shutdownGraceMs for the replies to messages already sent, records every result, and
// only then resolves, so the store can close.
import type { Logger } from '../log/log.ts';
import type { MessageStructure } from '../mime/types.ts';
import type { MemoryBudget } from '../memory/budget.ts';
import type { WorkerPool } from '../offload/pool.ts';
import type { QueueEntry, QueueEvent, QueueRecipient, Store } from '../store/index.ts';
import { free, isOwned, isPending } from '../store/index.ts';
import { DkimSigner } from '../smtp/dkim/sign.ts';
import type { DnsResolve } from '../smtp/dns.ts';
import { readSmtpSettings } from '../smtp/settings.ts';
import type { Peer } from './client.ts';
import { deliverLocally } from './local.ts';
import type { JunkService } from '../junk/index.ts';
import { settle } from './notify.ts';
import { IdlePeers, Slots, SlotsClosed } from './pool.ts';
import { applyResults, dueDelayNotices, finished } from './record.ts';
import { local, type AttemptResult } from './result.ts';
import { routeOf, type Destination } from './route.ts';
import { readOutboundSettings, type OutboundSettings } from './settings.ts';
import { srsForward } from './srs.ts';
import { headerNeedsUtf8 } from '../smtp/downgrade.ts';
import { has8bit } from '../smtp/downgrade.ts';
import { deliverRemote } from './transaction.ts';

export interface WorkerOptions {
  store: Store;
  budget: MemoryBudget;
  offload: WorkerPool;
  // Files local copies of mail from the internet (src/junk).
  junk: JunkService;
  log: Logger;
  // The server's host name, read at each round (the setup page changes it).
  hostname: () => string;
  // The resolver for these settings (tests inject a table).
  resolve: () => DnsResolve;
  now?: () => number;
}

interface Job {
  entry: QueueEntry;
  recipients: QueueRecipient[];
  dest: Destination;
}

const MIN_PASS_SPACING_MS = 1000;
const MAX_TIMER_MS = 10 * 60_000;

export class DeliveryWorker {
  private o: WorkerOptions;
  private now: () => number;
  private closing = false;
  private shutdown = new AbortController();
  private unsubscribe: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private timerAt = Infinity;
  private lastPass = 0;
  private inFlight = new Set<string>();
  private jobs = new Set<Promise<void>>();
  private peers = new Set<Peer>();
  private slots = new Slots();
  private idle = new IdlePeers();
  private settling = new Map<number, Promise<void>>();
  private signer: DkimSigner;
  private warned = new Set<string>();

  constructor(o: WorkerOptions) {
    this.o = o;
    this.now = o.now ?? Date.now;
    this.signer = new DkimSigner(o.store);
  }

  start(): void {
    this.unsubscribe = this.o.store.queue.subscribe((e) => this.onEvent(e));
    this.pass();
  }

  // Read each time (a few LMDB reads): a change applies to the next attempt.
  private settings(): OutboundSettings {
    return readOutboundSettings(this.o.store.settings, {
      hostname: this.o.hostname(),
      invalid: (key, reason) => {
        if (this.warned.has(key + reason)) return;
        this.warned.add(key + reason);
        this.o.log.warn('queue.bad_setting', { key, reason });
      },
    });
  }

  private onEvent(e: QueueEvent): void {
    if (this.closing) return;
    if (e.kind === 'removed') return;
    const entry = e.kind === 'enqueued' ? e.entry : this.o.store.queue.get(e.id);
    if (entry) this.process(entry, this.settings(), this.now());
  }

  // One look at the whole queue.
  private pass(): void {
    this.timer = null;
    this.timerAt = Infinity;
    if (this.closing) return;
    this.lastPass = this.now();
    const settings = this.settings();
    try {
      for (const entry of this.o.store.queue.list()) this.process(entry, settings, this.lastPass);
    } catch (e) {
      this.o.log.error('queue.pass_failed', { error: e as Error });
      this.wakeAt(this.now() + 60_000);
    }
  }

  private wakeAt(at: number): void {
    if (this.closing || at >= this.timerAt) return;
    if (this.timer) clearTimeout(this.timer);
    const now = this.now();
    const delay = Math.min(Math.max(at - now, this.lastPass + MIN_PASS_SPACING_MS - now, 0), MAX_TIMER_MS);
    this.timerAt = at;
    this.timer = setTimeout(() => this.pass(), delay);
    this.timer.unref();
  }

  private key(id: number, address: string): string {
    return `${id} ${address}`;
  }

  // What an entry needs now: notices written, delay notices marked, due recipients sent off; and
  // the timer set for its next due recipient.
  private process(entry: QueueEntry, settings: OutboundSettings, now: number): void {
    if (this.closing) return;
    const policy = { retrySchedule: settings.retrySchedule, lifetimeMs: settings.lifetimeMs, delayNoticeMs: settings.delayNoticeMs };
    if (dueDelayNotices(entry, policy, now)) {
      this.serialize(entry.id, () => this.o.store.queue.modify(entry.id, (e) => dueDelayNotices(e, policy, this.now()) ?? e).then(() => undefined));
    } else if (policy.delayNoticeMs > 0 && dueDelayNotices(entry, policy, entry.arrivedAt + policy.delayNoticeMs)) {
      this.wakeAt(entry.arrivedAt + policy.delayNoticeMs); // the notice is due before the next attempt
    }
    if (entry.recipients.some((r) => r.notice !== null) || finished(entry)) this.settle(entry.id, settings);
    const due: QueueRecipient[] = [];
    let next = Infinity;
    for (const r of entry.recipients) {
      if (!isPending(r)) continue;
      if (r.nextAttemptAt > now) next = Math.min(next, r.nextAttemptAt);
      else if (!this.inFlight.has(this.key(entry.id, r.address))) due.push(r);
    }
    if (next < Infinity) this.wakeAt(next);
    if (due.length === 0) return;
    const groups = new Map<string, Job>();
    const isLocal = (d: string) => this.o.store.domains.isLocal(d);
    for (const r of due) {
      const dest = routeOf(r.address, settings, isLocal);
      let job = groups.get(dest.key);
      // RFC 5321 4.5.3.1.8: at most maxRecipients per transaction; the rest in another one.
      if (job && job.recipients.length >= settings.maxRecipients) {
        this.dispatch(job);
        job = undefined;
      }
      if (!job) {
        job = { entry, recipients: [], dest };
        groups.set(dest.key, job);
      }
      job.recipients.push(r);
    }
    for (const job of groups.values()) this.dispatch(job);
  }

  private dispatch(job: Job): void {
    const keys = job.recipients.map((r) => this.key(job.entry.id, r.address));
    for (const k of keys) this.inFlight.add(k);
    const p: Promise<void> = this.run(job)
      .catch((e: unknown) => this.o.log.error('queue.job_failed', { id: job.entry.id, error: e as Error }))
      .finally(() => {
        for (const k of keys) this.inFlight.delete(k);
        this.jobs.delete(p);
      });
    this.jobs.add(p);
  }

  private async run(job: Job): Promise<void> {
    const settings = this.settings();
    let release: () => void;
    try {
      release = await this.slots.acquire(job.dest.key, settings.concurrencyPerDomain, settings.maxConnections);
    } catch (e) {
      if (e instanceof SlotsClosed) return; // stopping: not attempted, nothing to record
      throw e;
    }
    // The slot is held until the results are on disk: the session the peer answered on goes back
    // for reuse only then, so nothing else happens on it before its 250s are recorded.
    const kept: Peer[] = [];
    try {
      if (this.closing) return;
      let results: AttemptResult[];
      try {
        results = await this.attempt(job, settings, kept);
      } catch (e) {
        // A fault of ours: the recipients wait like after a temporary failure, never in a loop.
        this.o.log.error('queue.attempt_failed', { id: job.entry.id, error: e as Error });
        results = job.recipients.map((r) => local(r.address, 'deferred', 451, '4.3.0', 'Local error in processing'));
      }
      await this.record(job, results, settings);
    } finally {
      for (const peer of kept) this.idle.put(job.dest.key, peer, settings.idleMs);
      release();
    }
  }

  private async attempt(job: Job, settings: OutboundSettings, kept: Peer[]): Promise<AttemptResult[]> {
    const { store } = this.o;
    if (job.dest.kind === 'local') {
      return deliverLocally(store, job.entry, job.recipients, {
        quotaReply: readSmtpSettings(store.settings, false).quotaReply,
        junk: this.o.junk,
        log: this.o.log,
      });
    }
    // The message and its signed (or 7-bit) form are held while it is sent: both are charged to
    // the memory budget every protocol shares (all of it, for a message of the largest size);
    // when it is spent, the attempt waits for a retry.
    const charge = Math.min(2 * job.entry.size + 64 * 1024, this.o.budget.capacity);
    if (!this.o.budget.reserve(charge))
      return job.recipients.map((r) => local(r.address, 'deferred', 451, '4.3.1', 'Insufficient system memory for this message now'));
    try {
      return await this.attemptRemote(job, job.dest, settings, kept);
    } finally {
      this.o.budget.release(charge);
    }
  }

  private async attemptRemote(job: Job, dest: Exclude<Destination, { kind: 'local' }>, settings: OutboundSettings, kept: Peer[]): Promise<AttemptResult[]> {
    const { store } = this.o;
    const raw = store.queue.body(job.entry);
    const parsed = store.bodies.parsed(job.entry.hash);
    if (!raw || !parsed) return job.recipients.map((r) => local(r.address, 'deferred', 451, '4.3.0', 'Queued message body missing'));
    // RFC 5321 6.3: a message that went round too often is looping.
    if (countReceived(raw) > MAX_HOPS)
      return job.recipients.map((r) => local(r.address, 'failed', 554, '5.4.6', `Routing loop detected: more than ${MAX_HOPS} Received fields`));
    const eightBit = has8bit(raw);
    const utf8Header = headerNeedsUtf8(raw);
    // Each transmission reads its own copy; this one is given back now (src/store/free.ts).
    free(raw);
    return deliverRemote(job.entry, job.recipients, dest, {
      settings,
      resolve: this.o.resolve(),
      idle: this.idle,
      keep: (peer) => kept.push(peer),
      eightBit,
      utf8Header,
      transmission: (downgrade) => this.transmission(job.entry, parsed, downgrade, settings.dkim),
      mailFrom: srsForward(job.entry, settings, store, this.o.log),
      track: (peer) => {
        this.peers.add(peer);
        return () => this.peers.delete(peer);
      },
      signal: this.shutdown.signal,
      log: this.o.log,
    });
  }

  // The message as one peer gets it. Unchanged when it is not ours to sign and needs no
  // downgrade; otherwise a fresh copy from the store is handed (transferred, not copied) to a
  // worker, which returns the signed or 7-bit form.
  private async transmission(entry: QueueEntry, parsed: MessageStructure, downgrade: boolean, dkim: boolean): Promise<Buffer> {
    const raw = this.o.store.queue.body(entry);
    if (!raw) throw new Error(`queue entry ${entry.id}: body missing`);
    const options = dkim ? await this.signer.options(parsed) : null;
    if (!downgrade && !options) return raw;
    const own = isOwned(raw) ? raw : Buffer.from(new Uint8Array(raw).buffer);
    const out = await this.o.offload.run(
      'transmission',
      { message: own, parsed, downgrade, dkim: options },
      { deadlineMs: 60_000, transfer: [own.buffer as ArrayBuffer] },
    );
    if (out.signErrors.length) this.o.log.warn('dkim.sign_failed', { id: entry.id, domain: options?.domain, errors: out.signErrors });
    return Buffer.from(out.buffer, 0, out.length);
  }

  // What the peer said is written down first; the notices it owes follow.
  private async record(job: Job, results: AttemptResult[], settings: OutboundSettings): Promise<void> {
    const id = job.entry.id;
    const policy = { retrySchedule: settings.retrySchedule, lifetimeMs: settings.lifetimeMs, delayNoticeMs: settings.delayNoticeMs };
    for (const r of results) {
      if (r.outcome === 'interrupted') continue;
      this.o.log.info('queue.attempt', { id, recipient: r.address, outcome: r.outcome, reply: r.reply, host: r.remoteMta, via: job.dest.key });
    }
    let removed = false;
    try {
      // An entry with nothing left to do goes in the same commit.
      removed =
        null ===
        (await this.o.store.queue.modify(id, (e) => {
          const next = applyResults(e, results, policy, this.now());
          return finished(next) ? null : next;
        }));
    } catch (e) {
      if ((e as { code?: string }).code === 'not-found') return; // deleted meanwhile
      throw e;
    }
    if (!removed) await this.settle(id, settings);
  }

  // Per entry, one settle at a time (a second waits for the first and then looks again).
  private settle(id: number, settings: OutboundSettings): Promise<void> {
    return this.serialize(id, () =>
      settle({ store: this.o.store, hostname: settings.heloName, lifetimeMs: settings.lifetimeMs, log: this.o.log, now: this.now }, id),
    );
  }

  private serialize(id: number, fn: () => Promise<void>): Promise<void> {
    const before = this.settling.get(id) ?? Promise.resolve();
    const p = before
      .then(fn)
      .catch((e: unknown) => {
        if ((e as { code?: string }).code !== 'not-found' && (e as { code?: string }).code !== 'closed')
          this.o.log.error('queue.settle_failed', { id, error: e as Error });
      })
      .finally(() => {
        if (this.settling.get(id) === p) this.settling.delete(id);
      });
    this.settling.set(id, p);
    return p;
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.unsubscribe?.();
    if (this.timer) clearTimeout(this.timer);
    this.slots.close();
    this.idle.closeAll();
    this.shutdown.abort();
    // Transactions whose message has not started to flow are abandoned now; the others get the
    // grace period for their reply.
    for (const peer of this.peers) if (peer.phase !== 'data') peer.abort();
    const grace = this.settings().shutdownGraceMs;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.jobs]), new Promise((r) => (timer = setTimeout(r, grace)))]);
    clearTimeout(timer);
    for (const peer of this.peers) peer.abort();
    await Promise.allSettled([...this.jobs]);
    await Promise.allSettled([...this.settling.values()]);
  }
}

// RFC 5321 6.3 suggests a hop limit of at least 100.
const MAX_HOPS = 100;

function countReceived(raw: Buffer): number {
  const head = raw.toString('latin1', 0, Math.min(raw.length, 256 * 1024));
  const end = head.search(/\r?\n\r?\n/);
  return (head.slice(0, end < 0 ? head.length : end).match(/^Received:/gim) ?? []).length;
}
