// The raw messages the store hands out (bodies.ts readRaw) are views of buffers of their own: a
// reader may give one back at once with free() instead of whenever the garbage collector next runs
// (V8 collects by heap growth; megabytes of message bytes outside the heap can wait a long time),
// or move its buffer to a worker thread. The view starts past the stored value's header, so the
// buffer is marked owned() rather than recognised by covering it whole.
const OWNED = new WeakSet<ArrayBufferLike>();

export function owned<T extends Uint8Array>(b: T): T {
  OWNED.add(b.buffer);
  return b;
}

// True when `b` is the only view of its ArrayBuffer that anything keeps: the store marked it, or
// it covers the buffer whole (not a slice of Node's pool or of a shared buffer).
export function isOwned(b: Uint8Array): boolean {
  const ab = b.buffer;
  return ab instanceof ArrayBuffer && !ab.detached && (OWNED.has(ab) || (b.byteOffset === 0 && b.byteLength === ab.byteLength));
}

// Gives an owned buffer's memory back now; anything else is left to the collector. `b` must not be
// used afterwards: it reads as empty.
export function free(b: Uint8Array | null | undefined): void {
  if (b && isOwned(b)) (b.buffer as ArrayBuffer).transferToFixedLength(0);
}
