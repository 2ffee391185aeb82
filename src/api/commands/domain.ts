// `homepost domain add|del|list`: the mail domains this server accepts mail for.
import type { DomainRecord } from '../../store/index.ts';
import { domainOf } from '../../store/addresses.ts';
import { entry, type CommandGroup } from '../group.ts';
import { method, noParams, str, type ApiContext } from '../method.ts';
import { date, table } from '../text.ts';

interface DomainRow extends DomainRecord {
  accounts: number;
  aliases: number;
}

// In the daemon a self-signed certificate names the new domains at once (src/tls/names.ts); a
// change made offline is taken up at the daemon's next look.
function certificateFollows(ctx: ApiContext): void {
  if (ctx.daemon) ctx.tls().followNames();
}

const add = method({
  offline: true,
  write: true,
  params: (raw) => ({ domain: str(raw, 'domain') }),
  run: async (ctx, p): Promise<DomainRecord> => {
    const d = await ctx.store.domains.add(p.domain);
    certificateFollows(ctx);
    return d;
  },
});

const del = method({
  offline: true,
  write: true,
  params: (raw) => ({ domain: str(raw, 'domain') }),
  run: async (ctx, p) => {
    await ctx.store.domains.remove(p.domain);
    certificateFollows(ctx);
    return { domain: p.domain };
  },
});

const list = method({
  offline: true,
  write: false,
  params: noParams,
  run: (ctx): DomainRow[] => {
    const { accounts, aliases, domains } = ctx.store;
    const count = (names: string[], d: string) => names.filter((n) => domainOf(n) === d).length;
    const accountNames = accounts.list().map((a) => a.address);
    const aliasNames = aliases.list().map((a) => a.address);
    return domains.list().map((d) => ({ ...d, accounts: count(accountNames, d.name), aliases: count(aliasNames, d.name) }));
  },
});

export const domainGroup: CommandGroup = {
  name: 'domain',
  summary: 'mail domains this server receives mail for',
  entries: [
    entry('add', add, {
      summary: 'receive mail for a domain (point its MX record at this server)',
      args: ['domain'],
      text: (r) => `added ${r.name}\n`,
    }),
    entry('del', del, {
      summary: 'stop receiving mail for a domain (it must have no accounts or aliases left)',
      args: ['domain'],
      text: (r) => `deleted ${r.domain}\n`,
    }),
    entry('list', list, {
      summary: 'list the domains',
      text: (rows) =>
        rows.length === 0
          ? 'no domains\n'
          : table(
              ['DOMAIN', 'ACCOUNTS', 'ALIASES', 'CREATED'],
              rows.map((d) => [d.name, String(d.accounts), String(d.aliases), date(d.createdAt)]),
            ),
    }),
  ],
};
