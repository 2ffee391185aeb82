// Keeps the LMDB file ahead of the pages LMDB uses, so that commits overwrite blocks the file
// already has instead of growing it.
//
// Why: each commit that grows the file makes ext4 allocate blocks and change the file size, and the
// fdatasync of that commit then also writes a journal transaction (bitmap, group descriptor, inode,
// commit block: ~24 KB). A delivery at a time grows the file on nearly every commit, so on an SD
// card this doubles the bytes written per message (bench-store: ~64 KB -> ~40 KB per message at
// concurrency 1). So the file is grown in one step of zeros past LMDB's last page; LMDB's next
// pages land inside it.
//
// The zeros cost a block written per page of growth; a commit that grows the file by itself costs
// its journal transaction once, however many pages it adds. So the reserve pays only while commits
// are small: when deliveries come in bursts that share commits (16 at once: ~14 per commit, ~18
// pages each), it is not topped up, and those commits grow the file themselves. docs/store.md has
// both measured.
//
// The zeros go in 64 KB writes: the page cache keeps what one write() covers as one folio, and
// Linux (6.18 and later) maps a whole cached folio into the process on a fault. Pieces no larger
// than the kernel's fault-around window (64 KB) keep a read of one record from mapping megabytes
// of the file into the server's RSS (bench-imap).
import { closeSync, fstatSync, openSync, statSync, writeSync } from 'node:fs';
import type { RootDatabase } from 'lmdb';
import type { StoreContext } from './context.ts';

const PAGE = 4096;
export const RESERVE_LOW_BYTES = 256 * PAGE; // top up below 1 MB ahead of the last page
export const RESERVE_STEP_BYTES = 1024 * PAGE; // to 4 MB ahead
const PIECE = 64 * 1024;

// How many writes pass between two looks at the file size.
const CHECK_EVERY = 16;
// The blocks of the journal transaction a commit that grows the file adds (~24 KB): while commits
// grow the store by more pages than this on average, zeros written ahead would cost more.
const GROWTH_JOURNAL_PAGES = 6;

export class FileReserve {
  private env: RootDatabase;
  private file: string;
  private toppingUp = false;
  private writes = 0;
  // LMDB's last transaction and last page at the previous look.
  private seen = { txn: 0, page: 0 };

  constructor(env: RootDatabase, file: string) {
    this.env = env;
    this.file = file;
  }

  // Called after each write's commit (writes made together share one LMDB commit).
  committed(ctx: StoreContext): void {
    if (++this.writes < CHECK_EVERY) return;
    this.writes = 0;
    if (this.growthPerCommit() > GROWTH_JOURNAL_PAGES) return;
    this.maintain(ctx).catch((e: unknown) => ctx.log.warn('store.reserve_failed', { error: e }));
  }

  // Pages LMDB's commits added at the end of the store, on average, since the last look.
  private growthPerCommit(): number {
    const { lastTxnId: txn, lastPageNumber: page } = this.env.getStats() as { lastTxnId: number; lastPageNumber: number };
    const before = this.seen;
    this.seen = { txn, page };
    return before.txn && txn > before.txn ? (page - before.page) / (txn - before.txn) : 0;
  }

  // Bytes of the file past the last page LMDB has committed.
  ahead(): number {
    const { lastPageNumber } = this.env.getStats() as { lastPageNumber: number };
    return statSync(this.file).size - (lastPageNumber + 1) * PAGE;
  }

  // Tops the reserve up when it runs low. The zeros are written inside a write transaction: no
  // other commit can be writing then, and pages this transaction allocates past the end of the
  // file are written by its commit, after the zeros. They go to the page cache only: the commit's
  // own fdatasync (on lmdb-js's writer thread) takes them to disk with the block allocation. A
  // fdatasync here would hold the event loop for the time the card takes to write 4 MB (0.56 s
  // on the development machine when a server opened a full-sized store).
  async maintain(ctx: StoreContext): Promise<void> {
    if (this.toppingUp || this.ahead() >= RESERVE_LOW_BYTES) return;
    this.toppingUp = true;
    try {
      await ctx.write(() => {
        const { lastPageNumber } = this.env.getStats() as { lastPageNumber: number };
        const fd = openSync(this.file, 'r+');
        try {
          let at = fstatSync(fd).size;
          const end = (lastPageNumber + 1) * PAGE + RESERVE_STEP_BYTES;
          const zeros = Buffer.alloc(PIECE);
          // Each piece within one 64 KB-aligned block, as folios are.
          for (let n: number; at < end; at += n) {
            n = Math.min(PIECE - (at % PIECE), end - at);
            writeSync(fd, zeros, 0, n, at);
          }
        } finally {
          closeSync(fd);
        }
      });
    } finally {
      this.toppingUp = false;
    }
  }
}
