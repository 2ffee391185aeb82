// DATA stage: an authenticated submitter may only write as themselves. Every address of every
// From, Sender and Resent-From field (RFC 5322 3.6.2, 3.6.6) must be one of their account's own
// addresses or aliases, there must be a From (RFC 5322 3.6: it is required), and a field that
// holds anything but complete mailboxes ("<alice@x> <bob@y>") is refused, since it could hide an
// address. Else 553 5.7.1, like the envelope sender (mail.own-address.ts).
import { parseMailbox } from '../../smtp/address.ts';
import { REPLIES } from '../reply.ts';
import { isOwnAddress } from './mail.own-address.ts';
import { NEXT, type Rule, type SmtpContext } from './types.ts';

export const ownFrom: Rule<'data'> = {
  name: 'own-from',
  stage: 'data',
  async run(ctx, { message }) {
    if (!ctx.session.account) return NEXT;
    const r = REPLIES.badSender;
    const refuse = (reason: string) => ({
      verdict: 'reject' as const,
      code: r.code,
      enhanced: r.enhanced,
      text: 'From header not owned by the authenticated user',
      reason,
    });
    if (message.from.addresses.length === 0 && !message.from.malformed) return refuse('no From address');
    for (const [field, o] of [
      ['From', message.from],
      ['Sender', message.sender],
      ['Resent-From', message.resentFrom],
    ] as const) {
      if (o.malformed) return refuse(`${field} holds something other than complete mailboxes`);
      const foreign = o.addresses.find((a) => !owned(ctx, a));
      if (foreign !== undefined) return refuse(`${field} ${foreign} is not an address of ${ctx.session.account.address}`);
    }
    return NEXT;
  },
};

function owned(ctx: SmtpContext, address: string): boolean {
  try {
    const m = parseMailbox(address, true);
    return isOwnAddress(ctx, m.local, m.asciiDomain, m.quoted);
  } catch {
    return false;
  }
}
