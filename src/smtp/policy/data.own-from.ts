// DATA stage: an authenticated submitter's header From (RFC 5322 3.6.2) must hold only addresses
// of their own account and its aliases, and at least one (RFC 5322 3.6: From is required).
// Else 553 5.7.1, like the envelope sender (mail.own-address.ts).
import { parseMailbox } from '../address.ts';
import { REPLIES } from '../reply.ts';
import { isOwnAddress } from './mail.own-address.ts';
import { NEXT, type Rule } from './types.ts';

export const ownFrom: Rule<'data'> = {
  name: 'own-from',
  stage: 'data',
  async run(ctx, { message }) {
    if (!ctx.session.account) return NEXT;
    const r = REPLIES.badSender;
    const refuse = (reason: string) => ({ verdict: 'reject' as const, code: r.code, enhanced: r.enhanced, text: 'From header not owned by the authenticated user', reason });
    if (message.headerFrom.length === 0) return refuse('no From address');
    for (const a of message.headerFrom) {
      let owned = false;
      try {
        const m = parseMailbox(a, true);
        owned = isOwnAddress(ctx, m.local, m.asciiDomain, m.quoted);
      } catch {
        owned = false;
      }
      if (!owned) return refuse(`From ${a} is not an address of ${ctx.session.account.address}`);
    }
    return NEXT;
  },
};
