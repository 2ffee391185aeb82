// The token counts of one account: token hash -> how many trained spam and ham messages held
// the token. An open-addressing table with linear probing over three typed arrays (12 bytes a
// slot, at most 3/4 of the slots used), so 300,000 tokens take 6 MB at most and the garbage
// collector sees three objects, not a Map of entries. A token whose counts both reach 0 leaves
// the table (backward-shift deletion: no tombstones).

const MAX_LOAD = 0.75;
const MIN_CAPACITY = 1024;

export class TokenCounts {
  private keys: Uint32Array;
  private spam: Uint32Array;
  private ham: Uint32Array;
  private mask: number;
  size = 0;

  // Room for `tokens` tokens without growing.
  constructor(tokens = 0) {
    let capacity = MIN_CAPACITY;
    while (capacity * MAX_LOAD < tokens) capacity *= 2;
    this.keys = new Uint32Array(capacity);
    this.spam = new Uint32Array(capacity);
    this.ham = new Uint32Array(capacity);
    this.mask = capacity - 1;
  }

  get byteLength(): number {
    return this.keys.byteLength + this.spam.byteLength + this.ham.byteLength;
  }

  // The slot holding `hash`, or the empty slot where it would go.
  private slot(hash: number): number {
    let i = hash & this.mask;
    while (this.keys[i] !== 0 && this.keys[i] !== hash) i = (i + 1) & this.mask;
    return i;
  }

  // The counts of a token: [spam, ham], both 0 when it is unknown.
  get(hash: number): [spam: number, ham: number] {
    const i = this.slot(hash);
    return this.keys[i] === 0 ? [0, 0] : [this.spam[i]!, this.ham[i]!];
  }

  // Adds to a token's counts (a negative amount takes away, down to 0).
  add(hash: number, spam: number, ham: number): void {
    let i = this.slot(hash);
    if (this.keys[i] === 0) {
      if (spam <= 0 && ham <= 0) return;
      if ((this.size + 1) / this.keys.length > MAX_LOAD) {
        this.resize(this.keys.length * 2);
        i = this.slot(hash);
      }
      this.keys[i] = hash;
      this.size++;
    }
    this.spam[i] = Math.max(0, this.spam[i]! + spam);
    this.ham[i] = Math.max(0, this.ham[i]! + ham);
    if (this.spam[i] === 0 && this.ham[i] === 0) this.remove(i);
  }

  forEach(fn: (hash: number, spam: number, ham: number) => void): void {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] !== 0) fn(this.keys[i]!, this.spam[i]!, this.ham[i]!);
  }

  // Empties slot i and moves later entries of its probe run back, so every entry stays
  // reachable from its home slot (Knuth 6.4, Algorithm R).
  private remove(i: number): void {
    let hole = i;
    let j = i;
    for (;;) {
      j = (j + 1) & this.mask;
      const key = this.keys[j]!;
      if (key === 0) break;
      const home = key & this.mask;
      // The entry at j may fill the hole unless its home lies cyclically in (hole, j].
      const stays = hole <= j ? hole < home && home <= j : hole < home || home <= j;
      if (stays) continue;
      this.keys[hole] = key;
      this.spam[hole] = this.spam[j]!;
      this.ham[hole] = this.ham[j]!;
      hole = j;
    }
    this.keys[hole] = 0;
    this.spam[hole] = 0;
    this.ham[hole] = 0;
    this.size--;
  }

  private resize(capacity: number): void {
    const { keys, spam, ham } = this;
    this.keys = new Uint32Array(capacity);
    this.spam = new Uint32Array(capacity);
    this.ham = new Uint32Array(capacity);
    this.mask = capacity - 1;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] === 0) continue;
      const j = this.slot(keys[i]!);
      this.keys[j] = keys[i]!;
      this.spam[j] = spam[i]!;
      this.ham[j] = ham[i]!;
    }
  }
}
