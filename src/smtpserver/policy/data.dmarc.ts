// DATA stage: with smtp.rejectDmarc, mail that fails DMARC while the author domain publishes
// p=reject is refused (RFC 7489 6.6.3 lets the receiver honour the policy). Off by default:
// the result is then only recorded in Authentication-Results.
import { REPLIES } from '../reply.ts';
import { NEXT, type Rule } from './types.ts';

export const dmarc: Rule<'data'> = {
  name: 'dmarc',
  stage: 'data',
  async run(ctx, { message }) {
    const auth = message.auth;
    if (auth?.dmarc !== 'fail' || auth.dmarcPolicy !== 'reject') return NEXT;
    if (!ctx.settings.rejectDmarc) return { verdict: 'next', reason: 'dmarc=fail p=reject, rejection off' };
    const r = REPLIES.dmarcReject;
    return { verdict: 'reject', code: r.code, enhanced: r.enhanced, text: r.text, reason: 'dmarc=fail p=reject' };
  },
};
