// Sender Rewriting Scheme (SRS, no RFC; the draft by Shevek and libsrs2/postsrsd practice) for
// mail forwarded to another domain: the original sender's domain never authorized this server
// in SPF (RFC 7208), so such a message leaves with a reverse-path in our own domain that encodes
// the original one,
//   SRS0=<hash>=<tt>=<original domain>=<original local part>@<our domain>
// where tt is the day (base32, mod 1024) and the hash (HMAC-SHA256 with outbound.srsSecret,
// base32, case-insensitive as other MTAs may fold case) proves we issued it. A bounce sent back to
// that address is accepted for 21 days and relayed to the original sender (srsReverse, used when
// resolving local recipients). Senders in local domains, submissions and the null sender are
// left alone. The rewrite happens at sending time; the queue keeps the original sender for
// bounces of its own. outbound.srs false turns it off.
import { createHmac, randomBytes } from 'node:crypto';
import type { Logger } from '../log/log.ts';
import type { QueueEntry, Store } from '../store/index.ts';
import { readSetting } from '../settings/define.ts';
import { SRS_SECRET, type OutboundSettings } from './settings.ts';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';
const DAY = 86_400_000;
const MAX_AGE_DAYS = 21;
const MAX_LOCAL = 64; // RFC 5321 4.5.3.1.1

function base32(bytes: Buffer, chars: number): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5 && out.length < chars) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    if (out.length >= chars) break;
  }
  return out;
}

function hash(secret: string, tt: string, domain: string, localPart: string): string {
  return base32(createHmac('sha256', secret).update(`${tt}=${domain}=${localPart}`.toLowerCase()).digest(), 6);
}

function timestamp(now: number): string {
  const day = Math.floor(now / DAY) % 1024;
  return BASE32[day >> 5] + BASE32[day & 31];
}

// SRS0 address for `sender`, or null when it would not fit a local part.
export function srsEncode(sender: string, srsDomain: string, secret: string, now: number): string | null {
  const at = sender.lastIndexOf('@');
  const localPart = sender.slice(0, at);
  const domain = sender.slice(at + 1);
  const tt = timestamp(now);
  const encoded = `SRS0=${hash(secret, tt, domain, localPart)}=${tt}=${domain}=${localPart}`;
  return Buffer.byteLength(encoded) <= MAX_LOCAL ? `${encoded}@${srsDomain}` : null;
}

// The original sender of an SRS0 address we issued within MAX_AGE_DAYS, or null.
export function srsDecode(address: string, secret: string, now: number): string | null {
  const at = address.lastIndexOf('@');
  const m = /^SRS0=([a-z2-7]{6})=([a-z2-7]{2})=([^=]+)=(.+)$/i.exec(address.slice(0, at));
  if (!m) return null;
  const [, h, tt, domain, localPart] = m;
  if (hash(secret, tt, domain, localPart) !== h.toLowerCase()) return null;
  const day = BASE32.indexOf(tt[0].toLowerCase()) * 32 + BASE32.indexOf(tt[1].toLowerCase());
  const age = ((Math.floor(now / DAY) % 1024) - day + 1024) % 1024;
  return age <= MAX_AGE_DAYS ? `${localPart}@${domain}` : null;
}

// The secret, made the first time; the delivery worker calls this before it starts.
export async function ensureSrsSecret(store: Store): Promise<void> {
  if (readSetting(store.settings, SRS_SECRET) !== null) return;
  await store.settings.set(SRS_SECRET.key, randomBytes(32).toString('base64'));
}

// The domain SRS addresses are made in: the local domain of the server's host name, else the
// first local domain.
function srsDomain(store: Store, hostname: string): string | null {
  const domains = store.domains.list().map((d) => d.name);
  return domains.find((d) => hostname === d || hostname.endsWith(`.${d}`)) ?? domains[0] ?? null;
}

// The reverse-path a queue entry leaves with.
export function srsForward(entry: QueueEntry, settings: OutboundSettings, store: Store, log: Logger, now = Date.now()): string {
  const sender = entry.sender;
  if (!settings.srs || sender === '' || entry.accountId !== null || !sender.includes('@')) return sender;
  if (store.domains.isLocal(sender.slice(sender.lastIndexOf('@') + 1))) return sender;
  const secret = readSetting(store.settings, SRS_SECRET);
  const domain = srsDomain(store, settings.heloName);
  if (typeof secret !== 'string' || !domain) return sender;
  const rewritten = srsEncode(sender, domain, secret, now);
  if (!rewritten) log.info('queue.srs_skipped', { id: entry.id, reason: 'sender too long for an SRS address' });
  return rewritten ?? sender;
}

// For recipient resolution: where a bounce to one of our SRS addresses goes, or null.
export function srsReverse(store: Store, address: string, now = Date.now()): string | null {
  if (!/^SRS0=/i.test(address)) return null;
  const secret = readSetting(store.settings, SRS_SECRET);
  return typeof secret === 'string' ? srsDecode(address, secret, now) : null;
}
