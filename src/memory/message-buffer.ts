// A message as it arrives (SMTP DATA, an IMAP APPEND literal), in one ArrayBuffer: charged to the
// memory budget as it grows, handed (transferred, not copied) to the worker that parses and checks
// it (src/offload), which hands it back; the store then takes a view of it. HEADROOM bytes stay
// free before the message for the fields added on top of it (Received, Authentication-Results,
// Return-Path: RFC 5321 4.4), so the stored message is one contiguous range of the same memory.
// The buffer starts at the size expected (an IMAP literal's, a declared SIZE, or SMALL) as a plain
// ArrayBuffer, the cheapest kind; a message that outgrows it moves, once, into a resizable one that
// grows in place, never copied again. release() frees it at once (transferToFixedLength(0)): its
// memory goes back to the system then, not whenever the garbage collector next runs, and V8 does
// not count it against its next collection.
import type { MemoryBudget } from './budget.ts';

const LF = 0x0a;
const CR = 0x0d;
// Budget is taken in pieces of CHARGE_STEP; a resizable buffer grows in pieces of GROW_STEP (growing
// reserves address space; only the bytes written become resident).
const CHARGE_STEP = 64 * 1024;
const GROW_STEP = 1024 * 1024;
// Without a size announced, the first buffer holds this much message (most mail is smaller).
const SMALL = 64 * 1024;

export type WriteState = 'ok' | 'too-big' | 'no-memory';

export class MessageBuffer {
  static readonly HEADROOM = 64 * 1024;
  private ab: ArrayBuffer;
  private readonly budget: MemoryBudget;
  private readonly normalize: boolean;
  private readonly max: number;
  private bytes: Uint8Array;
  private end = MessageBuffer.HEADROOM;
  private charged = 0;
  private last = -1; // the last byte written, for a CR at the end of the previous piece
  private state: WriteState = 'ok';

  // normalize: a bare LF becomes CRLF (RFC 5322 2.1; Postfix's smtpd_forbid_bare_newline=normalize).
  // expected: the message's size when it is known (a few bytes more make room for CRs).
  constructor(budget: MemoryBudget, maxMessage: number, o: { normalize: boolean; expected?: number | null }) {
    this.budget = budget;
    this.max = maxMessage;
    this.normalize = o.normalize;
    const expected = o.expected !== null && o.expected !== undefined && o.expected <= maxMessage ? o.expected + 1024 : SMALL;
    this.ab = new ArrayBuffer(MessageBuffer.HEADROOM + Math.min(expected, maxMessage));
    this.bytes = new Uint8Array(this.ab);
  }

  // Message bytes written so far.
  get size(): number {
    return this.end - MessageBuffer.HEADROOM;
  }

  get status(): WriteState {
    return this.state;
  }

  // Charges n message bytes at once (an IMAP literal announces its size): false, and nothing
  // charged, when they do not fit.
  reserve(n: number): boolean {
    if (n > this.max) {
      this.state = 'too-big';
      return false;
    }
    return this.charge(MessageBuffer.HEADROOM + n);
  }

  // Appends received bytes. Once the message is over its maximum size or the budget is spent,
  // the rest is dropped (and what was held is given back): the caller answers at the end.
  write(piece: Uint8Array): WriteState {
    if (this.state !== 'ok' || piece.length === 0) return this.state;
    if (!this.normalize) {
      this.put(piece, 0, piece.length);
    } else {
      let from = 0;
      for (let lf = piece.indexOf(LF); lf !== -1 && this.state === 'ok'; lf = piece.indexOf(LF, lf + 1)) {
        const before = lf > 0 ? piece[lf - 1] : this.last;
        if (before === CR) continue;
        this.put(piece, from, lf);
        this.put(CR_BYTE, 0, 1);
        from = lf;
      }
      this.put(piece, from, piece.length);
    }
    this.last = piece[piece.length - 1]!;
    return this.state;
  }

  // Hands the memory to a worker (the caller transfers it); adopt() takes it back.
  lend(): ArrayBuffer {
    return this.ab;
  }

  adopt(ab: ArrayBuffer): void {
    this.ab = ab;
    this.bytes = new Uint8Array(ab);
  }

  // The bytes in [start, end) of the buffer (default: the message) as a Buffer over the same memory.
  view(start = MessageBuffer.HEADROOM, end = this.end): Buffer {
    return Buffer.from(this.ab, start, end - start);
  }

  // Gives the memory and the budget back at once. No view of it may be used after this.
  release(): void {
    this.budget.release(this.charged);
    this.charged = 0;
    this.free();
    if (this.state === 'ok') this.state = 'no-memory';
  }

  private free(): void {
    if (!this.ab.detached) this.ab.transferToFixedLength(0);
  }

  private put(src: Uint8Array, from: number, to: number): void {
    if (this.state !== 'ok' || to <= from) return;
    const next = this.end + (to - from);
    if (next - MessageBuffer.HEADROOM > this.max) {
      this.fail('too-big');
      return;
    }
    if (!this.charge(next)) {
      this.fail('no-memory');
      return;
    }
    if (next > this.ab.byteLength) this.grow(next);
    this.bytes.set(src.subarray(from, to), this.end);
    this.end = next;
  }

  // Room up to `upTo` bytes: a resizable buffer grows in place; the first, plain one is moved into
  // a resizable one (the only copy, of what arrived before it was outgrown).
  private grow(upTo: number): void {
    const size = Math.min(MessageBuffer.HEADROOM + this.max, Math.ceil(upTo / GROW_STEP) * GROW_STEP);
    if (this.ab.resizable) {
      this.ab.resize(size);
    } else {
      const bigger = new ArrayBuffer(size, { maxByteLength: MessageBuffer.HEADROOM + this.max });
      new Uint8Array(bigger).set(this.bytes.subarray(0, this.end));
      this.free();
      this.ab = bigger;
    }
    this.bytes = new Uint8Array(this.ab);
  }

  // Makes sure the budget covers the buffer up to `upTo` bytes.
  private charge(upTo: number): boolean {
    if (upTo <= this.charged) return true;
    const want = Math.ceil(upTo / CHARGE_STEP) * CHARGE_STEP - this.charged;
    if (!this.budget.reserve(want)) return false;
    this.charged += want;
    return true;
  }

  // Over the size or the budget: what was held goes back now, the rest of the input is dropped.
  private fail(state: WriteState): void {
    this.state = state;
    this.budget.release(this.charged);
    this.charged = 0;
    this.free();
  }
}

const CR_BYTE = Uint8Array.of(CR);
