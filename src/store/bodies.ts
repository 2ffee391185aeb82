// Message bodies, content-addressed by SHA-256 of the raw bytes and reference-counted: one copy
// serves every recipient, every IMAP COPY and every queue entry; the last reference removes it.
import { createHash } from 'node:crypto';
import type { ParsedMessage } from '../mime/types.ts';
import type { StoreContext } from './context.ts';

export function bodyHash(raw: Buffer): Buffer {
  return createHash('sha256').update(raw).digest();
}

export class Bodies {
  private ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  // Inside a write: one more reference to the body with this hash. `raw` and `parsed` are stored
  // when the body is new; callers that only copy an existing reference omit them.
  addRef(hash: Buffer, raw?: Buffer, parsed?: ParsedMessage, count = 1): void {
    const { bodies, bodyRefs, parsed: parsedDb } = this.ctx.dbs;
    const ref = bodyRefs.get(hash);
    if (ref) {
      bodyRefs.putSync(hash, { refs: ref.refs + count, size: ref.size });
      return;
    }
    if (!raw || !parsed) throw new Error('addRef of an unknown body without its content');
    bodies.putSync(hash, raw);
    parsedDb.putSync(hash, parsed);
    bodyRefs.putSync(hash, { refs: count, size: raw.length });
  }

  // Inside a write: one reference fewer; the body goes with its last reference.
  unref(hash: Buffer): void {
    const { bodies, bodyRefs, parsed } = this.ctx.dbs;
    const ref = bodyRefs.get(hash);
    if (!ref) return;
    if (ref.refs > 1) {
      bodyRefs.putSync(hash, { refs: ref.refs - 1, size: ref.size });
      return;
    }
    bodies.removeSync(hash);
    parsed.removeSync(hash);
    bodyRefs.removeSync(hash);
  }

  exists(hash: Buffer): boolean {
    return this.ctx.dbs.bodyRefs.get(hash) !== undefined;
  }

  get(hash: Buffer): Buffer | undefined {
    return this.ctx.dbs.bodies.get(hash);
  }

  parsed(hash: Buffer): ParsedMessage | undefined {
    return this.ctx.dbs.parsed.get(hash) as ParsedMessage | undefined;
  }

  refs(hash: Buffer): number {
    return this.ctx.dbs.bodyRefs.get(hash)?.refs ?? 0;
  }
}
