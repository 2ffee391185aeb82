// RCPT rule "deny" (relay rule 4): whatever no earlier rule accepted is refused with 554 5.7.1.
// The session also falls back to this when the configured list runs out: never an open relay.
import { REPLIES } from '../reply.ts';
import type { Rule, Verdict } from './types.ts';

export const RELAY_DENIED: Verdict = {
  verdict: 'reject',
  code: REPLIES.relayDenied.code,
  enhanced: REPLIES.relayDenied.enhanced,
  text: REPLIES.relayDenied.text,
};

export const deny: Rule<'rcpt'> = {
  name: 'deny',
  stage: 'rcpt',
  async run(_ctx, { recipient }) {
    return { ...RELAY_DENIED, reason: `no rule accepted ${recipient.mailbox.address}` };
  },
};
