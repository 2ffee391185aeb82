// RCPT rule "trusted-network" (relay rule 2): a client in smtp.trustedNetworks (CIDR list, empty
// by default, loopback in development) may relay to domains that are not local.
import { isLocal } from './local.ts';
import { NEXT, type Rule } from './types.ts';

export const trustedNetwork: Rule<'rcpt'> = {
  name: 'trusted-network',
  stage: 'rcpt',
  async run(ctx, { recipient }) {
    if (!ctx.session.trusted || isLocal(ctx, recipient.mailbox)) return NEXT;
    recipient.external = [recipient.mailbox.address];
    return { verdict: 'accept', reason: `relay for trusted ${ctx.session.remoteAddress}` };
  },
};
