// The local domains: the names this server accepts mail for and keeps accounts and aliases under
// (as lowercase A-labels, addresses.ts).
import type { StoreContext } from './context.ts';
import { StoreError } from './errors.ts';
import { domainOf, normalizeDomain, requireDomain } from './addresses.ts';
import type { DomainRecord } from './records.ts';

export class Domains {
  private ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  async add(name: string): Promise<DomainRecord> {
    const d = requireDomain(name);
    return this.ctx.write(() => {
      if (this.ctx.dbs.domains.get(d)) throw new StoreError('exists', `domain ${d} exists`);
      const rec = { name: d, createdAt: Date.now() };
      this.ctx.dbs.domains.putSync(d, rec);
      return rec;
    });
  }

  // A domain can be removed only when no account or alias uses it.
  async remove(name: string): Promise<void> {
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

  list(): DomainRecord[] {
    return [...this.ctx.dbs.domains.getRange()].map((e) => e.value);
  }

  isLocal(name: string): boolean {
    const d = normalizeDomain(name);
    return d !== null && this.ctx.dbs.domains.get(d) !== undefined;
  }
}
