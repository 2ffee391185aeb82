// One event loop serves every protocol: a command whose work grows with the mailbox (a FETCH or
// UIDL of every message, a search) gives the loop back every SLICE_MS, so other sessions are
// answered meanwhile.
export const SLICE_MS = 10;
// The clock is read every call of due() while steps are slow, and less often while they are cheap:
// in a loop of microsecond steps (FETCH FLAGS of 50,000 messages) reading it was a sixth of the
// work. The calls between two readings double while the readings come less than CHEAP_MS apart, up
// to MAX_STRIDE, and fall back to one when a reading comes later: a slice overruns by at most
// MAX_STRIDE steps, once, when cheap steps turn slow.
const CHEAP_MS = 0.2;
const MAX_STRIDE = 16;

export class Turns {
  private started = performance.now();
  private read = this.started; // when the clock was read last
  private stride = 1;
  private left = 1;
  private over = false;

  // True once the current slice has lasted SLICE_MS.
  due(): boolean {
    if (this.over || --this.left > 0) return this.over;
    const now = performance.now();
    this.stride = now - this.read < CHEAP_MS ? Math.min(2 * this.stride, MAX_STRIDE) : 1;
    this.left = this.stride;
    this.read = now;
    this.over = now - this.started >= SLICE_MS;
    return this.over;
  }

  // Resolves at once while the current slice lasts; past it, after other pending work has run.
  async pass(): Promise<void> {
    if (!this.due()) return;
    await new Promise(setImmediate);
    this.started = this.read = performance.now();
    this.over = false;
  }
}
