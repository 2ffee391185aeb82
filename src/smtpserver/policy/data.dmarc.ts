// DATA stage: the author domain's DMARC policy for mail that fails DMARC (RFC 7489 6.3 p=; 6.7
// leaves the final disposition to the receiver's local policy). p=reject: refused with 550 5.7.1 when
// smtp.rejectDmarc is on (off by default: the failure is then only recorded in
// Authentication-Results). p=quarantine: marked for Junk (RFC 7489 6.3: "treated as suspicious")
// when smtp.junkDmarcQuarantine is on. A DMARC result other than fail (temperror while DNS
// fails) never acts.
import { REPLIES } from '../reply.ts';
import { NEXT, type Rule } from './types.ts';

export const dmarc: Rule<'data'> = {
  name: 'dmarc',
  stage: 'data',
  async run(ctx, { message }) {
    const auth = message.auth;
    if (auth?.dmarc !== 'fail') return NEXT;
    if (auth.dmarcPolicy === 'quarantine') {
      if (!ctx.settings.junkDmarcQuarantine) return { verdict: 'next', reason: 'dmarc=fail p=quarantine, Junk filing off' };
      ctx.transaction.junk.push({ rule: 'dmarc', kind: 'junk', reason: 'dmarc=fail p=quarantine' });
      return { verdict: 'next', reason: 'dmarc=fail p=quarantine: to Junk' };
    }
    if (auth.dmarcPolicy !== 'reject') return NEXT;
    if (!ctx.settings.rejectDmarc) return { verdict: 'next', reason: 'dmarc=fail p=reject, rejection off' };
    const r = REPLIES.dmarcReject;
    return { verdict: 'reject', code: r.code, enhanced: r.enhanced, text: r.text, reason: 'dmarc=fail p=reject' };
  },
};
