// Each account's junk filter data, kept for src/junk and opaque here: the classifier's saved
// counts (bytes src/junk/format.ts reads), and the label each message body was trained with, so a
// message is never trained twice and a move out of Junk takes back exactly what went in, and how far
// the kept-mail pass has looked in each mailbox. All are written together, by save(): what a crash
// loses is training, never its record alone. Beside them, each account's last decisions.
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

  // The highest UID of the mailbox the kept-mail pass has looked at; 0 before its first look.
  keptMark(accountId: number, mailboxId: number): number {
    return this.ctx.dbs.junkKept.get([accountId, mailboxId]) ?? 0;
  }

  // The counts (null: unchanged), the labels trained since the last save and the kept-mail
  // pass's marks, in one commit. An account or a mailbox deleted meanwhile stays deleted (nothing is written for it).
  save(
    accountId: number,
    counts: Buffer | null,
    labels: Iterable<[hash: Buffer, label: TrainedLabel]>,
    kept: Iterable<[mailboxId: number, uid: number]> = [],
  ): Promise<void> {
    return this.ctx.write(() => {
      const dbs = this.ctx.dbs;
      if (!dbs.accountIds.get(accountId)) return;
      if (counts) dbs.junkCounts.putSync(accountId, counts);
      for (const [hash, label] of labels) {
        if (label === null) dbs.junkLabels.removeSync(labelKey(accountId, hash));
        else dbs.junkLabels.putSync(labelKey(accountId, hash), label);
      }
      for (const [mailboxId, uid] of kept) {
        if (dbs.mailboxes.get(mailboxId)?.accountId === accountId) dbs.junkKept.putSync([accountId, mailboxId], uid);
      }
    });
  }

  // The account's last decisions as saved (opaque here), newest first.
  decisions(accountId: number): unknown[] {
    return this.ctx.dbs.junkDecisions.get(accountId) ?? [];
  }

  // Each account's last decisions, in one commit; a deleted account's are not written.
  saveDecisions(entries: readonly [accountId: number, decisions: unknown[]][]): Promise<void> {
    return this.ctx.write(() => {
      for (const [accountId, decisions] of entries) {
        if (this.ctx.dbs.accountIds.get(accountId)) this.ctx.dbs.junkDecisions.putSync(accountId, decisions);
      }
    });
  }

  // Forgets the account's counts, labels, marks and decisions (`homepost junk reset`).
  reset(accountId: number): Promise<void> {
    return this.ctx.write(() => removeJunkData(this.ctx.dbs, accountId));
  }
}

// Inside the write that deletes the account.
export function removeJunkData(dbs: Dbs, accountId: number): void {
  dbs.junkCounts.removeSync(accountId);
  dbs.junkDecisions.removeSync(accountId);
  for (const key of dbs.junkLabels.getKeys({ start: [accountId], end: [accountId + 1] })) dbs.junkLabels.removeSync(key);
  for (const key of dbs.junkKept.getKeys({ start: [accountId], end: [accountId + 1] })) dbs.junkKept.removeSync(key);
}
