// DNS for the inbound checks (SPF, DKIM, DMARC). The resolver is injectable (tests and benchmarks
// never ask outside DNS); the default uses the system's servers or dns.servers, one try with a
// short timeout. When the servers do not answer, a breaker opens: for the next BREAKER_MS every
// query fails at once with ETIMEOUT, which the checks report as temperror, so a dead resolver
// costs one timeout, not one per query per message (the issue: fail fast, never stall delivery).
// A server that answers REFUSED is alive: that answer is for its one query (a resolver that will
// not recurse for that name) and leaves the others alone.
import { Resolver } from 'node:dns/promises';

export type DnsResolve = (name: string, type: string) => Promise<unknown>;

const BREAKER_MS = 30_000;
const UNREACHABLE = new Set(['ETIMEOUT', 'ECONNREFUSED', 'ECONNRESET']);

export function timeoutError(name: string): NodeJS.ErrnoException {
  const e = new Error(`DNS query for ${name} timed out`) as NodeJS.ErrnoException;
  e.code = 'ETIMEOUT';
  return e;
}

export function systemResolver(opts: { servers: string[]; timeoutMs: number; now?: () => number }): DnsResolve {
  const resolver = new Resolver({ timeout: opts.timeoutMs, tries: 1 });
  if (opts.servers.length) resolver.setServers(opts.servers);
  const now = opts.now ?? Date.now;
  let openUntil = 0;
  return async (name, type) => {
    if (now() < openUntil) throw timeoutError(name);
    try {
      return await resolver.resolve(name, type);
    } catch (e) {
      if (UNREACHABLE.has((e as NodeJS.ErrnoException).code ?? '')) openUntil = now() + BREAKER_MS;
      throw e;
    }
  };
}

// The same resolver bounded by a signal: once it aborts, queries fail at once with ETIMEOUT.
export function withSignal(resolve: DnsResolve, signal: AbortSignal): DnsResolve {
  return (name, type) => {
    if (signal.aborted) return Promise.reject(timeoutError(name));
    return new Promise((ok, fail) => {
      const onAbort = () => fail(timeoutError(name));
      signal.addEventListener('abort', onAbort, { once: true });
      resolve(name, type).then(
        (v) => {
          signal.removeEventListener('abort', onAbort);
          ok(v);
        },
        (e: unknown) => {
          signal.removeEventListener('abort', onAbort);
          fail(e);
        },
      );
    });
  };
}
