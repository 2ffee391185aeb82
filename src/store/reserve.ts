// Keeps a reserve of free pages inside the LMDB file, so that commits overwrite blocks the file
// already has instead of growing it.
//
// Why: each commit that grows the file makes ext4 allocate blocks and change the file size, and the
// fdatasync of that commit then also writes a journal transaction (bitmap, group descriptor, inode,
// commit block: ~24 KB). A delivery at a time grows the file on nearly every commit, so on an SD
// card this doubles the bytes written per message (bench-store: ~64 KB -> ~40 KB per message at
// concurrency 1). Growing the file in one large step, by writing a ballast value and deleting it,
// leaves its pages on LMDB's free list; later commits reuse them in place. The ballast costs its
// pages written once; docs/store.md has the trade-off measured at both concurrencies.
import type { Database, RootDatabase } from 'lmdb';
import type { StoreContext } from './context.ts';

const PAGE = 4096;
export const RESERVE_LOW_PAGES = 256; // top up below 1 MB of free pages
export const RESERVE_STEP_PAGES = 1024; // by 4 MB at a time

interface PageStats {
  treeBranchPageCount: number;
  treeLeafPageCount: number;
  overflowPages: number;
}

const pagesOf = (s: PageStats) => s.treeBranchPageCount + s.treeLeafPageCount + s.overflowPages;

// How many commits pass between two looks at the free list (a look reads a few stats pages).
const CHECK_EVERY = 16;

export class PageReserve {
  private env: RootDatabase;
  private dbs: Database[];
  private ballast: Database<Buffer, string>;
  private toppingUp = false;
  private commits = 0;

  constructor(env: RootDatabase, dbs: Database[]) {
    this.env = env;
    this.dbs = dbs;
    // Uncompressed, so the ballast occupies exactly the pages it is meant to reserve.
    this.ballast = env.openDB<Buffer, string>({ name: 'reserve', encoding: 'binary', compression: false });
  }

  // Called after each commit.
  committed(ctx: StoreContext): void {
    if (++this.commits < CHECK_EVERY) return;
    this.commits = 0;
    this.maintain(ctx).catch((e: unknown) => ctx.log.warn('store.reserve_failed', { error: e }));
  }

  // Pages inside the file that no database uses: LMDB's free list.
  freePages(): number {
    const env = this.env.getStats() as PageStats & { lastPageNumber: number; root: PageStats; free: PageStats };
    const used = pagesOf(env.root) + pagesOf(env.free) + this.dbs.reduce((n, d) => n + pagesOf(d.getStats() as PageStats), 0);
    return env.lastPageNumber + 1 - 2 - used - pagesOf(this.ballast.getStats() as PageStats);
  }

  // Tops the reserve up when it runs low: one commit writes the ballast, the next frees it.
  async maintain(ctx: StoreContext): Promise<void> {
    if (this.toppingUp || this.freePages() >= RESERVE_LOW_PAGES) return;
    this.toppingUp = true;
    try {
      await ctx.write(() => this.ballast.putSync('ballast', Buffer.alloc(RESERVE_STEP_PAGES * PAGE - 64)));
      await ctx.write(() => this.ballast.removeSync('ballast'));
    } finally {
      this.toppingUp = false;
    }
  }
}
