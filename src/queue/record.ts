// How attempt results change a queue entry (pure functions, run inside Queue.modify): the new
// recipient state, the retry back-off, the lifetime, and which delivery status notifications
// (RFC 3464) the sender is owed as RFC 3461 NOTIFY asked for them. Never a notification to the
// null sender (RFC 5321 4.5.5, RFC 3461 6.2): a bounce that cannot be delivered is dropped.
import type { QueueEntry, QueueRecipient } from '../store/index.ts';
// (queue.ts itself: the CLI loads this without opening LMDB)
import { isPending } from '../store/queue.ts';
import type { DsnNotify } from './dsn.ts';
import type { AttemptResult } from './result.ts';

export interface Policy {
  retrySchedule: number[];
  lifetimeMs: number;
  delayNoticeMs: number;
}

// RFC 3461 4.1: without NOTIFY, a failure and (our choice of the two defaults) a delay are notified.
export function wants(r: QueueRecipient, kind: DsnNotify): boolean {
  return r.notify === null ? kind === 'failure' || kind === 'delay' : r.notify.includes(kind);
}

// The wait after the attempts-th failed attempt: 5m, 15m, 30m, 1h, 2h, 4h, then 4h again.
export function retryDelay(attempts: number, schedule: number[]): number {
  return schedule[Math.min(Math.max(attempts, 1), schedule.length) - 1];
}

export function applyResults(entry: QueueEntry, results: AttemptResult[], policy: Policy, now: number): QueueEntry {
  const bySender = entry.sender !== '';
  const recipients = entry.recipients.map((r): QueueRecipient => {
    const res = results.find((x) => x.address === r.address);
    // A recipient an administrator bounced or deleted meanwhile keeps that decision.
    if (!res || !isPending(r)) return r;
    if (res.outcome === 'interrupted') return { ...r, nextAttemptAt: now };
    const tried = { ...r, attempts: r.attempts + 1, lastAttemptAt: now, lastResult: res.reply, status: res.status, remoteMta: res.remoteMta };
    switch (res.outcome) {
      case 'delivered':
        return { ...tried, state: 'delivered', notice: bySender && res.successAction && wants(r, 'success') ? res.successAction : null };
      case 'failed':
        return { ...tried, state: 'failed', notice: bySender && wants(r, 'failure') ? 'failed' : null };
      case 'deferred':
        // RFC 5321 4.5.4.1: give up after the lifetime; the bounce keeps the last (4xx) status.
        if (now - entry.arrivedAt >= policy.lifetimeMs) return { ...tried, state: 'failed', notice: bySender && wants(r, 'failure') ? 'failed' : null };
        return { ...tried, state: 'deferred', nextAttemptAt: now + retryDelay(tried.attempts, policy.retrySchedule) };
      default:
        throw new Error(`unknown outcome ${res.outcome satisfies never}`);
    }
  });
  return { ...entry, recipients };
}

// RFC 3464 delay notice: once, after delayNoticeMs, for recipients tried and still pending.
// Returns null when nothing changes.
export function dueDelayNotices(entry: QueueEntry, policy: Policy, now: number): QueueEntry | null {
  if (policy.delayNoticeMs <= 0 || entry.sender === '' || now - entry.arrivedAt < policy.delayNoticeMs) return null;
  let changed = false;
  const recipients = entry.recipients.map((r) => {
    if (!isPending(r) || r.attempts === 0 || r.delayNotified || r.notice !== null || !wants(r, 'delay')) return r;
    changed = true;
    return { ...r, notice: 'delayed' as const, delayNotified: true };
  });
  return changed ? { ...entry, recipients } : null;
}

// Nothing to try and nothing to notify: the entry can go.
export function finished(entry: QueueEntry): boolean {
  return entry.recipients.every((r) => !isPending(r) && r.notice === null);
}

// An administrator's "bounce now": every pending recipient fails with this status.
export function bounceAll(entry: QueueEntry, now: number): QueueEntry {
  return {
    ...entry,
    recipients: entry.recipients.map((r) =>
      isPending(r)
        ? {
            ...r,
            state: 'failed' as const,
            lastAttemptAt: now,
            lastResult: '550 5.0.0 Returned to the sender by the administrator',
            status: '5.0.0',
            remoteMta: null,
            notice: entry.sender !== '' && wants(r, 'failure') ? ('failed' as const) : null,
          }
        : r,
    ),
  };
}

// An administrator's "retry now": every pending recipient is due at once.
export function retryAll(entry: QueueEntry, now: number): QueueEntry {
  return { ...entry, recipients: entry.recipients.map((r) => (isPending(r) ? { ...r, nextAttemptAt: now } : r)) };
}
