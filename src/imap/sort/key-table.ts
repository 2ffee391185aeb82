// A map from THREAD's keys (src/mime/thread-key.ts: whole numbers below 2^53) to node numbers, by
// open addressing in typed arrays: no boxed number and no entry object per key, as a Map of 50,000
// Message-IDs makes. A key's low 32 bits, FNV-1a's and well mixed, pick its first slot; collisions
// take the next free one (linear probing), and the table doubles at half full.
const NONE = -1;

export class KeyTable {
  private keys: Float64Array;
  private values: Int32Array;
  private mask: number;
  private size = 0;

  constructor(expected: number) {
    let capacity = 16;
    while (capacity < 2 * expected) capacity *= 2;
    this.keys = new Float64Array(capacity).fill(Number.NaN);
    this.values = new Int32Array(capacity);
    this.mask = capacity - 1;
  }

  // The value of `key`, or -1.
  get(key: number): number {
    for (let i = (key >>> 0) & this.mask; ; i = (i + 1) & this.mask) {
      const k = this.keys[i]!;
      if (k === key) return this.values[i]!;
      if (Number.isNaN(k)) return NONE; // a free slot ends the probe
    }
  }

  set(key: number, value: number): void {
    let i = (key >>> 0) & this.mask;
    for (; ; i = (i + 1) & this.mask) {
      const k = this.keys[i]!;
      if (k === key) break;
      if (Number.isNaN(k)) {
        this.keys[i] = key;
        if (2 * ++this.size > this.mask) {
          this.values[i] = value;
          this.grow();
          return;
        }
        break;
      }
    }
    this.values[i] = value;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(2 * keys.length).fill(Number.NaN);
    this.values = new Int32Array(2 * keys.length);
    this.mask = this.keys.length - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (!Number.isNaN(keys[i]!)) this.set(keys[i]!, values[i]!);
  }
}
