// Brings a store written by an older homepost up to STORE_FORMAT when it is opened: one write, so a
// crash leaves the old format whole, and one log line. A store newer than the code is refused
// (store.ts).
import { rawKey } from './bodies.ts';
import type { StoreContext } from './context.ts';
import { withKeywords } from './flags.ts';
import { octetSize } from './octets.ts';
import { STORE_FORMAT } from './open.ts';
import type { MessageRecord } from './records.ts';

export async function migrate(ctx: StoreContext, from: number): Promise<void> {
  if (from >= STORE_FORMAT) return;
  const started = Date.now();
  const { dbs } = ctx;
  const done = await ctx.write(() => {
    let mailboxes = 0;
    let messages = 0;
    // Format 2: each message's POP3 octets (read once from its body, shared by copies), each
    // mailbox's keyword list, tombstone count and last modification.
    const octetsOf = new Map<string, number>();
    for (const { value: mb } of [...dbs.mailboxes.getRange()]) {
      const range = { start: [mb.id], end: [mb.id + 1] };
      let keywords: string[] = [];
      for (const { key, value: m } of [...dbs.messages.getRange(range)] as { key: [number, number]; value: MessageRecord }[]) {
        keywords = withKeywords(keywords, m.flags);
        const hash = m.hash.toString('hex');
        let octets = octetsOf.get(hash);
        if (octets === undefined) {
          const raw = dbs.bodies.get(rawKey(m.hash)) as Buffer | undefined;
          octets = raw ? octetSize(raw) : m.size;
          octetsOf.set(hash, octets);
        }
        dbs.messages.putSync(key, { ...m, octets });
        messages++;
      }
      const tombstones = dbs.expunged.getKeysCount(range);
      dbs.mailboxes.putSync(mb.id, { ...mb, keywords, tombstones, vanishedSince: 0, modifiedModSeq: mb.highestModSeq });
      mailboxes++;
    }
    dbs.meta.putSync('format', STORE_FORMAT);
    return { mailboxes, messages };
  });
  ctx.log.info('store.migrated', { from, to: STORE_FORMAT, ...done, ms: Date.now() - started });
}
