// RCPT rule "dnsbl", first of the RCPT rules: mail from the internet whose client address one of
// smtp.dnsblZones lists (RFC 5782 2.3) is refused with 554 5.7.1 naming the list, unless one of
// smtp.dnsAllowlistZones lists it. It decides at RCPT rather than at connect: the lookup starts
// when the client connects (session.ts), so it costs no wait; mail to postmaster still gets
// through (RFC 5321 4.5.1 wants it reachable: a listed sender can ask why); and the client gets
// a plain per-recipient refusal, where a 554 greeting (RFC 5321 3.1) sends many clients on to
// the next MX host or to try again later. A list that refuses the query (127.255.255.0/24) or a
// DNS failure counts as not listed: never refused, never delayed, recorded in the reason and
// logged.
import { REPLIES } from '../reply.ts';
import { isPostmaster } from '../postmaster.ts';
import type { ZoneAnswer } from '../../smtp/reputation/dnsbl.ts';
import { fromInternet, isLocal } from './local.ts';
import { NEXT, type Rule, type SmtpContext } from './types.ts';

const ask = (ctx: SmtpContext, zones: readonly string[], signal: AbortSignal) =>
  Promise.all(zones.map((z) => ctx.lookups.zone(ctx.session.remoteAddress, z, signal)));

// The allowlist zone that lists the client, if any (the greylist asks too).
export async function allowlisted(ctx: SmtpContext, signal: AbortSignal): Promise<ZoneAnswer | undefined> {
  return (await ask(ctx, ctx.settings.dnsAllowlistZones, signal)).find((a) => a.status === 'listed');
}

const unanswered = (answers: ZoneAnswer[]) =>
  answers
    .filter((a) => a.status === 'refused' || a.status === 'error')
    .map((a) => `${a.zone} ${a.status === 'refused' ? 'refused the query' : 'failed'} (${a.detail})`);

export const dnsbl: Rule<'rcpt'> = {
  name: 'dnsbl',
  stage: 'rcpt',
  async run(ctx, { recipient }, signal) {
    const { dnsblZones, dnsAllowlistZones } = ctx.settings;
    if (dnsblZones.length === 0 || !fromInternet(ctx)) return NEXT;
    if (isPostmaster(recipient.mailbox) && isLocal(ctx, recipient.mailbox)) return { verdict: 'next', reason: 'postmaster is not checked' };
    const allowed = await ask(ctx, dnsAllowlistZones, signal);
    const allow = allowed.find((a) => a.status === 'listed');
    if (allow) return { verdict: 'next', reason: `allowlisted by ${allow.zone} (${allow.detail})` };
    const answers = await ask(ctx, dnsblZones, signal);
    const listed = answers.find((a) => a.status === 'listed');
    const problems = unanswered([...allowed, ...answers]);
    if (!listed) return { verdict: 'next', reason: problems.length ? `not listed; ${problems.join('; ')}` : 'not listed' };
    const r = REPLIES.blocklisted;
    return {
      verdict: 'reject',
      code: r.code,
      enhanced: r.enhanced,
      text: `Client host [${ctx.session.remoteAddress}] blocked using ${listed.zone}`,
      reason: `listed by ${listed.zone} (${listed.detail})`,
    };
  },
};
