// Aliases and catch-alls, and the resolution of a recipient address to local accounts and
// external addresses through them (RFC 5233 subaddressing included).
import type { StoreContext } from './context.ts';
import { StoreError } from './errors.ts';
import { domainOf, localOf, normalizeMailAddress, requireDomain, requireMailAddress } from './addresses.ts';
import type { AliasRecord } from './records.ts';

// Where mail for an address goes: local account ids and external addresses (alias expansion).
export interface Resolution {
  accounts: number[];
  external: string[];
}

// RFC 5233 subaddressing: user+tag@domain delivers to user@domain.
const SUBADDRESS_SEPARATOR = '+';
// Alias chains deeper than this are treated as loops.
const MAX_ALIAS_DEPTH = 8;

// "sales@example.test" or a catch-all "@example.test", in normal form.
function aliasKey(address: string): string {
  return address.startsWith('@') ? `@${requireDomain(address.slice(1))}` : requireMailAddress(address);
}

export class Aliases {
  private ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  // An alias address ("sales@example.test") or a catch-all ("@example.test") to targets.
  async set(address: string, targets: string[]): Promise<AliasRecord> {
    const key = aliasKey(address);
    const normalized = targets.map(requireMailAddress);
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

  async remove(address: string): Promise<void> {
    const key = aliasKey(address);
    await this.ctx.write(() => {
      if (!this.ctx.dbs.aliases.get(key)) throw new StoreError('not-found', `no alias ${key}`);
      this.ctx.dbs.aliases.removeSync(key);
    });
  }

  list(): AliasRecord[] {
    return [...this.ctx.dbs.aliases.getRange()].map((e) => e.value);
  }

  // Where mail to this address goes, or null when the address is not ours to accept (a local
  // domain without such account, alias or catch-all; or not a local domain at all).
  // Order: account, alias, the same two without a +tag, then the domain's catch-all.
  resolve(address: string): Resolution | null {
    const a = normalizeMailAddress(address);
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
    return catchAll && direct(`@${domain}`);
  }
}
