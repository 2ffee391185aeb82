// DATA stage, with smtp.junkSpfFail: mail whose SPF check failed (RFC 7208 2.6.4 "fail": the
// sender domain's record ends in -all and the client is not in it) and that carries no passing
// DKIM signature aligned with its From domain (RFC 7489 3.1.1) is marked for Junk. It is not
// refused: forwarding breaks SPF, and the user can still find the message.
import { alignedDkim } from './alignment.ts';
import { NEXT, type Rule } from './types.ts';

export const spfFail: Rule<'data'> = {
  name: 'spf-fail',
  stage: 'data',
  async run(ctx, { message }) {
    if (message.auth?.spf !== 'fail' || alignedDkim(message)) return NEXT;
    if (!ctx.settings.junkSpfFail) return { verdict: 'next', reason: 'spf=fail without aligned DKIM, Junk filing off' };
    ctx.transaction.junk.push({ rule: 'spf-fail', kind: 'junk', reason: `spf=fail for ${message.auth.spfDomain ?? 'the sender'}, no aligned DKIM` });
    return { verdict: 'next', reason: 'spf=fail without aligned DKIM: to Junk' };
  },
};
