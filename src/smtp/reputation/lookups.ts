// The DNS about a client that the SMTP policy asks (dnsbl.ts, fcrdns.ts), shared by every
// session: an answer is kept ANSWER_MS, so a client sending many messages, or the prefetch at
// connect and the rule at RCPT, cost one query; a failure is kept FAILURE_MS, so that a
// session's recipients do not each wait for a resolver that is not answering. At most
// MAX_ENTRIES are held, the oldest dropped first. Each caller waits at most until its own signal
// aborts; the query itself is bounded by the resolver's timeout (dns.ts).
import type { DnsResolve } from '../dns.ts';
import { queryZone, type ZoneAnswer } from './dnsbl.ts';
import { forwardConfirmed, type Fcrdns } from './fcrdns.ts';

const ANSWER_MS = 5 * 60_000;
const FAILURE_MS = 30_000;
const MAX_ENTRIES = 4096;

// What a rule asks, bound to the session's resolver.
export interface ClientLookups {
  zone(ip: string, zone: string, signal: AbortSignal): Promise<ZoneAnswer>;
  fcrdns(ip: string, signal: AbortSignal): Promise<Fcrdns>;
}

export class ReputationCache {
  private entries = new Map<string, { until: number; value: Promise<unknown> }>();
  private now: () => number;
  // Told about every zone answer that was queried (not taken from the cache), for logs and the
  // status page.
  private onZoneAnswer: (ip: string, a: ZoneAnswer) => void;

  constructor(o: { now?: () => number; onZoneAnswer?: (ip: string, a: ZoneAnswer) => void } = {}) {
    this.now = o.now ?? Date.now;
    this.onZoneAnswer = o.onZoneAnswer ?? (() => {});
  }

  get size(): number {
    return this.entries.size;
  }

  bind(resolve: DnsResolve): ClientLookups {
    return {
      zone: (ip, zone, signal) =>
        untilAborted(
          this.cached(
            `${zone} ${ip}`,
            async () => {
              const a = await queryZone(resolve, ip, zone);
              this.onZoneAnswer(ip, a);
              return a;
            },
            (a) => a.status === 'error',
          ),
          signal,
          { zone, status: 'error', detail: 'ETIMEOUT' },
        ),
      fcrdns: (ip, signal) =>
        untilAborted(
          this.cached(
            `iprev ${ip}`,
            () => forwardConfirmed(resolve, ip),
            (f) => f.result === 'temperror',
          ),
          signal,
          { result: 'temperror', name: null },
        ),
    };
  }

  private cached<T>(key: string, query: () => Promise<T>, failed: (v: T) => boolean): Promise<T> {
    const now = this.now();
    const hit = this.entries.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    const entry = { until: now + ANSWER_MS, value: query() as Promise<unknown> };
    this.entries.set(key, entry);
    const shorten = () => {
      entry.until = Math.min(entry.until, this.now() + FAILURE_MS);
    };
    entry.value.then((v) => failed(v as T) && shorten(), shorten);
    return entry.value as Promise<T>;
  }
}

// The answer, or `late` once the signal aborts first.
function untilAborted<T>(p: Promise<T>, signal: AbortSignal, late: T): Promise<T> {
  if (signal.aborted) return Promise.resolve(late);
  return new Promise((resolve) => {
    const onAbort = () => resolve(late);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      () => {
        signal.removeEventListener('abort', onAbort);
        resolve(late);
      },
    );
  });
}
