// MAIL stage: an authenticated submitter may use as envelope sender only the addresses of their
// own account and its aliases (RFC 6409 6.1 lets the MSA enforce this; docs/architecture.md, "Security model"),
// a +tag (RFC 5233) of one included. Anything else: 553 5.7.1.
import { REPLIES } from '../reply.ts';
import { NEXT, type Rule, type SmtpContext } from './types.ts';

export function isOwnAddress(ctx: SmtpContext, local: string, asciiDomain: string | null, quoted: boolean): boolean {
  const account = ctx.session.account;
  if (!account || quoted || asciiDomain === null) return false;
  const own = new Set(ctx.directory.ownAddresses(account.id).map((a) => a.toLowerCase()));
  const l = local.toLowerCase();
  const plus = l.indexOf('+');
  return own.has(`${l}@${asciiDomain}`) || (plus > 0 && own.has(`${l.slice(0, plus)}@${asciiDomain}`));
}

export const ownAddress: Rule<'mail'> = {
  name: 'own-address',
  stage: 'mail',
  async run(ctx, { sender }) {
    if (!ctx.session.account) return NEXT;
    const r = REPLIES.badSender;
    const refuse = (reason: string) => ({ verdict: 'reject' as const, code: r.code, enhanced: r.enhanced, text: r.text, reason });
    if (sender.kind !== 'mailbox') return refuse('null sender from an authenticated session');
    const m = sender.mailbox;
    if (!isOwnAddress(ctx, m.local, m.asciiDomain, m.quoted)) return refuse(`${m.address} is not an address of ${ctx.session.account.address}`);
    return { verdict: 'next', reason: `${m.address} is own` };
  },
};
