// RCPT rule "quota", run before the relay rules: a local recipient whose every account is already
// over quota (with the SIZE the client declared, RFC 1870 6) is refused at RCPT, so each
// recipient gets its own answer: 452 4.2.2, or 552 5.2.2 with smtp.quotaReply "permanent".
import { overQuotaReply } from '../reply.ts';
import { isLocal, localKey } from './local.ts';
import { NEXT, type Rule } from './types.ts';

export const quota: Rule<'rcpt'> = {
  name: 'quota',
  stage: 'rcpt',
  async run(ctx, { recipient }) {
    const m = recipient.mailbox;
    const key = isLocal(ctx, m) ? localKey(m) : null;
    const target = key === null ? null : ctx.directory.resolve(key);
    if (!target || target.accounts.length === 0 || target.external.length > 0) return NEXT;
    const size = ctx.transaction.declaredSize ?? 1;
    const full = target.accounts.every((id) => {
      const u = ctx.directory.usage(id);
      return u.quota > 0 && u.used + size > u.quota;
    });
    if (!full) return NEXT;
    const r = overQuotaReply(ctx.settings.quotaReply);
    return { verdict: r.code >= 500 ? 'reject' : 'tempfail', code: r.code, enhanced: r.enhanced, text: r.text, reason: `${m.address} over quota` };
  },
};
