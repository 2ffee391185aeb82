// `homepost alias add|set|del|list`: addresses that forward to accounts or elsewhere, and
// catch-alls ("@example.org").
import { normalizeMailAddress, normalizeDomain } from '../../store/addresses.ts';
import type { AliasRecord } from '../../store/index.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, method, noParams, str, strList } from '../method.ts';
import { table } from '../text.ts';

const aliasParams = (raw: Record<string, unknown>) => ({ address: str(raw, 'address'), targets: strList(raw, 'targets') });

const add = method({
  offline: true,
  write: true,
  params: aliasParams,
  run: (ctx, p): Promise<AliasRecord> => {
    const key = p.address.startsWith('@') ? `@${normalizeDomain(p.address.slice(1))}` : normalizeMailAddress(p.address);
    if (ctx.store.aliases.list().some((a) => a.address === key)) {
      throw new ApiError('exists', `alias ${key} exists (alias set replaces its targets)`);
    }
    return ctx.store.aliases.set(p.address, p.targets);
  },
});

const set = method({
  offline: true,
  write: true,
  params: aliasParams,
  run: (ctx, p): Promise<AliasRecord> => ctx.store.aliases.set(p.address, p.targets),
});

const del = method({
  offline: true,
  write: true,
  params: (raw) => ({ address: str(raw, 'address') }),
  run: async (ctx, p) => {
    await ctx.store.aliases.remove(p.address);
    return { address: p.address };
  },
});

const list = method({
  offline: true,
  write: false,
  params: noParams,
  run: (ctx): AliasRecord[] => ctx.store.aliases.list(),
});

const targetsHelp = 'accounts, other aliases or outside addresses';

export const aliasGroup: CommandGroup = {
  name: 'alias',
  summary: 'aliases and catch-alls',
  entries: [
    entry('add', add, {
      summary: `create an alias (ADDRESS, or @DOMAIN for a catch-all) delivering to TARGETs: ${targetsHelp}`,
      args: ['address', 'targets...'],
      text: (r) => `${r.address} -> ${r.targets.join(', ')}\n`,
    }),
    entry('set', set, {
      summary: 'create an alias or replace its targets',
      args: ['address', 'targets...'],
      text: (r) => `${r.address} -> ${r.targets.join(', ')}\n`,
    }),
    entry('del', del, {
      summary: 'delete an alias',
      args: ['address'],
      text: (r) => `deleted ${r.address}\n`,
    }),
    entry('list', list, {
      summary: 'list the aliases',
      text: (rows) =>
        rows.length === 0
          ? 'no aliases\n'
          : table(
              ['ALIAS', 'TARGETS'],
              rows.map((a) => [a.address, a.targets.join(', ')]),
            ),
    }),
  ],
};
