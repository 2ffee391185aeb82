// `homepost queue list|show|retry|delete|bounce`: the outbound queue (src/store/queue.ts,
// delivered by src/queue). The methods only change the store; the running daemon's delivery
// worker hears of the change and acts at once (a retry is attempted, a bounce is written). Without
// a daemon the change waits in the store for the next start.
import { findHeaderEnd, firstValue, splitHeader } from '../../mime/headers.ts';
import type { QueueEntry, QueueRecipient, Store } from '../../store/index.ts';
import { isPending } from '../../store/queue.ts';
import { bounceAll, retryAll } from '../../queue/record.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, method, noParams, type Params } from '../method.ts';
import { date, table } from '../text.ts';
import { formatBytes } from '../../settings/units.ts';

export interface QueueRow {
  id: number;
  sender: string;
  arrivedAt: number;
  size: number;
  // Recipients still to deliver / all of them.
  pending: number;
  recipients: number;
  nextAttemptAt: number | null;
  subject: string | null;
  // The recipients still to deliver: tries so far and the last reply or error.
  waiting: Pick<QueueRecipient, 'address' | 'attempts' | 'lastResult'>[];
}

export interface QueueDetail extends QueueRow {
  accountId: number | null;
  smtpUtf8: boolean;
  bodyType: '7bit' | '8bitmime';
  envid: string | null;
  ret: 'full' | 'hdrs' | null;
  messageId: string | null;
  from: string | null;
  recipientStates: (Pick<QueueRecipient, 'address' | 'state' | 'attempts' | 'lastAttemptAt' | 'lastResult' | 'remoteMta' | 'notify' | 'orcpt'> & {
    nextAttemptAt: number | null;
  })[];
}

function headerOf(store: Store, e: QueueEntry): { subject: string | null; messageId: string | null; from: string | null } {
  const raw = store.queue.body(e);
  if (!raw) return { subject: null, messageId: null, from: null };
  const fields = splitHeader(raw, 0, findHeaderEnd(raw).headerEnd);
  return { subject: firstValue(raw, fields, 'Subject'), messageId: firstValue(raw, fields, 'Message-ID'), from: firstValue(raw, fields, 'From') };
}

function row(store: Store, e: QueueEntry): QueueRow {
  const pending = e.recipients.filter(isPending);
  return {
    id: e.id,
    sender: e.sender,
    arrivedAt: e.arrivedAt,
    size: e.size,
    pending: pending.length,
    recipients: e.recipients.length,
    nextAttemptAt: pending.length ? e.nextAttemptAt : null,
    subject: headerOf(store, e).subject,
    waiting: pending.map((r) => ({ address: r.address, attempts: r.attempts, lastResult: r.lastResult })),
  };
}

function get(store: Store, id: number): QueueEntry {
  const e = store.queue.get(id);
  if (!e) throw new ApiError('not-found', `no queue entry ${id}`);
  return e;
}

// "12", or a list of them; "all" where a command allows it.
function ids(raw: Params, allowAll: boolean): number[] | 'all' {
  const v = raw.ids;
  const list = Array.isArray(v) ? v : typeof v === 'number' || typeof v === 'string' ? [v] : null;
  if (!list || list.length === 0) throw new ApiError('bad-request', 'ids is required');
  if (allowAll && list.length === 1 && list[0] === 'all') return 'all';
  return list.map((x) => {
    const n = typeof x === 'number' ? x : /^\d+$/.test(String(x)) ? Number(x) : NaN;
    if (!Number.isSafeInteger(n) || n <= 0) throw new ApiError('bad-request', `not a queue id: ${String(x)}`);
    return n;
  });
}

const idParam = (raw: Params) => {
  const list = ids({ ids: raw.id ?? raw.ids }, false);
  if (list === 'all' || list.length !== 1) throw new ApiError('bad-request', 'one queue id');
  return { id: list[0] };
};

const list = method({
  offline: true,
  write: false,
  params: noParams,
  run: (ctx): QueueRow[] => ctx.store.queue.list().map((e) => row(ctx.store, e)),
});

const show = method({
  offline: true,
  write: false,
  params: idParam,
  run: (ctx, p): QueueDetail => {
    const e = get(ctx.store, p.id);
    const h = headerOf(ctx.store, e);
    return {
      ...row(ctx.store, e),
      accountId: e.accountId,
      smtpUtf8: e.smtpUtf8,
      bodyType: e.bodyType,
      envid: e.envid,
      ret: e.ret,
      messageId: h.messageId,
      from: h.from,
      recipientStates: e.recipients.map((r) => ({
        address: r.address,
        state: r.state,
        attempts: r.attempts,
        lastAttemptAt: r.lastAttemptAt,
        lastResult: r.lastResult,
        remoteMta: r.remoteMta,
        notify: r.notify,
        orcpt: r.orcpt,
        nextAttemptAt: isPending(r) ? r.nextAttemptAt : null,
      })),
    };
  },
});

// Changes each named entry (or every entry); not-found for an unknown id.
async function each(store: Store, which: number[] | 'all', change: (e: QueueEntry, now: number) => QueueEntry | null): Promise<number[]> {
  const targets = which === 'all' ? store.queue.list().map((e) => e.id) : which;
  for (const id of targets) get(store, id);
  const now = Date.now();
  await Promise.all(targets.map((id) => store.queue.modify(id, (e) => change(e, now))));
  return targets;
}

const retry = method({
  offline: true,
  write: true,
  params: (raw) => ({ ids: ids(raw, true) }),
  run: async (ctx, p) => ({ ids: await each(ctx.store, p.ids, retryAll) }),
});

const del = method({
  offline: true,
  write: true,
  params: (raw) => ({ ids: ids(raw, false) as number[] }),
  run: async (ctx, p) => ({ ids: await each(ctx.store, p.ids, () => null) }),
});

const bounce = method({
  offline: true,
  write: true,
  params: (raw) => ({ ids: ids(raw, false) as number[] }),
  run: async (ctx, p) => ({ ids: await each(ctx.store, p.ids, bounceAll) }),
});

function describe(d: QueueDetail): string {
  const lines: string[] = [];
  const r = (k: string, v: string) => lines.push(`${k.padEnd(12)} ${v}`);
  r('id', String(d.id));
  r('sender', d.sender ? `<${d.sender}>` : '<> (a delivery status notification)');
  r('from', d.from ?? '-');
  r('subject', d.subject ?? '-');
  r('message-id', d.messageId ?? '-');
  r('arrived', date(d.arrivedAt));
  r('size', formatBytes(d.size));
  if (d.nextAttemptAt !== null) r('next try', date(d.nextAttemptAt));
  lines.push('');
  lines.push(
    table(
      ['RECIPIENT', 'STATE', 'TRIES', 'LAST RESULT'],
      d.recipientStates.map((x) => [x.address, x.state, String(x.attempts), (x.lastResult ?? '-') + (x.remoteMta ? ` (${x.remoteMta})` : '')]),
    ).trimEnd(),
  );
  return `${lines.join('\n')}\n`;
}

const idsText = (verb: string) => (res: { ids: number[] }) => (res.ids.length ? `${verb} ${res.ids.join(', ')}\n` : 'the queue is empty\n');

export const queueGroup: CommandGroup = {
  name: 'queue',
  summary: 'the outbound mail queue',
  entries: [
    entry('list', list, {
      summary: 'list the messages waiting for delivery',
      text: (rows) =>
        rows.length === 0
          ? 'the queue is empty\n'
          : table(
              ['ID', 'ARRIVED', 'SIZE', 'SENDER', 'PENDING', 'NEXT TRY', 'SUBJECT'],
              rows.map((q) => [
                String(q.id),
                date(q.arrivedAt),
                formatBytes(q.size),
                q.sender || '<>',
                `${q.pending}/${q.recipients}`,
                q.nextAttemptAt === null ? '-' : date(q.nextAttemptAt),
                (q.subject ?? '').slice(0, 60),
              ]),
            ),
    }),
    entry('show', show, { summary: "show a queued message and each recipient's state", args: ['id'], text: describe }),
    entry('retry', retry, {
      summary: 'try the pending recipients now (ID... or all)',
      args: ['ids...'],
      text: idsText('retrying'),
    }),
    entry('delete', del, {
      summary: 'remove messages from the queue without notifying their senders',
      args: ['ids...'],
      confirm: (p) =>
        `Delete queued message${Array.isArray(p.ids) && p.ids.length > 1 ? 's' : ''} ${Array.isArray(p.ids) ? p.ids.join(', ') : String(p.ids)} without notice to the sender?`,
      text: idsText('deleted'),
    }),
    entry('bounce', bounce, {
      summary: 'give up on the pending recipients now and return the messages to their senders',
      args: ['ids...'],
      confirm: (p) =>
        `Return queued message${Array.isArray(p.ids) && p.ids.length > 1 ? 's' : ''} ${Array.isArray(p.ids) ? p.ids.join(', ') : String(p.ids)} to the sender?`,
      text: idsText('bounced'),
    }),
  ],
};
