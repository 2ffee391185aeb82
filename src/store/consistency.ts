// Checks the invariants that the rest of the store keeps, for tests and `homepost verify`:
// reference counts match the references, counters match the messages, UIDs are below UIDNEXT,
// every name points at its mailbox and every message at a stored body.
import { isSeen } from './flags.ts';
import type { Dbs } from './open.ts';

export function checkConsistency(dbs: Dbs): string[] {
  const problems: string[] = [];
  const refs = new Map<string, number>();
  const ref = (h: Buffer) => refs.set(h.toString('hex'), (refs.get(h.toString('hex')) ?? 0) + 1);
  const usage = new Map<number, number>();

  for (const { key, value: id } of dbs.mailboxNames.getRange()) {
    const mb = dbs.mailboxes.get(id);
    if (!mb || mb.name !== key[1] || mb.accountId !== key[0]) problems.push(`name ${key.join(':')} -> mailbox ${id} mismatch`);
  }
  for (const { value: mb } of dbs.mailboxes.getRange()) {
    if (!dbs.accountIds.get(mb.accountId)) problems.push(`mailbox ${mb.id} of missing account ${mb.accountId}`);
    let count = 0, unseen = 0, size = 0, maxUid = 0, maxModSeq = 0;
    for (const { value: m } of dbs.messages.getRange({ start: [mb.id], end: [mb.id + 1] })) {
      count++;
      unseen += Number(!isSeen(m.flags));
      size += m.size;
      maxUid = Math.max(maxUid, m.uid);
      maxModSeq = Math.max(maxModSeq, m.modseq);
      ref(m.hash);
      if (!dbs.bodies.doesExist(m.hash)) problems.push(`mailbox ${mb.id} uid ${m.uid}: body missing`);
    }
    for (const { key, value: modseq } of dbs.expunged.getRange({ start: [mb.id], end: [mb.id + 1] })) {
      maxUid = Math.max(maxUid, key[1]);
      maxModSeq = Math.max(maxModSeq, modseq);
      if (dbs.messages.doesExist(key)) problems.push(`mailbox ${mb.id} uid ${key[1]} both present and expunged`);
    }
    if (count !== mb.count || unseen !== mb.unseen || size !== mb.size) {
      problems.push(`mailbox ${mb.id} counters ${mb.count}/${mb.unseen}/${mb.size}, actual ${count}/${unseen}/${size}`);
    }
    if (maxUid >= mb.uidNext) problems.push(`mailbox ${mb.id}: uid ${maxUid} >= uidnext ${mb.uidNext}`);
    if (maxModSeq > mb.highestModSeq) problems.push(`mailbox ${mb.id}: modseq ${maxModSeq} > highest ${mb.highestModSeq}`);
    usage.set(mb.accountId, (usage.get(mb.accountId) ?? 0) + size);
  }
  for (const { value } of dbs.queue.getRange()) {
    const h = (value as { hash?: Buffer }).hash;
    if (h) ref(h);
  }
  for (const { key, value } of dbs.bodyRefs.getRange()) {
    const actual = refs.get(key.toString('hex')) ?? 0;
    if (actual !== value.refs) problems.push(`body ${key.toString('hex').slice(0, 12)}: refs ${value.refs}, actual ${actual}`);
    refs.delete(key.toString('hex'));
  }
  for (const h of refs.keys()) problems.push(`body ${h.slice(0, 12)} referenced but not counted`);
  for (const { key: id, value: address } of dbs.accountIds.getRange()) {
    if (dbs.accounts.get(address)?.id !== id) problems.push(`account id ${id} -> ${address} mismatch`);
    if ((dbs.usage.get(id) ?? 0) !== (usage.get(id) ?? 0)) {
      problems.push(`account ${address}: usage ${dbs.usage.get(id)}, actual ${usage.get(id) ?? 0}`);
    }
  }
  return problems;
}
