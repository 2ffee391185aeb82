// The SMTP service's side of the DNS about clients (smtp/reputation/): one cache for every
// listener, lookups started as a client from the internet connects so that the rules at MAIL
// and RCPT find their answers waiting, and blocklist answers that were not answers logged; a
// list that refuses our queries is also marked in the store for the status page (refused.ts).
import type { Logger } from '../log/log.ts';
import type { ZoneAnswer } from '../smtp/reputation/dnsbl.ts';
import type { ClientLookups } from '../smtp/reputation/lookups.ts';
import { DNSBL_REFUSED, markRefused } from '../smtp/reputation/refused.ts';
import type { SmtpSettings } from '../smtp/settings.ts';
import type { Store } from '../store/index.ts';

export function noteZoneAnswer(store: Store, log: Logger, ip: string, a: ZoneAnswer): void {
  if (a.status === 'error') log.info('smtp.dnsbl_failed', { zone: a.zone, remote: ip, error: a.detail });
  if (a.status !== 'refused') return;
  log.warn('smtp.dnsbl_refused', { zone: a.zone, remote: ip, answer: a.detail });
  const marks = markRefused(store.settings, a.zone, a.detail, Date.now());
  if (marks) store.settings.set(DNSBL_REFUSED.key, marks).catch((e: unknown) => log.warn('smtp.dnsbl_mark_failed', { zone: a.zone, error: e as Error }));
}

// Starts the lookups the rules will ask for; their answers wait in the cache.
export function prefetch(lookups: ClientLookups, settings: SmtpSettings, ip: string): void {
  const never = new AbortController().signal;
  if (settings.dnsblZones.length) for (const z of [...settings.dnsAllowlistZones, ...settings.dnsblZones]) void lookups.zone(ip, z, never);
  if (settings.fcrdns) void lookups.fcrdns(ip, never);
}
