// Settings kept in the store (design.md: domains, relay rules, smarthost ... change through the
// API the CLI and the setup page share). Each setting has a typed key and a default.
import type { StoreContext } from './context.ts';

export class Settings {
  private ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  get<T>(key: string, fallback: T): T {
    const v = this.ctx.dbs.settings.get(key);
    return v === undefined ? fallback : (v as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    await this.ctx.write(() => {
      if (value === undefined) this.ctx.dbs.settings.removeSync(key);
      else this.ctx.dbs.settings.putSync(key, value);
    });
  }

  all(): Record<string, unknown> {
    return Object.fromEntries([...this.ctx.dbs.settings.getRange()].map((e) => [e.key, e.value]));
  }
}
