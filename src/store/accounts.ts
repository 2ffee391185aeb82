// Mail accounts: their records (the password as a stored hash, the APOP secret as stored, the
// quota, the disabled flag) and their mailboxes' creation and removal. Checking a password
// against the hash is src/auth's (verify.ts).
import type { StoreContext } from './context.ts';
import { StoreError } from './errors.ts';
import { domainOf, normalizeMailAddress, requireMailAddress } from './addresses.ts';
import { removeJunkData } from './junk.ts';
import { removeReputation } from './reputation.ts';
import type { Mailboxes } from './mailboxes.ts';
import type { AccountRecord } from './records.ts';

// What an administrator sees of an account: never the password hash or the POP secret.
export interface AccountInfo {
  id: number;
  address: string;
  quota: number;
  used: number;
  disabled: boolean;
  hasPopSecret: boolean;
  createdAt: number;
}

// What a login is checked against (src/auth/verify.ts), as stored.
export interface StoredCredentials {
  address: string;
  passwordHash: string;
  popSecret: string | null;
  disabled: boolean;
}

export class Accounts {
  private ctx: StoreContext;
  private mailboxes: Mailboxes;

  constructor(ctx: StoreContext, mailboxes: Mailboxes) {
    this.ctx = ctx;
    this.mailboxes = mailboxes;
  }

  // passwordHash: a PHC string made by src/auth/password.ts; the store never sees the password.
  async create(opts: { address: string; passwordHash: string; quota?: number }): Promise<AccountInfo> {
    const address = requireMailAddress(opts.address);
    const passwordHash = requireHash(opts.passwordHash);
    return this.ctx.write((changes) => {
      const { accounts, accountIds, aliases, domains } = this.ctx.dbs;
      if (!domains.get(domainOf(address))) throw new StoreError('not-found', `no domain ${domainOf(address)}`);
      if (accounts.get(address) || aliases.get(address)) throw new StoreError('exists', `${address} exists`);
      const rec: AccountRecord = {
        id: this.ctx.next('nextAccountId'),
        address,
        passwordHash,
        quota: opts.quota ?? 0,
        disabled: false,
        popSecret: null,
        createdAt: Date.now(),
      };
      accounts.putSync(address, rec);
      accountIds.putSync(rec.id, address);
      this.mailboxes.createDefaults(rec.id, changes);
      return info(rec, 0);
    });
  }

  async remove(address: string): Promise<void> {
    const a = requireMailAddress(address);
    await this.ctx.write((changes) => {
      const rec = this.requireRecord(a);
      this.mailboxes.removeAll(rec.id, changes);
      const { accounts, accountIds } = this.ctx.dbs;
      accounts.removeSync(a);
      accountIds.removeSync(rec.id);
      removeJunkData(this.ctx.dbs, rec.id);
      removeReputation(this.ctx.dbs, rec.id);
      changes.push({ kind: 'account-deleted', accountId: rec.id });
    });
  }

  async setPasswordHash(address: string, passwordHash: string): Promise<void> {
    const hash = requireHash(passwordHash);
    await this.update(address, (r) => ({ ...r, passwordHash: hash }));
  }

  async setQuota(address: string, quota: number): Promise<void> {
    if (!Number.isSafeInteger(quota) || quota < 0) throw new StoreError('invalid', 'quota must be a byte count');
    await this.update(address, (r) => ({ ...r, quota }));
  }

  async setDisabled(address: string, disabled: boolean): Promise<void> {
    await this.update(address, (r) => ({ ...r, disabled }));
  }

  // The APOP secret (RFC 1939 7), or null to turn APOP off for the account. Kept readable: APOP
  // needs it; its rules are src/auth/password.ts's (requireNewSecret).
  async setPopSecret(address: string, secret: string | null): Promise<void> {
    if (secret === '') throw new StoreError('invalid', 'an empty POP secret');
    await this.update(address, (r) => ({ ...r, popSecret: secret }));
  }

  get(address: string): AccountInfo | null {
    const a = normalizeMailAddress(address);
    const rec = a ? this.ctx.dbs.accounts.get(a) : undefined;
    return rec ? info(rec, this.mailboxes.usedBytes(rec.id)) : null;
  }

  getById(id: number): AccountInfo | null {
    const address = this.ctx.dbs.accountIds.get(id);
    return address ? this.get(address) : null;
  }

  // The id of an account: one read, where get() also sums the mailboxes for `used`.
  idOf(address: string): number | null {
    const a = normalizeMailAddress(address);
    return (a ? this.ctx.dbs.accounts.get(a)?.id : undefined) ?? null;
  }

  // The address of an account id: one read, where get() also sums the mailboxes for `used`.
  addressOf(id: number): string | null {
    return this.ctx.dbs.accountIds.get(id) ?? null;
  }

  // For quota checks on every RCPT: the quota and, only when there is one, the bytes used
  // (without a quota `used` is not summed and reads 0).
  quotaUsage(id: number): { quota: number; used: number } {
    const address = this.ctx.dbs.accountIds.get(id);
    const rec = address ? this.ctx.dbs.accounts.get(address) : undefined;
    if (!rec) return { quota: 0, used: 0 };
    return { quota: rec.quota, used: rec.quota > 0 ? this.mailboxes.usedBytes(id) : 0 };
  }

  list(): AccountInfo[] {
    return [...this.ctx.dbs.accounts.getRange()].map((e) => info(e.value, this.mailboxes.usedBytes(e.value.id)));
  }

  // The stored password hash and APOP secret of an account, or null when there is none.
  credentials(address: string): StoredCredentials | null {
    const a = normalizeMailAddress(address);
    const rec = a ? this.ctx.dbs.accounts.get(a) : undefined;
    return rec ? { address: rec.address, passwordHash: rec.passwordHash, popSecret: rec.popSecret, disabled: rec.disabled } : null;
  }

  private requireRecord(address: string): AccountRecord {
    const rec = this.ctx.dbs.accounts.get(address);
    if (!rec) throw new StoreError('not-found', `no account ${address}`);
    return rec;
  }

  private update(address: string, change: (r: AccountRecord) => AccountRecord): Promise<void> {
    const a = requireMailAddress(address);
    return this.ctx.write(() => {
      this.ctx.dbs.accounts.putSync(a, change(this.requireRecord(a)));
    });
  }
}

function info(rec: AccountRecord, used: number): AccountInfo {
  return {
    id: rec.id,
    address: rec.address,
    quota: rec.quota,
    used,
    disabled: rec.disabled,
    hasPopSecret: rec.popSecret !== null,
    createdAt: rec.createdAt,
  };
}

function requireHash(hash: string): string {
  if (typeof hash !== 'string' || !hash.startsWith('$')) throw new StoreError('invalid', 'a password hash is a PHC string');
  return hash;
}
