// What systemd does for homepost.service, for tests of updates: runs `homepost serve` from a path,
// with INVOCATION_ID set (so homepost knows it will be started again), and starts the file at that
// path again when the process exits: at once after exit code 75 (RestartForceExitStatus=75), after
// a second after any other end (Restart=on-failure, RestartSec), until stopped.
import { startServeChild, type ServeChild } from './serve-child.ts';

export class Supervisor {
  // Every start that became ready, in order; the last one is the one running (when any).
  readonly started: ServeChild[] = [];
  // Each end seen: its exit code (null: a signal), also of starts that never became ready.
  readonly exits: (number | null)[] = [];
  private stopped = false;
  private waiters: (() => void)[] = [];

  private executable: string;
  private dataDir: string;
  private args: string[];

  constructor(executable: string, dataDir: string, args: string[] = ['--dev']) {
    this.executable = executable;
    this.dataDir = dataDir;
    this.args = args;
  }

  async start(): Promise<void> {
    if (this.stopped) return;
    let child: ServeChild;
    try {
      child = await startServeChild({ dataDir: this.dataDir, executable: this.executable, args: this.args, env: { INVOCATION_ID: 'test' } });
    } catch {
      // Ended before it was ready (a broken executable): tried again like any failure.
      this.exits.push(1);
      setTimeout(() => void this.start(), 1000);
      return;
    }
    this.started.push(child);
    for (const w of this.waiters.splice(0)) w();
    void child.exited.then(({ code }) => {
      this.exits.push(code);
      if (!this.stopped) setTimeout(() => void this.start(), code === 75 ? 0 : 1000);
    });
  }

  get current(): ServeChild {
    const c = this.started.at(-1);
    if (!c) throw new Error('nothing started yet');
    return c;
  }

  // Resolves once `count` starts have become ready.
  async startedCount(count: number, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.started.length < count) {
      if (Date.now() > deadline) throw new Error(`${this.started.length} of ${count} starts; exits ${this.exits.join(', ')}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 500);
      });
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const c = this.started.at(-1);
    if (c && c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill('SIGTERM');
      await c.exited;
    }
  }
}
