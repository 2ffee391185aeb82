// `homepost postmaster show|set`: the account that gets mail to postmaster@ every local domain and
// the host name (RFC 5321 4.5.1) when no account or alias of that name exists (src/smtpserver/postmaster.ts).
import { POSTMASTER_SETTING, postmasterAccount } from '../../smtpserver/postmaster.ts';
import { entry, type CommandGroup } from '../group.ts';
import { method, noParams, requireAccount, str, type ApiContext } from '../method.ts';

export interface PostmasterSettings {
  // Where postmaster mail goes now; null without any account.
  account: string | null;
  // The account chosen with `postmaster set`, or null (then the first account gets it).
  chosen: string | null;
}

function postmasterSettings(ctx: ApiContext): PostmasterSettings {
  const chosen = ctx.store.settings.get<unknown>(POSTMASTER_SETTING, null);
  return { account: postmasterAccount(ctx.store)?.address ?? null, chosen: typeof chosen === 'string' ? chosen : null };
}

const show = method({
  offline: true,
  write: false,
  params: noParams,
  run: postmasterSettings,
});

const set = method({
  offline: true,
  write: true,
  params: (raw) => ({ address: str(raw, 'address') }),
  run: async (ctx, p): Promise<PostmasterSettings> => {
    const account = requireAccount(ctx, p.address);
    await ctx.store.settings.set(POSTMASTER_SETTING, account.address);
    return postmasterSettings(ctx);
  },
});

function describe(s: PostmasterSettings): string {
  if (!s.account) return 'no accounts yet: mail to postmaster is refused unless an alias named postmaster@domain takes it\n';
  const why = s.chosen === s.account ? '' : s.chosen ? ` (the first account: ${s.chosen} no longer exists)` : ' (the first account: none chosen)';
  return `postmaster mail goes to ${s.account}${why}\n`;
}

export const postmasterGroup: CommandGroup = {
  name: 'postmaster',
  summary: 'who gets mail to postmaster',
  entries: [
    entry('show', show, { summary: 'show the account that gets mail to postmaster@ every local domain and the host name', text: describe }),
    entry('set', set, {
      summary: 'send mail to postmaster to this account (an account or alias named postmaster@domain still gets its own)',
      args: ['address'],
      text: describe,
    }),
  ],
};
