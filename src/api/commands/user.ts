// `homepost user add|passwd|quota|pop-secret|del|list`: mail accounts.
import { randomBytes } from 'node:crypto';
import { hashNewPassword, requireNewSecret } from '../../auth/password.ts';
import type { AccountInfo } from '../../store/index.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, flag, method, noParams, optInt, optStr, str, type Params } from '../method.ts';
import { date, table } from '../text.ts';
import { formatBytes, parseBytes } from '../../settings/units.ts';

const add = method({
  offline: true,
  write: true,
  params: (raw) => ({ address: str(raw, 'address'), password: str(raw, 'password'), quota: optInt(raw, 'quota') }),
  run: async (ctx, p): Promise<AccountInfo> =>
    ctx.store.accounts.create({ address: p.address, passwordHash: await hashNewPassword(p.password), quota: p.quota }),
});

const passwd = method({
  offline: true,
  write: true,
  params: (raw) => ({ address: str(raw, 'address'), password: str(raw, 'password') }),
  run: async (ctx, p) => {
    await ctx.store.accounts.setPasswordHash(p.address, await hashNewPassword(p.password));
    return { address: p.address };
  },
});

// 32 letters and digits without the look-alikes l, o, 0, 1: 20 of them carry 100 random bits.
const SECRET_ALPHABET = 'abcdefghijkmnpqrstuvwxyz23456789';

function newPopSecret(): string {
  const chars = [...randomBytes(20)].map((b) => SECRET_ALPHABET[b & 31]).join('');
  return chars.match(/.{4}/g)!.join('-');
}

export interface PopSecretResult {
  address: string;
  apop: boolean; // whether the account can now log in with APOP
  secret: string | null; // the generated secret, this once; null when given or removed
}

// The separate APOP secret (RFC 1939 7; docs/pop3.md): generated and returned once, or the one
// given (params.password), or removed with off (APOP is then refused for the account).
const popSecret = method({
  offline: true,
  write: true,
  params: (raw) => {
    const p = { address: str(raw, 'address'), off: flag(raw, 'off'), password: optStr(raw, 'password') };
    if (p.off && p.password !== undefined) throw new ApiError('bad-request', 'off removes the secret: give no secret with it');
    return p;
  },
  run: async (ctx, p): Promise<PopSecretResult> => {
    const secret = p.off ? null : requireNewSecret(p.password ?? newPopSecret());
    await ctx.store.accounts.setPopSecret(p.address, secret);
    return { address: ctx.store.accounts.get(p.address)?.address ?? p.address, apop: secret !== null, secret: p.password === undefined ? secret : null };
  },
});

// A quota as a byte count (the page) or as typed: "2G", "500M"; 0 or "none" for no quota.
function quotaParam(raw: Params): number {
  const v = raw.quota;
  const n = typeof v === 'number' ? v : typeof v === 'string' ? (/^(none|0)$/i.test(v.trim()) ? 0 : parseBytes(v)) : null;
  if (n === null || !Number.isSafeInteger(n) || n < 0) throw new ApiError('bad-request', 'quota is a size like 2G or 500M, or none');
  return n;
}

const quota = method({
  offline: true,
  write: true,
  params: (raw) => ({ address: str(raw, 'address'), quota: quotaParam(raw) }),
  run: async (ctx, p) => {
    await ctx.store.accounts.setQuota(p.address, p.quota);
    return { address: ctx.store.accounts.get(p.address)?.address ?? p.address, quota: p.quota };
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
    entry('quota', quota, {
      summary: "set an account's quota (like 2G or 500M; none removes it)",
      args: ['address', 'quota'],
      text: (r) => `quota of ${r.address}: ${r.quota ? formatBytes(r.quota) : 'none'}\n`,
    }),
    entry('pop-secret', popSecret, {
      summary: 'give an account a separate secret for APOP logins (POP3), shown once; --off removes it',
      args: ['address'],
      options: [
        { flag: '--stdin', param: 'stdin', kind: 'boolean', help: 'use a secret of your own: asked for, or read from standard input' },
        { flag: '--off', param: 'off', kind: 'boolean', help: 'remove the secret: APOP is then refused for the account' },
      ],
      password: (p) => p.stdin === true,
      text: (r) =>
        !r.apop
          ? `APOP turned off for ${r.address}\n`
          : r.secret
            ? `APOP secret of ${r.address}: ${r.secret}\nIt is shown this once: put it in the mail client now (homepost user pop-secret ${r.address} --off removes it).\n`
            : `APOP secret of ${r.address} set\n`,
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
              rows.map((a) => [a.address, formatBytes(a.used), a.quota ? formatBytes(a.quota) : '-', a.disabled ? 'disabled' : 'active', date(a.createdAt)]),
            ),
    }),
  ],
};
