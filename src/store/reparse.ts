// Brings the parsed forms of stored bodies up to the current MIME parser (MIME_FORMAT_VERSION):
// the daemon runs this pass at start, in slices, so the event loop keeps serving every protocol.
import type { Logger } from '../log/log.ts';
import { MIME_FORMAT_VERSION, type ParsedMessage } from '../mime/types.ts';
import type { Store } from './store.ts';

export interface ReparseOptions {
  // Parses a stored raw message (the daemon: in a worker thread).
  parse(raw: Buffer): Promise<ParsedMessage>;
  log: Logger;
  signal?: AbortSignal;
  // Body records examined per slice; the stale ones among them are re-parsed and stored in one commit.
  scan?: number;
}

export interface ReparseResult {
  reparsed: number;
  failed: number;
}

// Walks every body once, unless the store says none can be stale; resolves when the walk is done
// or `signal` stopped it. A complete walk without failures marks the store as current.
export async function reparseStale(store: Store, o: ReparseOptions): Promise<ReparseResult> {
  const result: ReparseResult = { reparsed: 0, failed: 0 };
  if (store.bodies.parsedSince() >= MIME_FORMAT_VERSION) return result;
  let from: Buffer | undefined;
  do {
    await new Promise((resolve) => setImmediate(resolve));
    if (o.signal?.aborted) break;
    const slice = store.bodies.staleParsed(from, o.scan ?? 128);
    from = slice.next;
    const updates: [Buffer, ParsedMessage][] = [];
    for (const hash of slice.stale) {
      const raw = store.bodies.get(hash);
      if (!raw) continue;
      try {
        updates.push([hash, await o.parse(raw)]);
      } catch (e) {
        if (o.signal?.aborted) break;
        result.failed++;
        o.log.warn('store.reparse_failed', { body: hash.toString('hex').slice(0, 12), error: e });
      }
    }
    if (o.signal?.aborted) break;
    if (updates.length) {
      result.reparsed += await store.bodies.replaceParsed(updates);
    }
  } while (from);
  if (!o.signal?.aborted && result.failed === 0) await store.bodies.markParsedSince(MIME_FORMAT_VERSION);
  return result;
}

// Starts the pass in the background; logs one line with the counts once the walk is done.
// stop() ends it after the body being parsed and waits for that.
export function startReparse(store: Store, o: Omit<ReparseOptions, 'signal'>): { stop(): Promise<void> } {
  const abort = new AbortController();
  const started = Date.now();
  const pass = reparseStale(store, { ...o, signal: abort.signal }).then(
    (r) => {
      if (!abort.signal.aborted) o.log.info('store.reparse_done', { ...r, ms: Date.now() - started });
    },
    (e: unknown) => {
      if (!abort.signal.aborted) o.log.error('store.reparse_stopped', { error: e });
    },
  );
  return {
    stop() {
      abort.abort();
      return pass;
    },
  };
}
