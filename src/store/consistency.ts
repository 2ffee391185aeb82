// Checks the invariants that the rest of the store keeps, for tests and `homepost verify`:
// reference counts match the references, counters match the messages, UIDs are below UIDNEXT,
// every name points at its mailbox and every message at a stored body, and no data outlives its
// account.
import { headersKey, metaKey, rawKey } from './bodies.ts';
import { isSeen, withKeywords } from './flags.ts';
import { MailboxIndex } from './mailbox-index.ts';
import type { BodyMetaRecord } from './records.ts';
import type { Dbs } from './open.ts';
import { messageRange } from './mailbox-records.ts';

export function checkConsistency(dbs: Dbs): string[] {
  const problems: string[] = [];
  const refs = new Map<string, number>();
  const ref = (h: Buffer) => refs.set(h.toString('hex'), (refs.get(h.toString('hex')) ?? 0) + 1);

  for (const { key, value: id } of dbs.mailboxNames.getRange()) {
    const mb = dbs.mailboxes.get(id);
    if (!mb || mb.name !== key[1] || mb.accountId !== key[0]) problems.push(`name ${key.join(':')} -> mailbox ${id} mismatch`);
  }
  for (const mb of dbs.mailboxes.all()) {
    if (!dbs.accountIds.get(mb.accountId)) problems.push(`mailbox ${mb.id} of missing account ${mb.accountId}`);
    let count = 0,
      unseen = 0,
      size = 0,
      maxUid = 0,
      maxModSeq = 0,
      tombstones = 0;
    for (const { value: m } of dbs.messages.getRange(messageRange(mb.id))) {
      if (withKeywords(mb.keywords, m.flags) !== mb.keywords) problems.push(`mailbox ${mb.id} uid ${m.uid}: keyword not in the mailbox's list`);
      if (!Number.isInteger(m.octets) || m.octets < m.size) problems.push(`mailbox ${mb.id} uid ${m.uid}: octets ${m.octets} for size ${m.size}`);
      count++;
      unseen += Number(!isSeen(m.flags));
      size += m.size;
      maxUid = Math.max(maxUid, m.uid);
      maxModSeq = Math.max(maxModSeq, m.modseq);
      ref(m.hash);
      if (!dbs.bodies.doesExist(rawKey(m.hash))) problems.push(`mailbox ${mb.id} uid ${m.uid}: body missing`);
    }
    for (const { key, value: modseq } of dbs.expunged.getRange(messageRange(mb.id))) {
      maxUid = Math.max(maxUid, key[1]);
      maxModSeq = Math.max(maxModSeq, modseq);
      tombstones++;
      if (dbs.messages.doesExist(key)) problems.push(`mailbox ${mb.id} uid ${key[1]} both present and expunged`);
    }
    if (count !== mb.count || unseen !== mb.unseen || size !== mb.size) {
      problems.push(`mailbox ${mb.id} counters ${mb.count}/${mb.unseen}/${mb.size}, actual ${count}/${unseen}/${size}`);
    }
    const stored = dbs.indexes.get(mb.id);
    const index = stored && MailboxIndex.fromSnapshot(mb.id, stored);
    if (index && index.highestModSeq === mb.highestModSeq) {
      let i = 0;
      for (const { value: m } of dbs.messages.getRange(messageRange(mb.id))) {
        const same =
          index.uid(i) === m.uid &&
          index.modseq(i) === m.modseq &&
          index.size(i) === m.size &&
          index.octets(i) === m.octets &&
          index.flags(i).join() === m.flags.join();
        if (!same) problems.push(`mailbox ${mb.id}: stored index differs at uid ${m.uid}`);
        i++;
      }
      if (i !== index.length) problems.push(`mailbox ${mb.id}: stored index has ${index.length} messages, the mailbox ${i}`);
    }
    if (tombstones !== mb.tombstones) problems.push(`mailbox ${mb.id}: ${mb.tombstones} tombstones counted, ${tombstones} kept`);
    if (maxUid >= mb.uidNext) problems.push(`mailbox ${mb.id}: uid ${maxUid} >= uidnext ${mb.uidNext}`);
    if (mb.modifiedModSeq > mb.highestModSeq) problems.push(`mailbox ${mb.id}: modified at ${mb.modifiedModSeq} > highest ${mb.highestModSeq}`);
    if (maxModSeq > mb.highestModSeq) problems.push(`mailbox ${mb.id}: modseq ${maxModSeq} > highest ${mb.highestModSeq}`);
  }
  for (const { key } of dbs.indexes.getRange()) if (!dbs.mailboxes.doesExist(key)) problems.push(`stored index of missing mailbox ${key}`);
  for (const [id, chunk] of dbs.headerCache.getKeys()) if (!dbs.mailboxes.doesExist(id)) problems.push(`header cache chunk ${chunk} of missing mailbox ${id}`);
  // A released reference is still on its body's count until the sweep takes it off (bodies.ts).
  for (const { key, value } of dbs.released.getRange()) for (let i = 0; i < value; i++) ref(key);
  for (const { value } of dbs.queue.getRange()) {
    const h = (value as { hash?: Buffer }).hash;
    if (h) ref(h);
  }
  for (const { key, value } of dbs.bodies.getRange()) {
    const hash = key.subarray(0, key.length - 1);
    const id = hash.toString('hex');
    if (key.at(-1) !== 0) {
      if (!dbs.bodies.doesExist(metaKey(hash))) problems.push(`body ${id.slice(0, 12)}: ${key.at(-1) === 1 ? 'raw' : 'header record'} without record`);
      continue;
    }
    const meta = value as BodyMetaRecord;
    if (!meta.parsed) problems.push(`body ${id.slice(0, 12)}: no parsed form`);
    if (!dbs.bodies.doesExist(rawKey(hash))) problems.push(`body ${id.slice(0, 12)}: record without raw`);
    if (!dbs.bodies.doesExist(headersKey(hash))) problems.push(`body ${id.slice(0, 12)}: no header record`);
    const actual = refs.get(id) ?? 0;
    if (actual !== meta.refs) problems.push(`body ${id.slice(0, 12)}: refs ${meta.refs}, actual ${actual}`);
    refs.delete(id);
  }
  for (const h of refs.keys()) problems.push(`body ${h.slice(0, 12)} referenced but not counted`);
  for (const { key: id, value: address } of dbs.accountIds.getRange()) {
    if (dbs.accounts.get(address)?.id !== id) problems.push(`account id ${id} -> ${address} mismatch`);
  }
  // The junk filter's data goes with its account (junk.ts, reputation.ts).
  for (const id of dbs.junkCounts.getKeys()) if (!dbs.accountIds.get(id)) problems.push(`junk counts of missing account ${id}`);
  for (const [id] of dbs.junkLabels.getKeys()) if (!dbs.accountIds.get(id)) problems.push(`junk labels of missing account ${id}`);
  for (const [id] of dbs.junkKept.getKeys()) if (!dbs.accountIds.get(id)) problems.push(`kept-mail marks of missing account ${id}`);
  for (const id of dbs.junkDecisions.getKeys()) if (!dbs.accountIds.get(id)) problems.push(`junk decisions of missing account ${id}`);
  for (const [id] of dbs.junkCorrespondents.getKeys()) if (!dbs.accountIds.get(id)) problems.push(`correspondents of missing account ${id}`);
  for (const [id] of dbs.junkDomains.getKeys()) if (!dbs.accountIds.get(id)) problems.push(`domain history of missing account ${id}`);
  return problems;
}
