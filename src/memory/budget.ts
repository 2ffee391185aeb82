// One budget for the message bytes held in memory at once, across every protocol: SMTP DATA,
// IMAP APPEND and the outbound queue's transmissions. A device with 512 MB cannot hold eight
// 50 MB messages at once; when the budget is spent, the next one is refused with a temporary
// error (SMTP 452 4.3.1, RFC 3463 X.3.1; IMAP NO [LIMIT], RFC 5530) and the sender tries later.
import { bytes } from '../settings/define.ts';

// 48 MiB: a message of the largest default size (25 MiB) with room for many small ones. On a
// device of 512 MB this, the garbage the bytes leave on their way in (collect.ts) and homepost's
// own 100 MB stay under 200 MB whatever clients send (bench-hostile).
export const DEFAULT_BUDGET_BYTES = 48 * 1024 * 1024;

export const MEMORY_BUDGET = bytes({
  key: 'memory.messageBudget',
  default: DEFAULT_BUDGET_BYTES,
  min: 1024 * 1024,
  max: 1024 * 1024 * 1024,
  restart: true,
  description: 'message bytes held in memory at once, every protocol together (the device has 512 MB)',
});

export class MemoryBudget {
  readonly capacity: number;
  private used = 0;
  private peak = 0;

  constructor(capacity = DEFAULT_BUDGET_BYTES) {
    this.capacity = capacity;
  }

  get inUse(): number {
    return this.used;
  }

  get available(): number {
    return this.capacity - this.used;
  }

  // The most held at once since start (for status and benchmarks).
  get highWater(): number {
    return this.peak;
  }

  // Takes n bytes, or nothing when they do not fit.
  reserve(n: number): boolean {
    if (n > this.capacity - this.used) return false;
    this.used += n;
    if (this.used > this.peak) this.peak = this.used;
    return true;
  }

  release(n: number): void {
    this.used = Math.max(0, this.used - n);
  }
}
