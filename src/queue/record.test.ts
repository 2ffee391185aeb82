import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { QueueEntry, QueueRecipient } from '../store/index.ts';
import { applyResults, bounceAll, dueDelayNotices, finished, retryAll, retryDelay, wants } from './record.ts';
import { local, type AttemptResult } from './result.ts';

const MIN = 60_000;
const policy = { retrySchedule: [5 * MIN, 15 * MIN, 30 * MIN, 60 * MIN, 120 * MIN, 240 * MIN], lifetimeMs: 5 * 24 * 60 * MIN, delayNoticeMs: 4 * 60 * MIN };

function rcpt(address: string, o: Partial<QueueRecipient> = {}): QueueRecipient {
  return {
    address,
    state: 'queued',
    attempts: 0,
    lastAttemptAt: null,
    lastResult: null,
    status: null,
    remoteMta: null,
    nextAttemptAt: 0,
    notify: null,
    orcpt: null,
    notice: null,
    delayNotified: false,
    ...o,
  };
}

function entry(recipients: QueueRecipient[], o: Partial<QueueEntry> = {}): QueueEntry {
  return {
    id: 1,
    sender: 'a@example.test',
    recipients,
    hash: Buffer.alloc(32),
    size: 1,
    arrivedAt: 0,
    nextAttemptAt: 0,
    accountId: 1,
    smtpUtf8: false,
    bodyType: '7bit',
    envid: null,
    ret: null,
    junk: false,
    senderMarks: null,
    ...o,
  };
}

const result = (
  address: string,
  outcome: AttemptResult['outcome'],
  reply = outcome === 'delivered' ? '250 2.0.0 ok' : outcome === 'failed' ? '550 5.1.1 no' : '451 4.3.0 later',
): AttemptResult => ({
  ...local(address, outcome, Number(reply.slice(0, 3)), reply.split(' ')[1], reply.slice(10)),
  reply,
  remoteMta: 'mx.example',
});

test('the back-off: 5m, 15m, 30m, 1h, 2h, 4h, then every 4h', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5, 6, 7, 20].map((n) => retryDelay(n, policy.retrySchedule) / MIN),
    [5, 15, 30, 60, 120, 240, 240, 240],
  );
});

test('NOTIFY: none given means FAILURE,DELAY; NEVER means nothing (RFC 3461 4.1)', () => {
  assert.deepEqual(
    ['success', 'failure', 'delay'].map((k) => wants(rcpt('x', { notify: null }), k as 'success')),
    [false, true, true],
  );
  assert.deepEqual(
    ['success', 'failure', 'delay'].map((k) => wants(rcpt('x', { notify: [] }), k as 'success')),
    [false, false, false],
  );
  assert.deepEqual(
    ['success', 'failure', 'delay'].map((k) => wants(rcpt('x', { notify: ['success'] }), k as 'success')),
    [true, false, false],
  );
});

test('results: delivered, failed (a notice owed), deferred (the next attempt), interrupted (not counted)', () => {
  const e = entry([rcpt('d'), rcpt('f'), rcpt('t', { attempts: 2, state: 'deferred' }), rcpt('i'), rcpt('s', { notify: ['success'] })]);
  const now = 10 * MIN;
  const r = applyResults(
    e,
    [
      result('d', 'delivered'),
      result('f', 'failed'),
      result('t', 'deferred'),
      result('i', 'interrupted'),
      { ...result('s', 'delivered'), successAction: 'relayed' },
    ],
    policy,
    now,
  ).recipients;
  assert.deepEqual(
    r.map((x) => [x.address, x.state, x.attempts, x.notice]),
    [
      ['d', 'delivered', 1, null],
      ['f', 'failed', 1, 'failed'],
      ['t', 'deferred', 3, null],
      ['i', 'queued', 0, null],
      ['s', 'delivered', 1, 'relayed'],
    ],
  );
  assert.equal(r[2].nextAttemptAt, now + 30 * MIN, 'the third failure waits 30 minutes');
  assert.equal(r[3].nextAttemptAt, now, 'an interrupted attempt is due again at once');
  assert.deepEqual([r[1].lastResult, r[1].status, r[1].remoteMta], ['550 5.1.1 no', '5.1.1', 'mx.example']);
});

test('after the lifetime a temporary failure is final; the null sender is never notified', () => {
  const late = applyResults(entry([rcpt('t', { state: 'deferred', attempts: 5 })]), [result('t', 'deferred')], policy, policy.lifetimeMs);
  assert.deepEqual([late.recipients[0].state, late.recipients[0].notice, late.recipients[0].status], ['failed', 'failed', '4.3.0']);
  const bounce = applyResults(entry([rcpt('f')], { sender: '' }), [result('f', 'failed')], policy, 0);
  assert.deepEqual([bounce.recipients[0].state, bounce.recipients[0].notice], ['failed', null]);
  assert.equal(finished(bounce), true);
});

test('a recipient that is no longer pending keeps its state (an administrator bounced it meanwhile)', () => {
  const e = bounceAll(entry([rcpt('x')]), 5);
  const after = applyResults(e, [result('x', 'delivered')], policy, 10);
  assert.deepEqual([after.recipients[0].state, after.recipients[0].status, after.recipients[0].notice], ['failed', '5.0.0', 'failed']);
});

test('delay notices: once, after delayNoticeMs, for tried recipients that want them', () => {
  const e = entry([rcpt('tried', { state: 'deferred', attempts: 1 }), rcpt('never', { state: 'deferred', attempts: 1, notify: ['failure'] }), rcpt('new')]);
  assert.equal(dueDelayNotices(e, policy, policy.delayNoticeMs - 1), null, 'not yet');
  const marked = dueDelayNotices(e, policy, policy.delayNoticeMs)!;
  assert.deepEqual(
    marked.recipients.map((r) => [r.notice, r.delayNotified]),
    [
      ['delayed', true],
      [null, false],
      [null, false],
    ],
  );
  assert.equal(
    dueDelayNotices({ ...marked, recipients: marked.recipients.map((r) => ({ ...r, notice: null })) }, policy, policy.delayNoticeMs * 2),
    null,
    'only once',
  );
  assert.equal(dueDelayNotices(e, { ...policy, delayNoticeMs: 0 }, policy.delayNoticeMs), null, '0 turns them off');
});

test('retry now makes every pending recipient due', () => {
  const e = retryAll(entry([rcpt('a', { state: 'deferred', nextAttemptAt: 99 }), rcpt('b', { state: 'delivered', nextAttemptAt: 99 })]), 7);
  assert.deepEqual(
    e.recipients.map((r) => r.nextAttemptAt),
    [7, 99],
  );
});
