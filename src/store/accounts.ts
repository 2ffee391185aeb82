// Domains, accounts and aliases, and the resolution of a recipient address to local accounts.
import { CredentialCache } from '../auth/credential-cache.ts';
import { DUMMY_HASH, hashPassword, verifyPassword } from '../auth/password.ts';
import type { StoreContext } from './context.ts';
import { StoreError } from './errors.ts';
import { domainOf, localOf, normalizeAddress, normalizeDomain } from './addresses.ts';
import type { Mailboxes } from './mailboxes.ts';
import type { AccountRecord, AliasRecord, DomainRecord } from './records.ts';

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

// Where mail for an address goes: local account ids and external addresses (alias expansion).
export interface Resolution {
  accounts: number[];
  external: string[];
}

// RFC 5233 subaddressing: user+tag@domain delivers to user@domain.
const SUBADDRESS_SEPARATOR = '+';
// Alias chains deeper than this are treated as loops.
const MAX_ALIAS_DEPTH = 8;

export class Accounts {
  private ctx: StoreContext;
  private mailboxes: Mailboxes;
  private verified = new CredentialCache();

  constructor(ctx: StoreContext, mailboxes: Mailboxes) {
    this.ctx = ctx;
    this.mailboxes = mailboxes;
  }

  // --- domains ---

  async addDomain(name: string): Promise<DomainRecord> {
    const d = requireDomain(name);
    return this.ctx.write(() => {
      if (this.ctx.dbs.domains.get(d)) throw new StoreError('exists', `domain ${d} exists`);
      const rec = { name: d, createdAt: Date.now() };
      this.ctx.dbs.domains.putSync(d, rec);
      return rec;
    });
  }

  // A domain can be removed only when no account or alias uses it.
  async removeDomain(name: string): Promise<void> {
    const d = requireDomain(name);
    await this.ctx.write(() => {
      const { domains, accounts, aliases } = this.ctx.dbs;
      if (!domains.get(d)) throw new StoreError('not-found', `no domain ${d}`);
      const inUse = (keys: Iterable<string>) => [...keys].some((a) => domainOf(a) === d);
      if (inUse(accounts.getKeys()) || inUse(aliases.getKeys())) {
        throw new StoreError('forbidden', `domain ${d} still has accounts or aliases`);
      }
      domains.removeSync(d);
    });
  }

  listDomains(): DomainRecord[] {
    return [...this.ctx.dbs.domains.getRange()].map((e) => e.value);
  }

  isLocalDomain(name: string): boolean {
    const d = normalizeDomain(name);
    return d !== null && this.ctx.dbs.domains.get(d) !== undefined;
  }

  // --- accounts ---

  async create(opts: { address: string; password: string; quota?: number }): Promise<AccountInfo> {
    const address = requireAddress(opts.address);
    const passwordHash = await hashPassword(requirePassword(opts.password));
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
    const a = requireAddress(address);
    await this.ctx.write((changes) => {
      const rec = this.requireRecord(a);
      this.mailboxes.removeAll(rec.id, changes);
      const { accounts, accountIds } = this.ctx.dbs;
      accounts.removeSync(a);
      accountIds.removeSync(rec.id);
      changes.push({ kind: 'account-deleted', accountId: rec.id });
    });
  }

  async setPassword(address: string, password: string): Promise<void> {
    const hash = await hashPassword(requirePassword(password));
    await this.update(address, (r) => ({ ...r, passwordHash: hash }));
  }

  async setQuota(address: string, quota: number): Promise<void> {
    if (!Number.isSafeInteger(quota) || quota < 0) throw new StoreError('invalid', 'quota must be a byte count');
    await this.update(address, (r) => ({ ...r, quota }));
  }

  async setDisabled(address: string, disabled: boolean): Promise<void> {
    await this.update(address, (r) => ({ ...r, disabled }));
  }

  // The APOP secret (RFC 1939 7), or null to turn APOP off for the account.
  async setPopSecret(address: string, secret: string | null): Promise<void> {
    if (secret !== null) requirePassword(secret);
    await this.update(address, (r) => ({ ...r, popSecret: secret }));
  }

  get(address: string): AccountInfo | null {
    const a = normalizeAddress(address);
    const rec = a ? this.ctx.dbs.accounts.get(a) : undefined;
    return rec ? info(rec, this.mailboxes.usedBytes(rec.id)) : null;
  }

  getById(id: number): AccountInfo | null {
    const address = this.ctx.dbs.accountIds.get(id);
    return address ? this.get(address) : null;
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

  // The account for these credentials, or null (unknown, disabled, wrong password: the caller
  // cannot tell which, and neither can a timing observer).
  async authenticate(address: string, password: string): Promise<AccountInfo | null> {
    const a = normalizeAddress(address);
    const rec = a ? this.ctx.dbs.accounts.get(a) : undefined;
    if (rec && !rec.disabled && this.verified.hit(rec.address, password, rec.passwordHash)) {
      return info(rec, this.mailboxes.usedBytes(rec.id));
    }
    const ok = await verifyPassword(password, rec?.passwordHash ?? DUMMY_HASH);
    if (!rec || !ok || rec.disabled) return null;
    this.verified.remember(rec.address, password, rec.passwordHash);
    return info(rec, this.mailboxes.usedBytes(rec.id));
  }

  // For APOP only: the readable POP secret of an enabled account, or null.
  popSecret(address: string): { account: AccountInfo; secret: string } | null {
    const a = normalizeAddress(address);
    const rec = a ? this.ctx.dbs.accounts.get(a) : undefined;
    if (!rec || rec.disabled || rec.popSecret === null) return null;
    return { account: info(rec, this.mailboxes.usedBytes(rec.id)), secret: rec.popSecret };
  }

  // --- aliases ---

  // An alias address ("sales@example.test") or a catch-all ("@example.test") to targets.
  async setAlias(address: string, targets: string[]): Promise<AliasRecord> {
    const key = address.startsWith('@') ? '@' + requireDomain(address.slice(1)) : requireAddress(address);
    const normalized = targets.map(requireAddress);
    if (normalized.length === 0) throw new StoreError('invalid', 'an alias needs at least one target');
    return this.ctx.write(() => {
      const { accounts, aliases, domains } = this.ctx.dbs;
      if (!domains.get(domainOf(key))) throw new StoreError('not-found', `no domain ${domainOf(key)}`);
      if (accounts.get(key)) throw new StoreError('exists', `${key} is an account`);
      const rec = { address: key, targets: [...new Set(normalized)] };
      aliases.putSync(key, rec);
      return rec;
    });
  }

  async removeAlias(address: string): Promise<void> {
    const key = address.startsWith('@') ? '@' + requireDomain(address.slice(1)) : requireAddress(address);
    await this.ctx.write(() => {
      if (!this.ctx.dbs.aliases.get(key)) throw new StoreError('not-found', `no alias ${key}`);
      this.ctx.dbs.aliases.removeSync(key);
    });
  }

  listAliases(): AliasRecord[] {
    return [...this.ctx.dbs.aliases.getRange()].map((e) => e.value);
  }

  // Where mail to this address goes, or null when the address is not ours to accept (a local
  // domain without such account, alias or catch-all; or not a local domain at all).
  // Order: account, alias, the same two without a +tag, then the domain's catch-all.
  resolve(address: string): Resolution | null {
    const a = normalizeAddress(address);
    if (!a || !this.ctx.dbs.domains.get(domainOf(a))) return null;
    const out: Resolution = { accounts: [], external: [] };
    const seen = new Set<string>();
    if (!this.expand(a, out, seen, 0)) return null;
    return out.accounts.length || out.external.length ? out : null;
  }

  // The addresses an account may send as: its own and every alias that leads to it (a catch-all
  // does not make every address of the domain the account's own).
  ownAddresses(accountId: number): string[] {
    const own = this.ctx.dbs.accountIds.get(accountId);
    if (!own) return [];
    const result = [own];
    for (const { key, value } of this.ctx.dbs.aliases.getRange()) {
      if (key.startsWith('@')) continue;
      const r: Resolution = { accounts: [], external: [] };
      this.expand(value.address, r, new Set(), 0, false);
      if (r.accounts.includes(accountId)) result.push(key);
    }
    return result;
  }

  private expand(address: string, out: Resolution, seen: Set<string>, depth: number, catchAll = true): boolean {
    if (seen.has(address)) return true;
    seen.add(address);
    const { accounts, aliases, domains } = this.ctx.dbs;
    const domain = domainOf(address);
    if (!domains.get(domain)) {
      if (!out.external.includes(address)) out.external.push(address);
      return true;
    }
    const direct = (addr: string): boolean => {
      const acc = accounts.get(addr);
      if (acc) {
        if (!out.accounts.includes(acc.id)) out.accounts.push(acc.id);
        return true;
      }
      const alias = aliases.get(addr);
      if (!alias || depth >= MAX_ALIAS_DEPTH) return false;
      let any = false;
      for (const t of alias.targets) any = this.expand(t, out, seen, depth + 1, catchAll) || any;
      return any;
    };
    if (direct(address)) return true;
    const local = localOf(address);
    const plus = local.indexOf(SUBADDRESS_SEPARATOR);
    if (plus > 0 && direct(`${local.slice(0, plus)}@${domain}`)) return true;
    return catchAll && direct('@' + domain);
  }

  private requireRecord(address: string): AccountRecord {
    const rec = this.ctx.dbs.accounts.get(address);
    if (!rec) throw new StoreError('not-found', `no account ${address}`);
    return rec;
  }

  private update(address: string, change: (r: AccountRecord) => AccountRecord): Promise<void> {
    const a = requireAddress(address);
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

function requireDomain(name: string): string {
  const d = normalizeDomain(name);
  if (!d) throw new StoreError('invalid', `not a domain name: ${name}`);
  return d;
}

function requireAddress(address: string): string {
  const a = normalizeAddress(address);
  if (!a) throw new StoreError('invalid', `not an address: ${address}`);
  return a;
}

function requirePassword(password: string): string {
  if (password.length < 8 || password.length > 1024) {
    throw new StoreError('invalid', 'a password has 8 to 1024 characters');
  }
  return password;
}
