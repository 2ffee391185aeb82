// Where an accepted message goes once DATA is in: local accounts get it in ONE store commit
// (store.messages.deliver), the copy with Return-Path for this final delivery (RFC 5321 4.4);
// recipients elsewhere go durably into store.queue, with their RFC 3461 NOTIFY/ORCPT and the
// transaction's RET/ENVID. Both writes are issued in the same event turn, so they share a commit;
// the 250 is sent only after they resolved (on disk).
// Quota: an account the message does not fit fails alone inside the commit (store.messages).
// When no recipient took the message, the client gets 452 4.2.2 (or 552 5.2.2) and nothing is
// stored; otherwise the failed recipients are held in the queue as deferred, for the delivery
// module to retry or bounce, so the one DATA reply SMTP has (RFC 5321 3.3) never loses or
// duplicates a recipient's copy. Mail from the internet carries each account's junk verdict
// (junk-copies.ts): one copy per distinct X-Homepost-Junk field, each in the account's mailbox
// for it, all in the same commit; its recipients that fail are queued marked for the filter.
// A local recipient that asked NOTIFY=SUCCESS gets its "delivered" notice (RFC 3461 5.2.1)
// before the reply.
import type { Logger } from '../log/log.ts';
import { type DeliveryOutcome, isStoreError, type PreparedBody, type QueuedSenderMarks, type Store, type StoreErrorCode } from '../store/index.ts';
import type { FiledMessage } from './junk-copies.ts';
import { reply, storeErrorReply, type SmtpReply } from './reply.ts';
import { buildDsn, type DsnNotify } from '../queue/dsn.ts';
import { sendToSender } from '../queue/notify.ts';
import { firstRetryAt } from '../queue/settings.ts';

export interface DsnRequest {
  notify: DsnNotify[] | null; // RFC 3461 NOTIFY, [] for NEVER
  orcpt: string | null; // RFC 3461 ORCPT
}

export interface LocalRecipient extends DsnRequest {
  accountId: number;
}

export interface ExternalRecipient extends DsnRequest {
  address: string;
}

// A message ready for the store: its bytes, hash and parse (prepared off the event loop).
export interface StoredMessage {
  raw: Buffer;
  body: PreparedBody;
}

export interface DeliveryRequest {
  // The message with its trace fields: with Return-Path for mailboxes (null when no recipient
  // is local), and without it for the queue.
  final: StoredMessage | null;
  transit: StoredMessage | null;
  sender: string; // "" for the null sender
  local: LocalRecipient[];
  external: ExternalRecipient[];
  accountId: number | null; // the submitting account
  smtpUtf8: boolean;
  bodyType: '7bit' | '8bitmime';
  envid: string | null; // RFC 3461 4.4
  ret: 'full' | 'hdrs' | null; // RFC 3461 4.3
  quotaReply: 'temporary' | 'permanent';
  // Mail from the internet: its queued local recipients are filed by their junk filter at the
  // retry, with the SMTP-time checks' `senderMarks`. `copies`: the local copies as each
  // account's filter filed them (null: `final` to every local account's INBOX).
  inbound: boolean;
  senderMarks: QueuedSenderMarks | null;
  copies: FiledMessage[] | null;
  hostname: string;
  log: Logger;
}

export type DeliveryResult = { ok: true; reply: SmtpReply; queueId: number | null; delivered: number } | { ok: false; reply: SmtpReply };

export async function deliver(store: Store, req: DeliveryRequest): Promise<DeliveryResult> {
  // One copy per account and per external address; the first recipient's DSN request holds.
  const accounts = [...new Map(req.local.map((r) => [r.accountId, r])).values()];
  const external = [...new Map(req.external.map((r) => [r.address.toLowerCase(), r])).values()];
  if (accounts.length === 0 && external.length === 0) return { ok: false, reply: storeErrorReply('not-found', req.quotaReply) };
  const final = req.final;
  const transit = req.transit;
  if ((accounts.length && !final) || !transit) throw new Error('delivery needs the prepared copies of the message');
  const enqueue = (deferred: ({ address: string; result: string; status: string } & DsnRequest)[], recipients: ExternalRecipient[]) =>
    store.queue.enqueue({
      sender: req.sender,
      recipients,
      deferred,
      raw: transit.raw,
      body: transit.body,
      accountId: req.accountId,
      smtpUtf8: req.smtpUtf8,
      bodyType: req.bodyType,
      envid: req.envid,
      ret: req.ret,
      junk: req.inbound,
      senderMarks: req.inbound ? req.senderMarks : null,
      retryAt: firstRetryAt(store.settings),
    });
  try {
    // Issued together: one commit (docs/store.md).
    const local = accounts.length ? deliverLocal(store, final!, accounts, req.copies) : null;
    const queued = external.length ? enqueue([], external) : null;
    const [outcomes, entry] = await Promise.all([local, queued]);
    let delivered = 0;
    let firstFailure: StoreErrorCode | null = null;
    const failed: ({ address: string; result: string; status: string } & DsnRequest)[] = [];
    const succeeded: (LocalRecipient & { address: string })[] = [];
    for (const o of outcomes ?? []) {
      const request = accounts.find((r) => r.accountId === o.accountId)!;
      const address = store.accounts.addressOf(o.accountId) ?? String(o.accountId);
      if (o.ok) {
        delivered++;
        succeeded.push({ ...request, address });
        continue;
      }
      firstFailure ??= o.code;
      const r = storeErrorReply(o.code, req.quotaReply);
      failed.push({ address, result: `${r.code} ${r.enhanced} ${r.text}`, status: r.enhanced, notify: request.notify, orcpt: request.orcpt });
    }
    // Nothing took the message: the client hears why (452 4.2.2 / 552 5.2.2 over quota), and
    // nothing was stored. Otherwise the queue holds the recipients that failed.
    if (firstFailure && delivered === 0 && !entry) return { ok: false, reply: storeErrorReply(firstFailure, req.quotaReply) };
    const late = failed.length ? await enqueue(failed, []) : null;
    await notifySuccess(store, req, succeeded);
    const queueId = entry?.id ?? late?.id ?? null;
    const text = `Message accepted${queueId !== null ? ` (queue id ${queueId})` : ''}`;
    return { ok: true, reply: reply(250, '2.6.0', text), queueId, delivered };
  } catch (e) {
    return { ok: false, reply: storeErrorReply(isStoreError(e) ? e.code : 'unknown', req.quotaReply) };
  }
}

// The local copies: one store call per distinct copy, all issued in this turn (one commit).
function deliverLocal(store: Store, final: StoredMessage, accounts: readonly LocalRecipient[], copies: FiledMessage[] | null): Promise<DeliveryOutcome[]> {
  const filed = copies ?? [{ message: final, targets: accounts.map((r) => ({ accountId: r.accountId })) }];
  const deliveries = filed.map(({ message, targets }) => store.messages.deliver({ raw: message.raw, body: message.body, targets, origin: 'smtp' }));
  return Promise.all(deliveries).then((outcomes) => outcomes.flat());
}

// RFC 3461 5.2.1 / RFC 3464: "delivered" notices for local recipients that asked for them.
async function notifySuccess(store: Store, req: DeliveryRequest, succeeded: (LocalRecipient & { address: string })[]): Promise<void> {
  const wanted = succeeded.filter((r) => r.notify?.includes('success'));
  if (req.sender === '' || wanted.length === 0) return;
  const now = Date.now();
  const raw = buildDsn({
    hostname: req.hostname,
    sender: req.sender,
    original: req.transit!.raw,
    envid: req.envid,
    ret: req.ret,
    smtpUtf8: req.smtpUtf8,
    arrivedAt: now,
    retryUntil: null,
    recipients: wanted.map((r) => ({
      address: r.address,
      orcpt: r.orcpt,
      action: 'delivered',
      status: '2.0.0',
      remoteMta: null,
      diagnostic: null,
      lastAttemptAt: now,
    })),
    now: new Date(now),
  });
  try {
    await sendToSender(store, req.sender, raw, req.smtpUtf8, req.log);
  } catch (e) {
    // The message itself is stored; only the notice is missing.
    req.log.warn('smtp.dsn_failed', { sender: req.sender, error: e as Error });
  }
}
