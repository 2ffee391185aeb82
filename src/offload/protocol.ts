// The messages between the pool (pool.ts) and a worker (worker.ts): a job and its result, and the
// DNS questions a job asks the main thread while it runs. Large memory is moved, never copied: the
// pool transfers what the caller lists, and a result's top-level `buffer` (an ArrayBuffer) is
// transferred back.

export type ToWorker =
  | { type: 'job'; id: number; kind: string; input: unknown }
  | { type: 'dns'; q: number; ok: true; value: unknown }
  | { type: 'dns'; q: number; ok: false; error: { message: string; code: string } };

export type FromWorker =
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: string }
  | { type: 'dns'; id: number; q: number; name: string; rrtype: string };
