// What every part of the store shares: the environment, the databases, the change bus, and the one
// way to write.
import type { RootDatabase } from 'lmdb';
import type { Logger } from '../log/log.ts';
import type { ChangeBus, StoreChange } from './changes.ts';
import { asFullError, StoreError } from './errors.ts';
import type { Dbs } from './open.ts';
import { type IndexDelta, MailboxIndexes } from './mailbox-index.ts';
import { FileReserve } from './reserve.ts';

export type Counter = 'nextAccountId' | 'nextMailboxId' | 'nextQueueId';

// When a commit fails (disk full, I/O error), lmdb-js rejects every write of the batch (we turn
// those into StoreError 'full') and also an internal promise of its own that nobody can handle,
// which would end the process. Only that rejection is swallowed here; any other unhandled
// rejection still ends the process as Node's default does.
let failedCommitGuard = false;
function guardFailedCommits(log: Logger): void {
  if (failedCommitGuard) return;
  failedCommitGuard = true;
  process.on('unhandledRejection', (reason) => {
    if (reason instanceof Error && reason.message.startsWith('Commit failed (see commitError')) {
      log.warn('store.commit_failed_internal', {});
      return;
    }
    throw reason;
  });
}

export class StoreContext {
  readonly env: RootDatabase;
  readonly dbs: Dbs;
  readonly bus: ChangeBus;
  readonly log: Logger;
  readonly reserve: FileReserve;
  readonly indexes: MailboxIndexes;
  private pending = new Set<Promise<unknown>>();
  private closed = false;

  constructor(env: RootDatabase, dbs: Dbs, bus: ChangeBus, log: Logger, file: string) {
    this.env = env;
    this.dbs = dbs;
    this.bus = bus;
    this.log = log;
    this.reserve = new FileReserve(env, file);
    this.indexes = new MailboxIndexes(dbs, () => this.isOpen);
    guardFailedCommits(log);
  }

  // Runs fn inside a write transaction and resolves once the commit holding it is on disk
  // (open.ts: overlappingSync false). fn runs synchronously inside the transaction, in call order,
  // so its reads see every earlier write; if it throws, its writes are rolled back (a child
  // transaction) and the promise rejects. Calls made in the same event turn share one commit.
  // Changes fn records are published only after the commit, once the mailbox indexes follow them.
  write<T>(fn: (changes: StoreChange[]) => T): Promise<T> {
    if (this.closed) return Promise.reject(new StoreError('closed', 'the store is closed'));
    const changes: StoreChange[] = [];
    let delta: IndexDelta | null = null;
    const p = this.env
      .childTransaction(() => {
        const result = fn(changes);
        delta = this.indexes.prepare(changes);
        return result;
      })
      .then(
        (result) => {
          this.indexes.apply(delta);
          this.reserve.committed(this);
          for (const c of changes) this.bus.publish(c);
          return result as T;
        },
        (e: unknown) => {
          // lmdb-js rejects a failed commit with a generic error whose `commitError` promise later
          // rejects with LMDB's own; left alone, that second rejection would end the process.
          const detail = (e as { commitError?: Promise<unknown> })?.commitError;
          detail?.catch((cause: unknown) => this.log.error('store.commit_failed', { error: cause }));
          throw asFullError(e) ?? e;
        },
      );
    this.pending.add(p);
    const done = () => this.pending.delete(p);
    p.then(done, done);
    return p;
  }

  // False from the start of close(). lmdb-js's prefetch on a closed environment ends the process
  // (a segmentation fault), so every read ahead checks this first; the ones running when close()
  // starts are waited for by lmdb-js.
  get isOpen(): boolean {
    return !this.closed;
  }

  // True while a write is waiting for its commit.
  get writing(): boolean {
    return this.pending.size > 0;
  }

  // Next value of a counter; only inside write().
  next(counter: Counter): number {
    const n = this.dbs.meta.get(counter) ?? 1;
    this.dbs.meta.putSync(counter, n + 1);
    return n;
  }

  // Lets in-flight commits finish, stores the mailbox indexes, then closes the environment.
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.indexes.unsaved) this.write(() => this.indexes.persist()).catch((e: unknown) => this.log.warn('store.index_persist_failed', { error: e }));
    this.closed = true;
    await Promise.allSettled([...this.pending]);
    await this.env.close();
  }
}
