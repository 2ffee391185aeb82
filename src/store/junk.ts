// Each account's junk filter data, kept for src/junk and opaque here: the classifier's saved
// counts (bytes src/junk/format.ts reads), and the label each message body was trained with, so a
// message is never trained twice and a move out of Junk takes back exactly what went in. Both are
// written only together, by save(): what a crash loses is training, never its record alone.
import type { StoreContext } from './context.ts';
import type { Dbs } from './open.ts';

// A body's training: true spam, false ham, null untrained.
export type TrainedLabel = boolean | null;

const labelKey = (accountId: number, hash: Buffer): [number, string] => [accountId, hash.toString('base64')];

export class JunkData {
  private ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  // The account's saved counts, or null when it has never saved any.
  counts(accountId: number): Buffer | null {
    return this.ctx.dbs.junkCounts.get(accountId) ?? null;
  }

  label(accountId: number, hash: Buffer): TrainedLabel {
    return this.ctx.dbs.junkLabels.get(labelKey(accountId, hash)) ?? null;
  }

  // The counts and the labels trained since the last save, in one commit. An account deleted
  // meanwhile stays deleted (nothing is written).
  save(accountId: number, counts: Buffer, labels: Iterable<[hash: Buffer, label: TrainedLabel]>): Promise<void> {
    return this.ctx.write(() => {
      if (!this.ctx.dbs.accountIds.get(accountId)) return;
      this.ctx.dbs.junkCounts.putSync(accountId, counts);
      for (const [hash, label] of labels) {
        if (label === null) this.ctx.dbs.junkLabels.removeSync(labelKey(accountId, hash));
        else this.ctx.dbs.junkLabels.putSync(labelKey(accountId, hash), label);
      }
    });
  }

  // Forgets the account's counts and labels (`homepost junk reset`).
  reset(accountId: number): Promise<void> {
    return this.ctx.write(() => removeJunkData(this.ctx.dbs, accountId));
  }
}

// Inside the write that deletes the account.
export function removeJunkData(dbs: Dbs, accountId: number): void {
  dbs.junkCounts.removeSync(accountId);
  for (const key of dbs.junkLabels.getKeys({ start: [accountId], end: [accountId + 1] })) dbs.junkLabels.removeSync(key);
}
