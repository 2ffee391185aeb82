// Long API calls from the setup page (a backup, an export, an import) run as jobs: the page starts
// one (`POST /api/start/<method>`), gets its id, and asks for its state (`GET /api/job?id=N`) to
// draw a progress bar, instead of holding a request open for minutes. At most MAX_RUNNING run at
// once; a finished job is kept KEEP_MS for the page to read its result, at most MAX_KEPT of them.
import type { Progress } from '../api/method.ts';

const MAX_RUNNING = 2;
const MAX_KEPT = 32;
const KEEP_MS = 10 * 60 * 1000;

export interface JobView {
  id: number;
  method: string;
  progress: Progress | null;
  done: boolean;
  result?: unknown;
  error?: { code: string; message: string };
}

export class JobLimit extends Error {}

export class Jobs {
  private jobs = new Map<number, JobView>();
  private next = 1;
  private running = 0;

  // Starts `run`, which reports through its argument; errors become the job's error by `describe`.
  start(method: string, run: (progress: (p: Progress) => void) => Promise<unknown>, describe: (e: unknown) => { code: string; message: string }): number {
    if (this.running >= MAX_RUNNING) throw new JobLimit(`${MAX_RUNNING} long tasks are running already; wait for one to end`);
    const job: JobView = { id: this.next++, method, progress: null, done: false };
    this.jobs.set(job.id, job);
    this.running++;
    run((p) => {
      job.progress = p;
    })
      .then(
        (result) => {
          job.result = result ?? null;
        },
        (e: unknown) => {
          job.error = describe(e);
        },
      )
      .finally(() => {
        job.done = true;
        this.running--;
        setTimeout(() => this.jobs.delete(job.id), KEEP_MS).unref();
        this.trim();
      });
    return job.id;
  }

  view(id: number): JobView | null {
    return this.jobs.get(id) ?? null;
  }

  // The oldest finished jobs beyond MAX_KEPT go.
  private trim(): void {
    for (const [id, j] of this.jobs) {
      if (this.jobs.size <= MAX_KEPT) return;
      if (j.done) this.jobs.delete(id);
    }
  }
}
