// Blocklists that refuse our queries (dnsbl.ts: answers in 127.255.255.0/24), remembered in the
// store so that the status page and `homepost status` can say so in plain words: a list that
// refuses every query blocks nothing, usually because the queries reach it through a public
// resolver. The SMTP server writes a zone's mark at most once per MARK_MS; a mark older than
// SHOW_MS, or for a zone no longer chosen, is not shown.
import { structured, readSetting, type SettingsSource } from '../../settings/define.ts';

export type RefusedZones = Record<string, { at: number; answer: string }>;

const MARK_MS = 60 * 60_000;
const SHOW_MS = 24 * 60 * 60_000;
const MAX_ZONES = 32;

export const DNSBL_REFUSED = structured<RefusedZones>({
  key: 'smtp.dnsblRefused',
  default: {},
  rule: 'the blocklists that refused queries, with when and their answer',
  parse: (v) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    const out: RefusedZones = {};
    for (const [zone, m] of Object.entries(v as Record<string, { at?: unknown; answer?: unknown }>)) {
      if (typeof m?.at !== 'number' || typeof m.answer !== 'string') throw new Error(`bad mark for ${zone}`);
      out[zone] = { at: m.at, answer: m.answer };
    }
    return out;
  },
  internal: true,
  description: 'the DNS blocklists that answered "query refused" lately, for the status page',
});

// The marks with this zone's refusal, or null when the stored one is recent enough.
export function markRefused(source: SettingsSource, zone: string, answer: string, now: number): RefusedZones | null {
  const marks = readSetting(source, DNSBL_REFUSED);
  if (now - (marks[zone]?.at ?? -Infinity) < MARK_MS) return null;
  const kept = Object.entries(marks)
    .filter(([z, m]) => z !== zone && now - m.at < SHOW_MS)
    .slice(-(MAX_ZONES - 1));
  return { ...Object.fromEntries(kept), [zone]: { at: now, answer } };
}

// One plain sentence per chosen zone that refused queries lately.
export function refusedWarnings(source: SettingsSource, zones: readonly string[], now: number): string[] {
  const marks = readSetting(source, DNSBL_REFUSED);
  return zones
    .filter((z) => marks[z] && now - marks[z].at < SHOW_MS)
    .map(
      (z) =>
        `The blocklist ${z} refused to answer (${marks[z]!.answer}), so it blocks nothing. Lists like this one refuse queries that come through ` +
        'public DNS resolvers (such as 8.8.8.8 or 1.1.1.1) or that exceed their free use: set dns.servers to a resolver of your own or your provider’s, or remove the list from smtp.dnsblZones.',
    );
}
