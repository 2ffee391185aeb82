// DATA stage: mail from the internet that claims one of our domains, as its MAIL FROM or its
// From:, must prove it. Our own users send through submission; anyone else writing as our
// domain is forging it (internal phishing). Proof is SPF passing for the MAIL FROM domain
// (RFC 7208 2.4), or a DKIM signature that passed (RFC 6376 6.1) for a domain aligned with the
// claimed one (RFC 7489 3.1.1 relaxed alignment: the same domain, or one a subdomain of the
// other); for From:, SPF counts only when the MAIL FROM domain is aligned with it (RFC 7489
// 3.1.2). Without proof: 550 5.7.26 (RFC 7372 3.2); while SPF could not be evaluated (DNS
// failing) and nothing else passed, 451 4.4.3 so that the sender tries again.
// smtp.ownDomainSpoofing = 'off' turns the rule off.
import { domainOf } from '../../store/addresses.ts';
import { REPLIES } from '../reply.ts';
import { aligned } from './alignment.ts';
import { fromInternet } from './local.ts';
import { NEXT, type Rule, type SmtpContext, type Verdict } from './types.ts';

// The local domain this domain is, or is a subdomain of, or null.
function ownDomain(ctx: SmtpContext, domain: string): string | null {
  for (let d = domain; d.includes('.'); d = d.slice(d.indexOf('.') + 1)) if (ctx.directory.isLocalDomain(d)) return d;
  return null;
}

export const ownDomainRule: Rule<'data'> = {
  name: 'own-domain',
  stage: 'data',
  async run(ctx, { message }): Promise<Verdict> {
    const auth = message.auth;
    if (ctx.settings.ownDomainSpoofing === 'off' || !fromInternet(ctx)) return NEXT;
    const sender = ctx.transaction.sender;
    const mailFrom = sender?.kind === 'mailbox' && sender.mailbox.asciiDomain ? sender.mailbox.asciiDomain.toLowerCase() : null;
    const claims: { what: string; domain: string }[] = [];
    if (mailFrom && ownDomain(ctx, mailFrom)) claims.push({ what: 'MAIL FROM', domain: mailFrom });
    for (const a of message.from.addresses) {
      const d = domainOf(a).toLowerCase();
      if (ownDomain(ctx, d)) claims.push({ what: 'From', domain: d });
    }
    if (claims.length === 0) return NEXT;
    const spfPass = auth?.spf === 'pass' && mailFrom !== null;
    for (const c of claims) {
      const dkim = auth?.dkimPass.some((d) => aligned(d, c.domain)) ?? false;
      const spf = spfPass && aligned(mailFrom!, c.domain);
      if (dkim || spf) continue;
      if (!auth || auth.spf === 'temperror') {
        const r = REPLIES.policyTimeout;
        return { verdict: 'tempfail', code: r.code, enhanced: r.enhanced, text: r.text, reason: `${c.what} ${c.domain} is ours; SPF could not be evaluated` };
      }
      const r = REPLIES.ownDomainUnauthenticated;
      return {
        verdict: 'reject',
        code: r.code,
        enhanced: r.enhanced,
        text: r.text,
        reason: `${c.what} ${c.domain} is ours; spf=${auth.spf}, no aligned DKIM pass`,
      };
    }
    return { verdict: 'next', reason: 'own domain authenticated' };
  },
};
