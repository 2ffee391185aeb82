// Gives a large buffer's memory back at once instead of whenever the garbage collector next runs
// (V8 collects by heap growth; megabytes of message bytes outside the heap can wait a long time).
// Only a Buffer that owns its whole ArrayBuffer is freed (what LMDB returns for a value, what a
// worker sends back); a slice of a pooled or shared buffer is left alone. The Buffer must not be
// used afterwards: it reads as empty.
export function free(b: Uint8Array | null | undefined): void {
  if (!b) return;
  const ab = b.buffer;
  if (!(ab instanceof ArrayBuffer) || ab.detached || b.byteOffset !== 0 || b.byteLength !== ab.byteLength) return;
  ab.transferToFixedLength(0);
}
