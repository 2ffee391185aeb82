// The DATA stage: the received bytes become the stored or queued message. Trace fields and
// inbound checks (incoming.ts), the DATA rules (policy/), then delivery (delivery.ts); the reply
// is the store's answer, sent only once its commit is on disk.
import type { SMTPServerSession } from 'smtp-server';
import type { Logger } from '../log/log.ts';
import type { Store } from '../store/index.ts';
import { checkInbound } from './auth-results.ts';
import { deliver, type DsnRequest } from './delivery.ts';
import type { DnsResolve } from './dns.ts';
import { prepareMessage } from './incoming.ts';
import { DATA_RULES } from './policy/index.ts';
import { runStage } from './policy/runner.ts';
import type { Recipient, SmtpContext } from './policy/types.ts';
import { verdictReply, type SmtpReply } from './reply.ts';

export interface DataStage {
  ctx: SmtpContext;
  session: SMTPServerSession;
  input: Buffer;
  store: Store;
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
  const prepared = await prepareMessage(o.input, {
    hostname: o.hostname,
    submission: ctx.session.account !== null,
    received: {
      helo: session.hostNameAppearsAs || '',
      remoteAddress: session.remoteAddress,
      hostname: o.hostname,
      protocol: protocolName(session, Boolean(envelope.smtpUtf8)),
      tls: session.secure && session.tlsOptions ? `${session.tlsOptions.version} ${session.tlsOptions.name}` : null,
      id: `${session.id}.${session.transaction}`,
      recipient: t.recipients.length === 1 ? t.recipients[0].mailbox.address : null,
      date: new Date(),
    },
    check: inbound
      ? (raw, signal) =>
          checkInbound(raw, { ip: session.remoteAddress, helo: session.hostNameAppearsAs || '', sender, hostname: o.hostname, resolve: o.resolve, signal })
      : null,
    deadlineMs: ctx.settings.commandTimeoutMs,
  });
  t.results.push(...prepared.results);
  const v = await runStage(DATA_RULES, ctx, { message: prepared.message }, ctx.settings.commandTimeoutMs);
  const refused = verdictReply(v);
  const result = refused
    ? { ok: false as const, reply: refused }
    : await deliver(o.store, {
        raw: prepared.raw,
        sender,
        local: t.recipients.flatMap((r) => r.local.map((accountId) => ({ accountId, ...dsnOf(r) }))),
        external: t.recipients.flatMap((r) => r.external.map((address) => ({ address, ...dsnOf(r, address) }))),
        accountId: ctx.session.account?.id ?? null,
        smtpUtf8: Boolean(envelope.smtpUtf8),
        bodyType: envelope.bodyType === '8bitmime' ? '8bitmime' : '7bit',
        envid: t.dsn?.envid ?? null,
        ret: t.dsn?.ret ?? null,
        quotaReply: ctx.settings.quotaReply,
        hostname: o.hostname,
        log: o.log,
      });
  // One line per message, with every rule's decision (Haraka's transaction results).
  o.log.info('smtp.message', {
    session: session.id,
    size: prepared.raw.length,
    recipients: t.recipients.length,
    reply: `${result.reply.code} ${result.reply.enhanced}`,
    queueId: result.ok ? result.queueId : null,
    results: t.results,
  });
  return result.reply;
}

// RFC 3461 4.1, 4.2: a recipient's NOTIFY and ORCPT travel with each address it expands to; an
// alias target that was not named at RCPT gets the RCPT address as its ORCPT, so a notice names
// the address the sender used.
function dsnOf(r: Recipient, target?: string): DsnRequest {
  const given = r.mailbox.address;
  const orcpt = r.dsn?.orcpt ?? (target !== undefined && target.toLowerCase() !== given.toLowerCase() ? `${/[^\x00-\x7f]/.test(given) ? 'utf-8' : 'rfc822'};${given}` : null);
  return { notify: r.dsn?.notify ?? null, orcpt };
}

// RFC 3848 and RFC 6531 3.7.3: the "with" protocol of the Received field.
function protocolName(session: SMTPServerSession, utf8: boolean): string {
  const base = utf8 ? 'UTF8SMTP' : session.openingCommand === 'HELO' ? 'SMTP' : 'ESMTP';
  return base + (session.secure ? 'S' : '') + (session.user ? 'A' : '');
}
