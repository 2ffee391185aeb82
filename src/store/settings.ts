// The settings' values as the store keeps them: a key and its JSON value, read through a cache.
// What each key means, its type, default and rule are declared in src/settings (the registry);
// only values that passed its check are written here.
import type { StoreContext } from './context.ts';

export class Settings {
  private ctx: StoreContext;
  // Decoded values, frozen (callers share them): SMTP reads a dozen settings per connection. This
  // process is the store's one writer, and set() drops the entry once its commit is done.
  private cache = new Map<string, unknown>();
  // Counts the changes, so that values derived from settings know when to derive them again.
  version = 0;
  private watchers = new Map<string, Set<() => void>>();

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  get<T>(key: string, fallback: T): T {
    let v = this.cache.get(key);
    if (v === undefined && !this.cache.has(key)) {
      v = deepFreeze(this.ctx.dbs.settings.get(key));
      this.cache.set(key, v);
    }
    return v === undefined ? fallback : (v as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    try {
      await this.ctx.write(() => {
        if (value === undefined) this.ctx.dbs.settings.removeSync(key);
        else this.ctx.dbs.settings.putSync(key, value);
      });
    } finally {
      this.cache.delete(key);
      this.version++;
    }
    for (const fn of this.watchers.get(key) ?? []) fn();
  }

  // fn runs after each change of this key is on disk (in this process); returns the unwatch.
  watch(key: string, fn: () => void): () => void {
    let set = this.watchers.get(key);
    if (!set) {
      set = new Set();
      this.watchers.set(key, set);
    }
    set.add(fn);
    return () => set.delete(fn);
  }

  all(): Record<string, unknown> {
    return Object.fromEntries([...this.ctx.dbs.settings.getRange()].map((e) => [e.key, e.value]));
  }
}

function deepFreeze<T>(v: T): T {
  if (typeof v === 'object' && v !== null && !ArrayBuffer.isView(v) && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
