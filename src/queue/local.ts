// Queued recipients in local domains: a mailbox that was full when the message came (delivery.ts
// queued them as deferred) is tried again here, with Return-Path added at this final delivery
// (RFC 5321 4.4). A crash between the delivery's commit and the queue's record re-delivers the
// message once more at the next attempt: a duplicate, never a loss (as any MTA's local delivery).
// Mail from the internet (entry.junk) is filed by each account's junk filter, as inbound SMTP
// files it (src/junk/filing.ts), with what the SMTP-time checks said of its sender then.
import { fileByJunk, filedCopies, type JunkService } from '../junk/index.ts';
import type { Logger } from '../log/log.ts';
import { bodyHash, type DeliveryOutcome, type QueueEntry, type QueueRecipient, type Store } from '../store/index.ts';
import { returnPathField } from '../smtp/message.ts';
import { local, type AttemptResult } from './result.ts';

export async function deliverLocally(
  store: Store,
  entry: QueueEntry,
  recipients: QueueRecipient[],
  o: { quotaReply: 'temporary' | 'permanent'; junk: JunkService; log: Logger },
): Promise<AttemptResult[]> {
  const raw = store.queue.body(entry);
  if (!raw) return recipients.map((r) => local(r.address, 'deferred', 451, '4.3.0', 'Queued message body missing'));
  const targets = new Map<string, number[]>();
  for (const r of recipients) targets.set(r.address, store.aliases.resolve(r.address)?.accounts ?? []);
  const ids = [...new Set([...targets.values()].flat())];
  const outcomes = ids.length ? await deliverCopies(store, entry, Buffer.from(returnPathField(entry.sender)), raw, ids, o) : [];
  return recipients.map((r): AttemptResult => {
    const accounts = targets.get(r.address)!;
    if (accounts.length === 0) return local(r.address, 'failed', 550, '5.1.1', 'No such user here');
    const failed = outcomes.find((outcome) => accounts.includes(outcome.accountId) && !outcome.ok);
    if (!failed || failed.ok) return { ...local(r.address, 'delivered', 250, '2.0.0', 'Delivered to the mailbox'), successAction: 'delivered' };
    switch (failed.code) {
      case 'over-quota':
        return o.quotaReply === 'permanent'
          ? local(r.address, 'failed', 552, '5.2.2', 'Mailbox full')
          : local(r.address, 'deferred', 452, '4.2.2', 'Mailbox full');
      case 'not-found':
        return local(r.address, 'failed', 550, '5.1.1', 'No such user here');
      case 'full':
        return local(r.address, 'deferred', 452, '4.3.1', 'Insufficient system storage');
      default:
        return local(r.address, 'deferred', 451, '4.3.0', 'Local error in processing');
    }
  });
}

// The message with Return-Path on top, one store call per distinct copy (a junk field each,
// below Return-Path), issued in one turn: one commit.
async function deliverCopies(
  store: Store,
  entry: QueueEntry,
  returnPath: Buffer,
  body: Buffer,
  ids: number[],
  o: { junk: JunkService; log: Logger },
): Promise<DeliveryOutcome[]> {
  const raw = Buffer.concat([returnPath, body]);
  const filings = entry.junk ? await fileByJunk(store, o.junk, ids, raw, o.log.child({ queueId: entry.id }), entry.senderMarks ?? undefined) : null;
  if (!filings) return store.messages.deliver({ raw, targets: ids.map((accountId) => ({ accountId })), origin: 'queue' });
  const copies = filedCopies(raw, returnPath.length, ids, filings).map((c) => {
    // The store hashes the copy again (a retry is rare; delivery from SMTP has it from a worker).
    const hash = bodyHash(c.raw);
    for (const t of c.targets) o.junk.expect(t.accountId, hash, filings.get(t.accountId)!.verdict);
    return store.messages.deliver({ raw: c.raw, targets: c.targets, origin: 'queue' });
  });
  return (await Promise.all(copies)).flat();
}
