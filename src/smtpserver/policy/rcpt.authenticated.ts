// RCPT rule "authenticated" (relay rule 1): an authenticated client may send anywhere; a
// recipient outside the local domains goes to the outbound queue. Local domains are left to
// "local-recipient", so that an unknown local user is refused at once rather than bounced later.
import { isLocal } from './local.ts';
import { NEXT, type Rule } from './types.ts';

export const authenticated: Rule<'rcpt'> = {
  name: 'authenticated',
  stage: 'rcpt',
  async run(ctx, { recipient }) {
    if (!ctx.session.account || isLocal(ctx, recipient.mailbox)) return NEXT;
    recipient.external = [recipient.mailbox.address];
    return { verdict: 'accept', reason: `relay for ${ctx.session.account.address}` };
  },
};
