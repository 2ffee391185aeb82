// Gives a large buffer's memory back at once instead of whenever the garbage collector next runs
// (V8 collects by heap growth; megabytes of message bytes outside the heap can wait a long time).
// Only a Buffer that owns its whole ArrayBuffer is freed (what a worker sends back), or one marked
// owned() (a raw message the store read: a view past its value's header); a slice of a pooled or
// shared buffer is left alone. The Buffer must not be used afterwards: it reads as empty.
const OWNED = new WeakSet<ArrayBufferLike>();

export function free(b: Uint8Array | null | undefined): void {
  if (!b) return;
  const ab = b.buffer;
  if (!(ab instanceof ArrayBuffer) || ab.detached) return;
  if (!OWNED.has(ab) && (b.byteOffset !== 0 || b.byteLength !== ab.byteLength)) return;
  ab.transferToFixedLength(0);
}

// Marks `b` as the only view of its ArrayBuffer that anything keeps, so that free() may take it.
export function owned<T extends Uint8Array>(b: T): T {
  OWNED.add(b.buffer);
  return b;
}
