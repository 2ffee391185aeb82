// `homepost user add|passwd|del|list`: mail accounts.
import type { AccountInfo } from '../../store/index.ts';
import { entry, type CommandGroup } from '../group.ts';
import { method, noParams, optInt, str } from '../method.ts';
import { bytes, date, table } from '../text.ts';

const add = method({
  offline: true,
  write: true,
  params: (raw) => ({ address: str(raw, 'address'), password: str(raw, 'password'), quota: optInt(raw, 'quota') }),
  run: (ctx, p): Promise<AccountInfo> => ctx.store.accounts.create(p),
});

const passwd = method({
  offline: true,
  write: true,
  params: (raw) => ({ address: str(raw, 'address'), password: str(raw, 'password') }),
  run: async (ctx, p) => {
    await ctx.store.accounts.setPassword(p.address, p.password);
    return { address: p.address };
  },
});

const del = method({
  offline: true,
  write: true,
  params: (raw) => ({ address: str(raw, 'address') }),
  run: async (ctx, p) => {
    await ctx.store.accounts.remove(p.address);
    return { address: p.address };
  },
});

const list = method({
  offline: true,
  write: false,
  params: noParams,
  run: (ctx): AccountInfo[] => ctx.store.accounts.list(),
});

export const userGroup: CommandGroup = {
  name: 'user',
  summary: 'mail accounts',
  entries: [
    entry('add', add, {
      summary: 'create an account (its domain must exist); the password is asked for, or read from stdin',
      args: ['address'],
      options: [{ flag: '--quota', param: 'quota', kind: 'bytes', value: 'SIZE', help: 'storage limit, e.g. 2G (default: none)' }],
      password: true,
      text: (r) => `created ${r.address}\n`,
    }),
    entry('passwd', passwd, {
      summary: "set an account's password (asked for, or read from stdin)",
      args: ['address'],
      password: true,
      text: (r) => `password of ${r.address} changed\n`,
    }),
    entry('del', del, {
      summary: 'delete an account and all of its mail',
      args: ['address'],
      confirm: (p) => `Delete ${String(p.address)} and all of its mail?`,
      text: (r) => `deleted ${r.address}\n`,
    }),
    entry('list', list, {
      summary: 'list the accounts',
      text: (rows) =>
        rows.length === 0
          ? 'no accounts\n'
          : table(
              ['ADDRESS', 'USED', 'QUOTA', 'STATE', 'CREATED'],
              rows.map((a) => [a.address, bytes(a.used), a.quota ? bytes(a.quota) : '-', a.disabled ? 'disabled' : 'active', date(a.createdAt)]),
            ),
    }),
  ],
};
