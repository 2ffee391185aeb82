// The outbound delivery of `homepost serve`: one DeliveryWorker over the store's queue. It has no
// socket of its own; its Listener-like handle stops it gracefully (worker.ts: close), before the
// store closes.
import type { Listener } from '../net/listener.ts';
import type { ServiceStarter } from '../service/context.ts';
import { systemResolver, type DnsResolve } from '../smtp/dns.ts';
import { readSmtpSettings } from '../smtp/settings.ts';
import { ensureSrsSecret } from './srs.ts';
import { DeliveryWorker } from './worker.ts';

export interface QueueServiceOptions {
  // DNS for MX lookups; default: the system's resolvers (or dns.servers), short timeouts.
  resolve?: DnsResolve;
  // Called with the worker once it runs (tests wait on it).
  onStart?: (worker: DeliveryWorker) => void;
}

export function createQueueService(o: QueueServiceOptions = {}): ServiceStarter {
  return async (ctx) => {
    const log = ctx.log.child({ component: 'queue' });
    await ensureSrsSecret(ctx.store);
    let cached: { key: string; resolve: DnsResolve } | null = null;
    const resolve = (): DnsResolve => {
      if (o.resolve) return o.resolve;
      const s = readSmtpSettings(ctx.store.settings, ctx.options.dev);
      const key = `${s.dnsServers.join(',')}|${s.dnsTimeoutMs}`;
      if (cached?.key !== key) cached = { key, resolve: systemResolver({ servers: s.dnsServers, timeoutMs: s.dnsTimeoutMs }) };
      return cached.resolve;
    };
    const worker = new DeliveryWorker({
      store: ctx.store,
      budget: ctx.budget,
      offload: ctx.offload,
      junk: ctx.junk,
      log,
      hostname: () => ctx.options.hostname,
      resolve,
    });
    worker.start();
    o.onStart?.(worker);
    log.info('queue.started', { entries: ctx.store.queue.list().length });
    const handle: Listener = {
      name: 'outbound',
      host: 'queue worker',
      port: 0,
      async close() {
        await worker.close();
        log.info('queue.stopped', {});
      },
    };
    return [handle];
  };
}
