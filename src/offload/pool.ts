// Work that must not run on the event loop every protocol shares (parsing and checking a message
// a remote party sent, DKIM signing) runs here, in a small pool of worker threads. Each job has
// a wall-clock deadline, and each worker a heap cap (resourceLimits): a job over either ends
// with its worker, which is replaced on the next job, while every session goes on. One job runs
// per worker at a time, so a hostile message only ever costs its own worker. Workers start on
// demand and end after a while idle, so a device that receives no mail pays nothing for them.
// Jobs ask the main thread for DNS (the resolver, its servers and deadline stay in one place).
import os from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Logger } from '../log/log.ts';
import type { JobInput, JobKind, JobOutput } from './jobs.ts';
import type { FromWorker } from './protocol.ts';
import { spawnWorker } from './spawn.ts';

export type DnsResolve = (name: string, type: string) => Promise<unknown>;

// Why a job ended without an answer.
export type JobFailure = 'timeout' | 'memory' | 'crashed' | 'failed' | 'closed';

export class JobError extends Error {
  readonly reason: JobFailure;

  constructor(reason: JobFailure, message: string) {
    super(message);
    this.name = 'JobError';
    this.reason = reason;
  }
}

export interface PoolOptions {
  // Workers at most: two, so that a message being checked (or signed: RSA takes milliseconds)
  // does not hold up the next one; on a 4-core Pi two cores stay with the event loop and LMDB's
  // writer. One worker on a 2-core machine cost 30% of SMTP throughput at 16 sessions (bench-smtp):
  // every message waited behind the one before it, and fewer shared a commit.
  size?: number;
  // V8 old-space cap of each worker, MB: a message's header (at most 256 KiB) and its parse tree
  // fit many times over; mailauth's own heap is about 10 MB.
  heapMb?: number;
  // A worker with nothing to do for this long ends, giving back its memory (about 25 MB each).
  idleMs?: number;
  log: Logger;
}

export interface RunOptions {
  deadlineMs: number;
  dns?: DnsResolve;
  transfer?: ArrayBuffer[];
}

interface Job {
  id: number;
  kind: JobKind;
  input: unknown;
  o: RunOptions;
  resolve(value: unknown): void;
  reject(e: Error): void;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  timer: NodeJS.Timeout | null;
  idle: NodeJS.Timeout | null;
}

export function defaultPoolSize(): number {
  return Math.min(2, os.availableParallelism());
}

export class WorkerPool {
  private o: Required<PoolOptions>;
  private slots = new Set<Slot>();
  private queue: Job[] = [];
  private nextId = 1;
  private closed = false;

  constructor(o: PoolOptions) {
    this.o = { size: defaultPoolSize(), heapMb: 64, idleMs: 30_000, ...o };
  }

  // Workers running now (for status and tests).
  get workers(): number {
    return this.slots.size;
  }

  run<K extends JobKind>(kind: K, input: JobInput<K>, o: RunOptions): Promise<JobOutput<K>> {
    if (this.closed) return Promise.reject(new JobError('closed', 'the server is stopping'));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, kind, input, o, resolve: resolve as (v: unknown) => void, reject });
      this.dispatch();
    });
  }

  // Ends every worker at once (a busy one too) and fails what is queued.
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(new JobError('closed', 'the server is stopping'));
    await Promise.allSettled([...this.slots].map((slot) => this.end(slot, new JobError('closed', 'the server is stopping'))));
  }

  private dispatch(): void {
    while (this.queue.length) {
      let slot = [...this.slots].find((s) => s.job === null);
      if (!slot) {
        if (this.slots.size >= this.o.size) return;
        slot = this.spawn();
      }
      this.start(slot, this.queue.shift()!);
    }
  }

  private spawn(): Slot {
    const worker = spawnWorker({ maxOldGenerationSizeMb: this.o.heapMb, maxYoungGenerationSizeMb: 4 });
    const slot: Slot = { worker, job: null, timer: null, idle: null };
    this.slots.add(slot);
    worker.on('message', (m: FromWorker) => this.onMessage(slot, m));
    worker.on('error', (e: Error & { code?: string }) => {
      const memory = e.code === 'ERR_WORKER_OUT_OF_MEMORY';
      this.o.log.warn('offload.worker_failed', { kind: slot.job?.kind ?? null, reason: memory ? 'memory' : 'crashed', error: e });
      void this.end(slot, new JobError(memory ? 'memory' : 'crashed', memory ? 'the job ran out of memory' : `the worker failed: ${e.message}`));
    });
    worker.on('exit', () => void this.end(slot, new JobError('crashed', 'the worker ended')));
    // An idle worker must not keep the process alive.
    worker.unref();
    return slot;
  }

  private start(slot: Slot, job: Job): void {
    if (slot.idle) clearTimeout(slot.idle);
    slot.idle = null;
    slot.job = job;
    slot.timer = setTimeout(() => {
      this.o.log.warn('offload.timeout', { kind: job.kind, deadlineMs: job.o.deadlineMs });
      void this.end(slot, new JobError('timeout', `the job took longer than ${job.o.deadlineMs} ms`));
    }, job.o.deadlineMs);
    slot.timer.unref();
    slot.worker.ref();
    slot.worker.postMessage({ type: 'job', id: job.id, kind: job.kind, input: job.input }, job.o.transfer ?? []);
  }

  private onMessage(slot: Slot, m: FromWorker): void {
    const job = slot.job;
    if (!job || m.id !== job.id) return;
    if (m.type === 'dns') {
      const answer = (reply: object) => {
        if (slot.job === job) slot.worker.postMessage({ type: 'dns', q: m.q, ...reply });
      };
      if (!job.o.dns) {
        answer({ ok: false, error: { message: 'no DNS for this job', code: 'ENOTFOUND' } });
        return;
      }
      job.o.dns(m.name, m.rrtype).then(
        (value) => answer({ ok: true, value }),
        (e: NodeJS.ErrnoException) => answer({ ok: false, error: { message: String(e?.message ?? e), code: e?.code ?? 'ESERVFAIL' } }),
      );
      return;
    }
    this.finish(slot);
    if (m.ok) job.resolve(m.value);
    else job.reject(new JobError('failed', m.error));
    this.dispatch();
  }

  // The slot's job is over; the worker waits for the next one, or ends after idleMs.
  private finish(slot: Slot): void {
    if (slot.timer) clearTimeout(slot.timer);
    slot.timer = null;
    slot.job = null;
    slot.worker.unref();
    if (this.queue.length === 0) {
      slot.idle = setTimeout(() => void this.end(slot, new JobError('closed', 'idle')), this.o.idleMs);
      slot.idle.unref();
    }
  }

  // Ends a worker; its job, if any, fails with `why`.
  private async end(slot: Slot, why: JobError): Promise<void> {
    if (!this.slots.delete(slot)) return;
    if (slot.timer) clearTimeout(slot.timer);
    if (slot.idle) clearTimeout(slot.idle);
    const job = slot.job;
    slot.job = null;
    job?.reject(why);
    await slot.worker.terminate();
    if (!this.closed) this.dispatch();
  }
}
