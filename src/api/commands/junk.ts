// `homepost junk stats|train|reset|not-junk`: each account's junk filter (src/junk, docs/junk.md).
// Its counts live in the daemon's memory, so every method needs the running daemon (and only
// types are imported from src/junk: the CLI loads this file before it opens any store).
import type { JunkDecision } from '../../junk/decisions.ts';
import type { JunkCounts } from '../../junk/service.ts';
import type { AccountInfo, MailboxRecord } from '../../store/index.ts';
import { INBOX } from '../../store/mailboxes.ts';
import { formatBytes } from '../../settings/units.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, type ApiContext, flag, method, optStr, type Params, requireAccount, str } from '../method.ts';
import { date, table } from '../text.ts';

export interface JunkStats {
  address: string;
  // The account's Junk mailbox (special-use \Junk) and the messages in it; null without one.
  junkMailbox: string | null;
  inJunk: number;
  counts: JunkCounts;
  // The last decisions at delivery, newest first.
  decisions: readonly JunkDecision[];
}

function mailbox(ctx: ApiContext, a: AccountInfo, name: string): MailboxRecord {
  const mb = ctx.store.mailboxes.get(a.id, name);
  if (!mb || mb.noSelect) throw new ApiError('not-found', `${a.address} has no mailbox ${name}`);
  return mb;
}

const junkService = (ctx: ApiContext) => ctx.daemon!.junk;

function statsOf(ctx: ApiContext, a: AccountInfo): JunkStats {
  const service = junkService(ctx);
  const junk = service.junkMailbox(a.id);
  return {
    address: a.address,
    junkMailbox: junk?.name ?? null,
    inJunk: junk?.count ?? 0,
    counts: service.counts(a.id),
    decisions: service.recentDecisions(a.id),
  };
}

// UIDs as numbers (the page) or as typed (the CLI); none: every message of the mailbox.
function uids(raw: Params): number[] {
  const v = raw.uids ?? [];
  if (!Array.isArray(v)) throw new ApiError('bad-request', 'uids must be a list');
  return v.map((x) => {
    const n = typeof x === 'number' ? x : /^\d+$/.test(String(x)) ? Number(x) : Number.NaN;
    if (!Number.isSafeInteger(n) || n <= 0) throw new ApiError('bad-request', `not a UID: ${String(x)}`);
    return n;
  });
}

const stats = method({
  offline: false,
  write: false,
  params: (raw) => ({ address: optStr(raw, 'address') }),
  run: (ctx, p): JunkStats[] => (p.address ? [requireAccount(ctx, p.address)] : ctx.store.accounts.list()).map((a) => statsOf(ctx, a)),
});

// Trains from a mailbox's messages (an existing Junk folder after an import), as the user's moves
// would: spam or ham, each body once.
const train = method({
  offline: false,
  write: true,
  params: (raw) => {
    const p = { address: str(raw, 'address'), mailbox: str(raw, 'mailbox'), spam: flag(raw, 'spam'), ham: flag(raw, 'ham'), uids: uids(raw) };
    if (p.spam === p.ham) throw new ApiError('bad-request', 'train as spam or as ham: one of the two');
    return p;
  },
  run: async (ctx, p): Promise<JunkStats> => {
    const a = requireAccount(ctx, p.address);
    const mb = mailbox(ctx, a, p.mailbox);
    const list = p.uids.length ? p.uids : ctx.store.messages.list(mb.id).map((m) => m.uid);
    await junkService(ctx).train(a.id, mb.id, list, p.spam);
    return statsOf(ctx, a);
  },
});

const reset = method({
  offline: false,
  write: true,
  params: (raw) => ({ address: str(raw, 'address') }),
  run: async (ctx, p): Promise<JunkStats> => {
    const a = requireAccount(ctx, p.address);
    await junkService(ctx).reset(a.id);
    return statsOf(ctx, a);
  },
});

export interface NotJunkResult {
  address: string;
  uid: number; // in INBOX
  counts: JunkCounts;
}

// A message of the Junk mailbox back to INBOX: a move out of Junk, which trains it as ham and
// gives it $NotJunk (src/junk/service.ts), done before this answers.
const notJunk = method({
  offline: false,
  write: true,
  params: (raw) => ({ address: str(raw, 'address'), uid: uids({ uids: [raw.uid] })[0] }),
  run: async (ctx, p): Promise<NotJunkResult> => {
    const a = requireAccount(ctx, p.address);
    const junk = junkService(ctx).junkMailbox(a.id);
    if (!junk || !ctx.store.messages.get(junk.id, p.uid)) throw new ApiError('not-found', `${a.address} has no message ${p.uid} in Junk`);
    const inbox = mailbox(ctx, a, INBOX);
    const { map } = await ctx.store.messages.move({ from: junk.id, uids: [p.uid], to: inbox.id });
    const uid = map[0][1];
    // The move's own training is queued already; this waits for it (a body is trained once).
    await junkService(ctx).train(a.id, inbox.id, [uid], false);
    return { address: a.address, uid, counts: junkService(ctx).counts(a.id) };
  },
});

function describeCounts(c: JunkCounts): string {
  return `trained on ${c.spam} spam and ${c.ham} ham; ${c.tokens} tokens (${formatBytes(c.bytes)} in memory)`;
}

function describeStats(list: JunkStats[]): string {
  return list
    .map((s) => {
      const head = `${s.address}: ${s.junkMailbox ? `${s.inJunk} in ${s.junkMailbox}` : 'no Junk mailbox'}; ${describeCounts(s.counts)}\n`;
      const rows = s.decisions.map((d) => [
        date(d.at),
        d.rule,
        d.score.toFixed(4),
        d.uid === null ? `${d.mailbox} (gone)` : `${d.mailbox} ${d.uid}`,
        d.subject ?? '',
        d.reasons
          .slice(0, 3)
          .map((r) => r.token)
          .join(' '),
      ]);
      return head + table(['TIME', 'RULE', 'SCORE', 'WHERE', 'SUBJECT', 'REASONS'], rows);
    })
    .join('\n');
}

export const junkGroup: CommandGroup = {
  name: 'junk',
  summary: "each account's junk filter: what it decided, training it, starting over",
  entries: [
    entry('stats', stats, {
      summary: "per account: the messages in Junk, the filter's counts and its last decisions with their reasons",
      args: ['[address]'],
      text: (r) => (r.length ? describeStats(r) : 'no accounts yet\n'),
    }),
    entry('train', train, {
      summary: "train the account's filter with a mailbox's messages (all of them, or these UIDs) as spam or as ham",
      args: ['address', 'mailbox', '[uids...]'],
      options: [
        { flag: '--spam', param: 'spam', kind: 'boolean', help: 'the messages are junk' },
        { flag: '--ham', param: 'ham', kind: 'boolean', help: 'the messages are wanted mail' },
      ],
      text: (s) => `${s.address}: ${describeCounts(s.counts)}\n`,
    }),
    entry('reset', reset, {
      summary: "forget everything the account's filter learnt (its counts and which messages trained it)",
      args: ['address'],
      confirm: (p) => `Forget everything the junk filter of ${String(p.address)} learnt?`,
      text: (s) => `${s.address}: ${describeCounts(s.counts)}\n`,
    }),
    entry('not-junk', notJunk, {
      summary: 'move a message from Junk back to INBOX and train the filter that it is wanted mail',
      args: ['address', 'uid'],
      text: (r) => `moved to INBOX as UID ${r.uid}; ${describeCounts(r.counts)}\n`,
    }),
  ],
};
