// RCPT rule "greylist", with smtp.greylist (off by default): the first attempt of a triplet (the
// client's /24 or /64 network, the envelope sender, the recipient) gets 451 4.7.1, and so does a
// retry before smtp.greylistDelay; a retry after it passes, and the triplet passes from then on
// (the store forgets it after 35 days without mail, or 36 hours unconfirmed). A legitimate server
// retries a 4xx (RFC 5321 4.5.4.1); much spamware does not. Only mail from the internet to a local
// recipient that exists is greylisted, never a client on a DNS allowlist (smtp.dnsAllowlistZones).
import { createHash } from 'node:crypto';
import { ipBytes } from '../../smtp/cidr.ts';
import { allowlisted } from './rcpt.dnsbl.ts';
import { fromInternet, isLocal, localKey } from './local.ts';
import { NEXT, type Rule } from './types.ts';

// The client's network: a /24 for IPv4 (IPv4-mapped IPv6 included), a /64 for IPv6, so that a
// sender's pool of outbound servers retries as one.
export function greylistNetwork(ip: string): string {
  const b = ipBytes(ip);
  if (!b) return ip;
  return b.length === 4 ? `${b[0]}.${b[1]}.${b[2]}.0/24` : `${b.subarray(0, 8).toString('hex')}/64`;
}

// The store keys a triplet by its SHA-256: a fixed 44 characters, whatever the addresses.
export function greylistTriplet(ip: string, sender: string, recipient: string): string {
  return createHash('sha256')
    .update(`${greylistNetwork(ip)}\0${sender.toLowerCase()}\0${recipient.toLowerCase()}`)
    .digest('base64');
}

export const greylist: Rule<'rcpt'> = {
  name: 'greylist',
  stage: 'rcpt',
  async run(ctx, { recipient }, signal) {
    if (!ctx.settings.greylist || !fromInternet(ctx)) return NEXT;
    const m = recipient.mailbox;
    const key = isLocal(ctx, m) ? localKey(m) : null;
    if (key === null || !ctx.directory.resolve(key)) return NEXT;
    const allow = await allowlisted(ctx, signal);
    if (allow) return { verdict: 'next', reason: `allowlisted by ${allow.zone}` };
    const sender = ctx.transaction.sender?.kind === 'mailbox' ? ctx.transaction.sender.mailbox.address : '';
    const state = await ctx.directory.greylist(greylistTriplet(ctx.session.remoteAddress, sender, m.address), ctx.settings.greylistDelayMs);
    if (state === 'pass') return { verdict: 'next', reason: 'greylist passed' };
    // RFC 3463 X.7.1: delivery not authorized (yet).
    return { verdict: 'tempfail', code: 451, enhanced: '4.7.1', text: 'Greylisted, try again later', reason: `greylisted (${state} attempt)` };
  },
};
