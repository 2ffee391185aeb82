// Socket data is read in buffers outside V8's heap, which V8 collects only once enough of them
// pile up (its external memory limit is 64 MB over the last collection), and smtp-server copies
// each piece of DATA once more. A client streaming hundreds of megabytes leaves that much garbage
// between collections: on a 512 MB device, too much. So after every COLLECT_EVERY bytes of
// message data received (any protocol), a minor collection (a scavenge: a millisecond or two)
// frees the pieces those bytes passed through. V8 offers it with --expose-gc (.node-flags); where
// it is not exposed (the tests' own processes) nothing happens.
const COLLECT_EVERY = 16 * 1024 * 1024;

let received = 0;
const gc = (globalThis as { gc?: (o: { type: 'minor' | 'major' }) => void }).gc;

export function countReceived(bytes: number): void {
  received += bytes;
  if (received < COLLECT_EVERY) return;
  received = 0;
  gc?.({ type: 'minor' });
}
