// RCPT rule "local-recipient" (relay rule 3): a recipient in a local domain must resolve to an
// account or alias (store.aliases.resolve), else 550 5.1.1. Accounts have dot-atom local parts,
// so a quoted local part (which may hide an "@" or a "%") never resolves; the % hack and bang
// paths are just unknown local parts here and are never interpreted.
import { REPLIES } from '../reply.ts';
import { isLocal, localKey } from './local.ts';
import { NEXT, type Rule } from './types.ts';

export const localRecipient: Rule<'rcpt'> = {
  name: 'local-recipient',
  stage: 'rcpt',
  async run(ctx, { recipient }) {
    const m = recipient.mailbox;
    if (!isLocal(ctx, m)) return NEXT;
    const r = REPLIES.noSuchUser;
    const key = localKey(m);
    const target = key === null ? null : ctx.directory.resolve(key);
    if (!target) return { verdict: 'reject', code: r.code, enhanced: r.enhanced, text: r.text, reason: `${m.address} unknown` };
    recipient.local = target.accounts;
    recipient.external = target.external;
    return { verdict: 'accept', reason: `${m.address} is local` };
  },
};
