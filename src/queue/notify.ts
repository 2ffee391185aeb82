// Writes the delivery status notifications a queue entry owes (record.ts marks them) and removes
// the entry once it has nothing left to do. The DSN and the clearing of the marks are issued in
// the same event turn, so they share one commit (src/store/context.ts): a crash leaves either
// both or neither, and a notice is written once. The DSN goes to the envelope sender: into the
// INBOX of a local sender (store.messages.deliver), otherwise into the queue with the null
// sender, which is never answered with another DSN (record.ts).
import type { Logger } from '../log/log.ts';
import type { QueueEntry, Store } from '../store/index.ts';
import { returnPathField } from '../smtp/message.ts';
import { has8bit } from '../smtp/downgrade.ts';
import { buildDsn, type DsnRecipient } from './dsn.ts';
import { finished } from './record.ts';
import { firstRetryAt } from './settings.ts';

export interface NotifyContext {
  store: Store;
  hostname: string;
  lifetimeMs: number;
  log: Logger;
  now?: () => number;
}

// Delivers a DSN (or any message from the null sender) to `recipient`. The writes are issued
// before this returns, so a caller's write issued next shares their commit.
export function sendToSender(store: Store, recipient: string, raw: Buffer, smtpUtf8: boolean, log: Logger): Promise<void> {
  const domain = recipient.slice(recipient.lastIndexOf('@') + 1);
  const resolution = store.aliases.resolve(recipient);
  if (!resolution && store.domains.isLocal(domain)) {
    log.warn('queue.dsn_dropped', { recipient, reason: 'no such local address' });
    return Promise.resolve();
  }
  const bodyType = has8bit(raw) ? '8bitmime' : '7bit';
  const writes: Promise<unknown>[] = [];
  const accounts = resolution?.accounts ?? [];
  if (accounts.length) {
    const local = Buffer.concat([Buffer.from(returnPathField('')), raw]);
    writes.push(
      store.messages.deliver({ raw: local, targets: accounts.map((accountId) => ({ accountId })), origin: 'dsn' }).then(async (outcomes) => {
        // A full mailbox: the notice waits in the queue like any local delivery that failed.
        const failed = outcomes
          .filter((o) => !o.ok)
          .map((o) => store.accounts.addressOf(o.accountId))
          .filter((a): a is string => !!a);
        if (failed.length)
          await store.queue.enqueue({
            sender: '',
            recipients: [],
            deferred: failed.map((address) => ({ address, result: '452 4.2.2 Mailbox full', status: '4.2.2' })),
            raw,
            smtpUtf8,
            bodyType,
            retryAt: firstRetryAt(store.settings),
          });
      }),
    );
  }
  const external = resolution ? resolution.external : [recipient];
  if (external.length) writes.push(store.queue.enqueue({ sender: '', recipients: external, raw, smtpUtf8, bodyType }));
  return Promise.all(writes).then(() => undefined);
}

export function dsnFor(entry: QueueEntry, original: Buffer, hostname: string, lifetimeMs: number, now: Date): Buffer {
  const recipients: DsnRecipient[] = entry.recipients
    .filter((r) => r.notice !== null)
    .map((r) => ({
      address: r.address,
      orcpt: r.orcpt,
      action: r.notice!,
      status: r.status ?? (r.notice === 'failed' ? '5.0.0' : r.notice === 'delayed' ? '4.0.0' : '2.0.0'),
      remoteMta: r.remoteMta,
      diagnostic: r.lastResult,
      lastAttemptAt: r.lastAttemptAt,
    }));
  return buildDsn({
    hostname,
    sender: entry.sender,
    original,
    envid: entry.envid,
    ret: entry.ret,
    smtpUtf8: entry.smtpUtf8,
    arrivedAt: entry.arrivedAt,
    retryUntil: entry.arrivedAt + lifetimeMs,
    recipients,
    now,
  });
}

// Writes what the entry owes and clears it, or removes a finished entry.
export async function settle(ctx: NotifyContext, id: number): Promise<void> {
  const { store } = ctx;
  const entry = store.queue.get(id);
  if (!entry) return;
  const owed = entry.recipients.filter((r) => r.notice !== null);
  if (owed.length === 0) {
    if (finished(entry)) await store.queue.modify(id, (e) => (finished(e) ? null : e));
    return;
  }
  let write: Promise<void> = Promise.resolve();
  const original = store.queue.body(entry);
  if (entry.sender !== '' && original) {
    const raw = dsnFor(entry, original, ctx.hostname, ctx.lifetimeMs, new Date(ctx.now?.() ?? Date.now()));
    write = sendToSender(store, entry.sender, raw, entry.smtpUtf8, ctx.log);
    ctx.log.info('queue.dsn', { id, actions: [...new Set(owed.map((r) => r.notice))], recipients: owed.length });
  }
  const clear = store.queue.modify(id, (e) => {
    const next = {
      ...e,
      recipients: e.recipients.map((r) => (owed.some((o) => o.address === r.address && o.notice === r.notice) ? { ...r, notice: null } : r)),
    };
    return finished(next) ? null : next;
  });
  await Promise.all([write, clear]);
}
