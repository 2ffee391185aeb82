// The DATA stage: the received bytes (in a MessageBuffer, src/memory) become the stored or queued
// message. The message is prepared in a worker thread (incoming.ts: header bounds, trace fields,
// inbound checks, hash and parse), the DATA rules (policy/) decide, then delivery (delivery.ts);
// each local account's junk filter files mail from the internet (src/junk/filing.ts); the reply is
// the store's answer, sent only once its commit is on disk.
import type { SMTPServerSession } from 'smtp-server';
import type { Logger } from '../log/log.ts';
import { DEFAULT_HEADER_LIMITS } from '../mime/header-limits.ts';
import { MessageBuffer } from '../memory/message-buffer.ts';
import { shiftParsed } from '../mime/shift.ts';
import type { JobOutput } from '../offload/jobs.ts';
import { JobError, type WorkerPool } from '../offload/pool.ts';
import type { Store } from '../store/index.ts';
import { fileByJunk, type JunkService, type SenderSignals } from '../junk/index.ts';
import { type FiledMessage, junkCopies } from './junk-copies.ts';
import { deliver, type DsnRequest, type StoredMessage } from './delivery.ts';
import { withSignal, type DnsResolve } from '../smtp/dns.ts';
import type { PreparedCopy } from '../smtp/incoming.ts';
import { dmarcAuthor } from './policy/alignment.ts';
import { DATA_RULES } from './policy/index.ts';
import { runStage } from './policy/runner.ts';
import type { JunkMark, Recipient, SmtpContext } from './policy/types.ts';
import { REPLIES, verdictReply, type SmtpReply } from './reply.ts';

export interface DataStage {
  ctx: SmtpContext;
  session: SMTPServerSession;
  message: MessageBuffer;
  store: Store;
  offload: WorkerPool;
  junk: JunkService;
  hostname: string;
  resolve: DnsResolve;
  log: Logger;
}

export async function receiveMessage(o: DataStage): Promise<SmtpReply> {
  const { ctx, session } = o;
  const t = ctx.transaction;
  const sender = t.sender?.kind === 'mailbox' ? t.sender.mailbox.address : '';
  const envelope = session.envelope;
  // Inbound checks run on mail from the internet: not for authenticated or trusted clients.
  const inbound = ctx.session.listener === 'mx' && !ctx.session.account && !ctx.session.trusted;
  const local = t.recipients.some((r) => r.local.length > 0);
  const external = t.recipients.some((r) => r.external.length > 0);
  const deadlineMs = ctx.settings.commandTimeoutMs;
  let prepared: JobOutput<'prepare'>;
  try {
    prepared = await o.offload.run(
      'prepare',
      {
        buffer: o.message.lend(),
        start: MessageBuffer.HEADROOM,
        end: MessageBuffer.HEADROOM + o.message.size,
        limits: DEFAULT_HEADER_LIMITS,
        submission: ctx.session.account !== null ? { hostname: o.hostname, date: Date.now() } : null,
        inbound: inbound ? { ip: session.remoteAddress, helo: session.hostNameAppearsAs || '', sender, authservId: o.hostname } : null,
        received: {
          helo: session.hostNameAppearsAs || '',
          remoteAddress: session.remoteAddress,
          hostname: o.hostname,
          protocol: protocolName(session, Boolean(envelope.smtpUtf8)),
          tls: session.secure && session.tlsOptions ? `${session.tlsOptions.version} ${session.tlsOptions.name}` : null,
          id: `${session.id}.${session.transaction}`,
          recipient: t.recipients.length === 1 ? t.recipients[0]!.mailbox.address : null,
          date: new Date(),
        },
        returnPath: local ? sender : null,
        // Local recipients that fail (a full mailbox) wait in the queue, without Return-Path.
        transit: local || external,
      },
      // The checks' DNS ends at the session's deadline; the job itself gets a little longer.
      { deadlineMs: deadlineMs + 5000, dns: withSignal(o.resolve, AbortSignal.timeout(deadlineMs)), transfer: [o.message.lend()] },
    );
  } catch (e) {
    return jobFailureReply(e, o.log, session.id);
  }
  o.message.adopt(prepared.buffer);
  if (!prepared.ok) {
    o.log.info('smtp.refused_message', { session: session.id, reason: prepared.refusal, size: o.message.size });
    return prepared.refusal === 'header-too-large' ? REPLIES.headerTooLarge : REPLIES.headerTooManyLines;
  }
  const auth = prepared.auth;
  if (inbound) {
    t.results.push(
      auth
        ? { rule: 'inbound-auth', outcome: 'next', reason: `spf=${auth.spf} dkim=${auth.dkim} dmarc=${auth.dmarc}` }
        : { rule: 'inbound-auth', outcome: 'skip', reason: `error: ${prepared.authError}` },
    );
  } else {
    t.results.push({ rule: 'inbound-auth', outcome: 'skip', reason: ctx.session.account ? 'authenticated' : 'trusted client' });
  }
  const message = { size: prepared.size, from: prepared.from, sender: prepared.sender, resentFrom: prepared.resentFrom, auth };
  const v = await runStage(DATA_RULES, ctx, { message }, deadlineMs);
  const refused = verdictReply(v);
  const final = stored(o.message, prepared.final, null);
  const transit = stored(o.message, prepared.transit, prepared.final);
  const localIds = [...new Set(t.recipients.flatMap((r) => r.local))];
  // The junk filter judges mail from the internet only, never an account's own (submission).
  const signals = { ...senderSignals(t.junk), author: dmarcAuthor(message) };
  const copies = !refused && inbound && final && transit && localIds.length ? await fileForJunk(o, final, transit, localIds, signals) : null;
  // The account's correspondents are written in the same turn as the delivery's writes, so in
  // its commit (docs/store.md): no commit of their own.
  if (!refused && ctx.session.account) recordSent(o, ctx.session.account.id, t.recipients);
  const result = refused
    ? { ok: false as const, reply: refused }
    : await deliver(o.store, {
        final,
        transit,
        sender,
        local: t.recipients.flatMap((r) => r.local.map((accountId) => ({ accountId, ...dsnOf(r) }))),
        external: t.recipients.flatMap((r) => r.external.map((address) => ({ address, ...dsnOf(r, address) }))),
        accountId: ctx.session.account?.id ?? null,
        smtpUtf8: Boolean(envelope.smtpUtf8),
        bodyType: envelope.bodyType === '8bitmime' ? '8bitmime' : '7bit',
        envid: t.dsn?.envid ?? null,
        ret: t.dsn?.ret ?? null,
        quotaReply: ctx.settings.quotaReply,
        inbound,
        senderMarks: { junkRule: signals.junkRule, points: signals.points, author: signals.author },
        copies,
        hostname: o.hostname,
        log: o.log,
      });
  // One line per message: the rule that decided (null: none refused it), every rule's outcome
  // (Haraka's transaction results), and the junk marks delivery files the message by.
  o.log.info('smtp.message', {
    session: session.id,
    size: prepared.size,
    recipients: t.recipients.length,
    reply: `${result.reply.code} ${result.reply.enhanced}`,
    rule: v.rule,
    queueId: result.ok ? result.queueId : null,
    results: t.results,
    junk: t.junk,
  });
  return result.reply;
}

// Each local account's copy as its junk filter files it; null (INBOX, as the message is) when a
// worker failed: the mail is delivered, unfiled, rather than refused.
async function fileForJunk(
  o: DataStage,
  final: StoredMessage,
  transit: StoredMessage,
  accountIds: number[],
  signals: SenderSignals,
): Promise<FiledMessage[] | null> {
  const log = o.log.child({ session: o.session.id });
  const filings = await fileByJunk(o.store, o.junk, accountIds, final.raw, log, signals);
  if (!filings) return null;
  try {
    const copies = await junkCopies(o.offload, final, transit, accountIds, filings);
    for (const c of copies) for (const t of c.targets) o.junk.expect(t.accountId, c.message.body.hash, filings.get(t.accountId)!.verdict);
    return copies;
  } catch (e) {
    log.warn('junk.copy_failed', { error: e as Error });
    return null;
  }
}

// The account's correspondents (src/junk/reputation.ts) as it submits a message: not waited for
// (losing it loses reputation, never mail).
function recordSent(o: DataStage, accountId: number, recipients: readonly Recipient[]): void {
  const addresses = recipients.map((r) => r.mailbox.address.toLowerCase());
  o.store.reputation
    .recordSent(accountId, addresses)
    .catch((e: unknown) => o.log.warn('junk.correspondents_failed', { session: o.session.id, error: e as Error }));
}

// The SMTP-time checks' marks (policy/types.ts JunkMark) as the filter takes them.
function senderSignals(marks: readonly JunkMark[]): SenderSignals {
  let points = 0;
  for (const m of marks) if (m.kind === 'score') points += m.points;
  return { junkRule: marks.find((m) => m.kind === 'junk')?.rule ?? null, points };
}

// A copy the worker prepared, as the store takes it: a view of the message's buffer, no copy. A
// copy without its parse is the final one less its Return-Path.
function stored(buffer: MessageBuffer, copy: PreparedCopy | null, final: PreparedCopy | null): StoredMessage | null {
  if (!copy) return null;
  const parsed = copy.parsed ?? shiftParsed(final!.parsed!, final!.start - copy.start);
  return { raw: buffer.view(copy.start, copy.end), body: { hash: Buffer.from(copy.hash), parsed } };
}

// A worker that ran out of time or memory on this message: the client hears why, every other
// session went on (src/offload).
function jobFailureReply(e: unknown, log: Logger, session: string): SmtpReply {
  const reason = e instanceof JobError ? e.reason : 'failed';
  log.warn('smtp.check_failed', { session, reason, error: e as Error });
  switch (reason) {
    case 'memory':
      return REPLIES.tooComplex;
    case 'timeout':
      return REPLIES.checkTimeout;
    case 'closed':
      return REPLIES.shuttingDown;
    default:
      return REPLIES.localError;
  }
}

// RFC 3461 4.1, 4.2: a recipient's NOTIFY and ORCPT travel with each address it expands to; an
// alias target that was not named at RCPT gets the RCPT address as its ORCPT, so a notice names
// the address the sender used.
function dsnOf(r: Recipient, target?: string): DsnRequest {
  const given = r.mailbox.address;
  const orcpt =
    r.dsn?.orcpt ??
    (target !== undefined && target.toLowerCase() !== given.toLowerCase() ? `${/[^\x00-\x7f]/.test(given) ? 'utf-8' : 'rfc822'};${given}` : null);
  return { notify: r.dsn?.notify ?? null, orcpt };
}

// RFC 3848 and RFC 6531 3.7.3: the "with" protocol of the Received field.
function protocolName(session: SMTPServerSession, utf8: boolean): string {
  const base = utf8 ? 'UTF8SMTP' : session.openingCommand === 'HELO' ? 'SMTP' : 'ESMTP';
  return base + (session.secure ? 'S' : '') + (session.user ? 'A' : '');
}
