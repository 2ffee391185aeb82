// Where an accepted message goes once DATA is in: local accounts get it in ONE store commit
// (store.messages.deliver), with Return-Path added at this final delivery (RFC 5321 4.4);
// recipients elsewhere go durably into store.queue. Both writes are issued in the same event
// turn, so they share a commit; the 250 is sent only after they resolved (on disk).
// Quota: an account the message does not fit fails alone inside the commit (store.messages).
// When no recipient took the message, the client gets 452 4.2.2 (or 552 5.2.2) and nothing is
// stored; otherwise the failed recipients are held in the queue as deferred, for the delivery
// module to retry or bounce, so the one DATA reply SMTP has (RFC 5321 3.3) never loses or
// duplicates a recipient's copy.
import { isStoreError, type Store, type StoreErrorCode } from '../store/index.ts';
import { reply, storeErrorReply, type SmtpReply } from './reply.ts';
import { returnPathField } from './message.ts';

export interface DeliveryRequest {
  // The message with its trace fields, without Return-Path.
  raw: Buffer;
  sender: string; // "" for the null sender
  localAccounts: number[];
  external: string[];
  accountId: number | null; // the submitting account
  smtpUtf8: boolean;
  bodyType: '7bit' | '8bitmime';
  quotaReply: 'temporary' | 'permanent';
}

export type DeliveryResult = { ok: true; reply: SmtpReply; queueId: number | null; delivered: number } | { ok: false; reply: SmtpReply };

export async function deliver(store: Store, req: DeliveryRequest): Promise<DeliveryResult> {
  const localRaw = Buffer.concat([Buffer.from(returnPathField(req.sender)), req.raw]);
  const accounts = [...new Set(req.localAccounts)];
  const external = [...new Map(req.external.map((a) => [a.toLowerCase(), a])).values()];
  if (accounts.length === 0 && external.length === 0) return { ok: false, reply: storeErrorReply('not-found', req.quotaReply) };
  const enqueue = (deferred: { address: string; result: string }[], recipients: string[]) =>
    store.queue.enqueue({
      sender: req.sender,
      recipients,
      deferred,
      raw: req.raw,
      accountId: req.accountId,
      smtpUtf8: req.smtpUtf8,
      bodyType: req.bodyType,
    });
  try {
    // Issued together: one commit (design.md, store).
    const local = accounts.length ? store.messages.deliver({ raw: localRaw, targets: accounts.map((accountId) => ({ accountId })), origin: 'smtp' }) : null;
    const queued = external.length ? enqueue([], external) : null;
    const [outcomes, entry] = await Promise.all([local, queued]);
    let delivered = 0;
    let firstFailure: StoreErrorCode | null = null;
    const failed: { address: string; result: string }[] = [];
    for (const o of outcomes ?? []) {
      if (o.ok) {
        delivered++;
        continue;
      }
      firstFailure ??= o.code;
      const r = storeErrorReply(o.code, req.quotaReply);
      failed.push({ address: store.accounts.getById(o.accountId)?.address ?? String(o.accountId), result: `${r.code} ${r.enhanced} ${r.text}` });
    }
    // Nothing took the message: the client hears why (452 4.2.2 / 552 5.2.2 over quota), and
    // nothing was stored. Otherwise the queue holds the recipients that failed.
    if (firstFailure && delivered === 0 && !entry) return { ok: false, reply: storeErrorReply(firstFailure, req.quotaReply) };
    const late = failed.length ? await enqueue(failed, []) : null;
    const queueId = entry?.id ?? late?.id ?? null;
    const text = `Message accepted${queueId !== null ? ` (queue id ${queueId})` : ''}`;
    return { ok: true, reply: reply(250, '2.6.0', text), queueId, delivered };
  } catch (e) {
    return { ok: false, reply: storeErrorReply(isStoreError(e) ? e.code : 'unknown', req.quotaReply) };
  }
}
