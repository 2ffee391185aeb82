// One event loop serves every protocol: a command whose work grows with the mailbox (a FETCH or
// UIDL of every message, a search) gives the loop back every SLICE_MS, so other sessions are
// answered meanwhile.
export const SLICE_MS = 10;

export class Turns {
  private started = performance.now();

  // True once the current slice has lasted SLICE_MS.
  due(): boolean {
    return performance.now() - this.started >= SLICE_MS;
  }

  // Resolves at once while the current slice lasts; past it, after other pending work has run.
  async pass(): Promise<void> {
    if (!this.due()) return;
    await new Promise(setImmediate);
    this.started = performance.now();
  }
}
