// The worker thread's side of the pool (pool.ts): runs one job at a time from the table in
// jobs.ts and answers with its result; a job's DNS questions go to the main thread.
import { parentPort } from 'node:worker_threads';
import { JOBS, type JobKind } from './jobs.ts';
import type { FromWorker, ToWorker } from './protocol.ts';

const port = parentPort!;
const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
let nextQuestion = 1;

const post = (m: FromWorker) => port.postMessage(m);

// A result's `buffer` goes back transferred, not copied (protocol.ts).
function transferOf(value: unknown): ArrayBuffer[] {
  const buffer = (value as { buffer?: unknown } | null)?.buffer;
  return buffer instanceof ArrayBuffer ? [buffer] : [];
}

// A resolver with the signature mailauth expects (name, rrtype) -> answers; errors keep their code
// (ENOTFOUND, ENODATA, ETIMEOUT), which SPF and DKIM tell apart.
function dnsFor(id: number) {
  return (name: string, rrtype: string): Promise<unknown> =>
    new Promise((resolve, reject) => {
      const q = nextQuestion++;
      waiting.set(q, { resolve, reject });
      post({ type: 'dns', id, q, name, rrtype });
    });
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'dns') {
    const w = waiting.get(m.q);
    waiting.delete(m.q);
    if (!w) return;
    if (m.ok) w.resolve(m.value);
    else w.reject(Object.assign(new Error(m.error.message), { code: m.error.code }));
    return;
  }
  const run = JOBS[m.kind as JobKind] as (input: unknown, env: { dns: ReturnType<typeof dnsFor> }) => Promise<unknown>;
  Promise.resolve()
    .then(() => run(m.input, { dns: dnsFor(m.id) }))
    .then(
      (value) => port.postMessage({ type: 'result', id: m.id, ok: true, value } satisfies FromWorker, transferOf(value)),
      (e: unknown) => post({ type: 'result', id: m.id, ok: false, error: e instanceof Error ? e.message : String(e) }),
    );
});
