// One SMTP listener's session handlers (after Haraka's connection core): smtp-server speaks the
// protocol and calls these at connect, AUTH, MAIL, RCPT and DATA; each stage runs its policy rules
// (policy/) and turns the deciding verdict into the reply (reply.ts). Per-connection state lives
// in SmtpSession, keyed by the library's session id.
import type { SMTPServerAuthentication, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import { passwordsAllowed, type LoginGate } from '../auth/login.ts';
import type { Logger } from '../log/log.ts';
import type { MemoryBudget } from '../memory/budget.ts';
import { countReceived } from '../memory/collect.ts';
import { MessageBuffer } from '../memory/message-buffer.ts';
import type { JunkService } from '../junk/index.ts';
import type { WorkerPool } from '../offload/pool.ts';
import type { Store } from '../store/index.ts';
import { inNetworks } from '../smtp/cidr.ts';
import type { ParsedCommand } from './connection.ts';
import { receiveMessage } from './data.ts';
import type { DnsResolve } from '../smtp/dns.ts';
import { MAIL_RULES, rcptRules } from './policy/index.ts';
import { asciiHostname, postmasterMailbox, resolveRecipient } from './postmaster.ts';
import { srsReverse } from '../queue/srs.ts';
import { RELAY_DENIED } from './policy/rcpt.deny.ts';
import { runStage } from './policy/runner.ts';
import type { Directory, ListenerKind, Recipient, SessionInfo, SmtpContext, Transaction } from './policy/types.ts';
import { REPLIES, replyError, verdictReply, type SmtpReply } from './reply.ts';
import { readSmtpSettings, type SmtpSettings } from '../smtp/settings.ts';
import type { ClientLookups, ReputationCache } from '../smtp/reputation/lookups.ts';
import { prefetch } from './reputation.ts';
import { checkPassword } from '../auth/verify.ts';

type Callback = (err?: Error | null) => void;

export interface SessionDeps {
  listener: ListenerKind;
  store: Store;
  logins: LoginGate;
  dev: boolean;
  hostname: string;
  resolve: (settings: SmtpSettings) => DnsResolve;
  budget: MemoryBudget;
  offload: WorkerPool;
  // DNS about clients, shared by the service's listeners (reputation.ts).
  reputation: ReputationCache;
  junk: JunkService;
  log: Logger;
}

// 8 MB/s for each session sending what is thrown away.
const DISCARD_BYTES_PER_MS = 8 * 1024;

const MAIL_PARAMS = new Set(['SIZE', 'BODY', 'SMTPUTF8', 'AUTH', 'RET', 'ENVID']); // RFC 1870, 6152, 6531, 4954 5, 3461
const RCPT_PARAMS = new Set(['NOTIFY', 'ORCPT']); // RFC 3461 4.1, 4.2

export function storeDirectory(store: Store, hostname: string): Directory {
  return {
    isLocalDomain: (d) => store.domains.isLocal(d),
    hostname: asciiHostname(hostname),
    // A bounce to an SRS address we issued goes back to the original sender (queue/srs.ts).
    resolve: (a) => {
      const original = srsReverse(store, a);
      return original ? { accounts: [], external: [original] } : resolveRecipient(store, hostname, a);
    },
    ownAddresses: (id) => store.aliases.ownAddresses(id),
    usage: (id) => store.accounts.quotaUsage(id),
    greylist: (triplet, delayMs) => store.greylist.attempt(triplet, delayMs),
  };
}

const noTransaction = (): Transaction => ({ sender: null, declaredSize: null, recipients: [], results: [], junk: [] });

class SmtpSession {
  readonly info: SessionInfo;
  readonly settings: SmtpSettings;
  readonly lookups: ClientLookups;
  transaction: Transaction = noTransaction();

  constructor(info: SessionInfo, settings: SmtpSettings, lookups: ClientLookups) {
    this.info = info;
    this.settings = settings;
    this.lookups = lookups;
  }
}

export class SessionHandlers {
  private d: SessionDeps;
  private directory: Directory;
  private sessions = new Map<string, SmtpSession>();
  // Work that reads or writes the store; the listener's close waits for it before the store may
  // close. Once closing, nothing new touches the store (a socket accepted just before the close
  // would otherwise start its session on a closed LMDB environment).
  private inflight = new Set<Promise<unknown>>();
  closing = false;

  constructor(deps: SessionDeps) {
    this.d = deps;
    this.directory = storeDirectory(deps.store, deps.hostname);
  }

  async drain(): Promise<void> {
    this.closing = true;
    await Promise.allSettled([...this.inflight]);
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inflight.add(p);
    const done = () => this.inflight.delete(p);
    p.then(done, done);
    return p;
  }

  // May this client authenticate: never on the MX port; after TLS; in development also in
  // plaintext from loopback (docs/architecture.md, "Security model").
  authAllowed(c: { secure: boolean; remoteAddress: string }): boolean {
    if (this.d.listener === 'mx') return false;
    return passwordsAllowed({ ...c, dev: this.d.dev });
  }

  private context(s: SmtpSession): SmtpContext {
    return { session: s.info, settings: s.settings, directory: this.directory, lookups: s.lookups, transaction: s.transaction };
  }

  onConnect(session: SMTPServerSession, cb: Callback): void {
    if (this.closing) {
      cb(replyError(REPLIES.shuttingDown));
      return;
    }
    const settings = readSmtpSettings(this.d.store.settings, this.d.dev);
    const remote = session.remoteAddress;
    const trusted = inNetworks(settings.trustedNetworks, remote);
    const s = new SmtpSession(
      { id: session.id, listener: this.d.listener, remoteAddress: remote, secure: session.secure, helo: '', account: null, trusted },
      settings,
      this.d.reputation.bind(this.d.resolve(settings)),
    );
    this.sessions.set(session.id, s);
    // The MX port never offers AUTH: an untrusted client there is one the rules will check.
    if (this.d.listener === 'mx' && !trusted) prefetch(s.lookups, settings, remote);
    this.d.log.debug('smtp.connect', { session: session.id, listener: this.d.listener, remote, trusted, tls: session.secure });
    cb();
  }

  onSecure(session: SMTPServerSession, cb: Callback): void {
    const s = this.sessions.get(session.id);
    if (s) {
      // RFC 3207 4.2: what was learnt before TLS (an identity, a transaction) is forgotten.
      s.info.secure = true;
      s.info.account = null;
      s.transaction = noTransaction();
    }
    cb();
  }

  onClose(session: SMTPServerSession): void {
    const s = this.sessions.get(session.id);
    if (!s) return;
    this.sessions.delete(session.id);
    this.d.log.debug('smtp.close', { session: session.id });
  }

  // RFC 4954 AUTH through the one login path (src/auth/login.ts): delays after a few failures,
  // then 454 4.7.0 while the account is locked, and 421 4.7.0 (closing) while the client is.
  onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession, cb: (err: Error | null, res?: { user: string }) => void): void {
    void this.track(this.auth(auth, session, cb));
  }

  private async auth(auth: SMTPServerAuthentication, session: SMTPServerSession, cb: (err: Error | null, res?: { user: string }) => void): Promise<void> {
    const s = this.sessions.get(session.id);
    if (!s) return cb(replyError(REPLIES.localError));
    if (!this.authAllowed({ secure: session.secure, remoteAddress: session.remoteAddress })) return cb(replyError(REPLIES.encryptionRequired));
    // RFC 4616 2: an authorization identity other than the authentication identity would mean
    // acting as someone else, which homepost does not offer.
    const proxied = auth.method === 'PLAIN' && auth.authzid && auth.authcid && auth.authzid !== auth.authcid;
    const result = await this.d.logins.login({
      protocol: 'smtp',
      remote: session.remoteAddress,
      user: auth.username ?? '',
      mechanism: auth.method,
      check: () => (proxied ? null : checkPassword(this.d.store.accounts, auth.username ?? '', auth.password ?? '')),
      log: this.d.log.child({ session: session.id }),
    });
    if (!result.ok && result.reason === 'locked') {
      // 421 closes the connection of a client that is locked out; an account locked by others
      // gets 454 4.7.0 (RFC 4954 6) and may try another.
      return cb(replyError(result.scope === 'address' ? { ...REPLIES.authLocked, code: 421 } : REPLIES.authLocked));
    }
    if (!result.ok) return cb(replyError(REPLIES.authFailed));
    const account = result.value;
    s.info.account = { id: account.id, address: account.address };
    cb(null, { user: account.address });
  }

  onMailFrom(parsed: ParsedCommand, session: SMTPServerSession, cb: Callback): void {
    void this.track(this.mail(parsed, session, cb));
  }

  private async mail(parsed: ParsedCommand, session: SMTPServerSession, cb: Callback): Promise<void> {
    const s = this.sessions.get(session.id);
    if (!s) return cb(replyError(REPLIES.localError));
    s.info.helo = session.hostNameAppearsAs || '';
    s.info.secure = session.secure;
    const unknown = Object.keys(parsed.params).find((k) => !MAIL_PARAMS.has(k));
    if (unknown) return cb(replyError({ ...REPLIES.unknownParameter, text: `${REPLIES.unknownParameter.text}: ${unknown}` }));
    const size = typeof parsed.params.SIZE === 'string' ? Number(parsed.params.SIZE) : null;
    // RFC 1870 6.1: a declared size that cannot be held now is refused for now.
    if (size !== null && size <= s.settings.maxMessageSize && size > this.d.budget.available) return cb(replyError(REPLIES.noMemory));
    s.transaction = { ...noTransaction(), sender: parsed.path, declaredSize: size, dsn: { ret: parsed.dsnParams.ret, envid: parsed.dsnParams.envid } };
    const v = await runStage(MAIL_RULES, this.context(s), { sender: parsed.path }, s.settings.commandTimeoutMs);
    this.answer(s, 'mail', v, cb);
  }

  onRcptTo(parsed: ParsedCommand, session: SMTPServerSession, cb: Callback): void {
    void this.track(this.rcpt(parsed, session, cb));
  }

  private async rcpt(parsed: ParsedCommand, session: SMTPServerSession, cb: Callback): Promise<void> {
    const s = this.sessions.get(session.id);
    if (!s) return cb(replyError(REPLIES.localError));
    const unknown = Object.keys(parsed.params).find((k) => !RCPT_PARAMS.has(k));
    if (unknown) return cb(replyError({ ...REPLIES.unknownParameter, text: `${REPLIES.unknownParameter.text}: ${unknown}` }));
    const mailbox = parsed.path.kind === 'mailbox' ? parsed.path.mailbox : postmasterMailbox(this.d.store, this.d.hostname);
    if (!mailbox) return cb(replyError(REPLIES.noSuchUser));
    const recipient: Recipient = { mailbox, local: [], external: [], dsn: { notify: parsed.dsnParams.notify, orcpt: parsed.dsnParams.orcpt } };
    const rules = rcptRules(s.settings.relayRules, (name) => this.d.log.error('smtp.unknown_rule', { rule: name }));
    const v = await runStage(rules, this.context(s), { recipient }, s.settings.commandTimeoutMs);
    if (v.verdict === 'accept') {
      const key = mailbox.address.toLowerCase();
      s.transaction.recipients = s.transaction.recipients.filter((r) => r.mailbox.address.toLowerCase() !== key);
      s.transaction.recipients.push(recipient);
    }
    this.answer(s, 'rcpt', v.verdict === 'next' ? { ...RELAY_DENIED, rule: null } : v, cb);
  }

  // The message goes into one MessageBuffer as it arrives, bare LFs made CRLF on the way, charged
  // to the memory budget shared by every session: nothing is held twice. Over the maximum size
  // or the budget, the rest is read and dropped, and the end of DATA gets 552 5.3.4 or 452 4.3.1.
  onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void): void {
    const s = this.sessions.get(session.id);
    const buffer = new MessageBuffer(this.d.budget, s?.settings.maxMessageSize ?? 0, { normalize: true, expected: s?.transaction.declaredSize });
    // One piece per turn of the event loop: a client streaming megabytes (smtp-server's parser
    // reads every byte) waits its turn with every other session instead of taking the loop. What
    // is past the size or the budget is read only to find the end of DATA, at DISCARD_RATE: every
    // piece read is memory until the next garbage collection.
    stream.on('data', (c: Buffer) => {
      countReceived(c.length);
      stream.pause();
      if (buffer.write(c) === 'ok') setImmediate(() => stream.resume());
      else setTimeout(() => stream.resume(), Math.ceil(c.length / DISCARD_BYTES_PER_MS));
    });
    stream.on('error', () => buffer.release());
    stream.on('end', () => {
      // Over SIZE: smtp-server (rejectOversized) answers 552 5.3.4 whatever is said here.
      if (stream.sizeExceeded) {
        buffer.release();
        cb();
        return;
      }
      if (buffer.status !== 'ok') {
        buffer.release();
        this.d.log.warn('smtp.message_dropped', { session: session.id, reason: buffer.status, budgetInUse: this.d.budget.inUse });
        return cb(replyError(buffer.status === 'too-big' ? REPLIES.messageTooBig : REPLIES.noMemory));
      }
      this.track(this.data(buffer, session))
        .then(
          (r) => (r.code < 300 ? cb(null, `${r.enhanced} ${r.text}`) : cb(replyError(r))),
          (e: unknown) => {
            this.d.log.error('smtp.data_failed', { session: session.id, error: e as Error });
            cb(replyError(REPLIES.localError));
          },
        )
        .finally(() => buffer.release());
    });
  }

  private async data(message: MessageBuffer, session: SMTPServerSession): Promise<SmtpReply> {
    const s = this.sessions.get(session.id);
    if (!s?.transaction.sender) return REPLIES.localError;
    return receiveMessage({
      ctx: this.context(s),
      session,
      message,
      store: this.d.store,
      offload: this.d.offload,
      junk: this.d.junk,
      hostname: this.d.hostname,
      resolve: this.d.resolve(s.settings),
      log: this.d.log,
    });
  }

  private answer(s: SmtpSession, stage: string, v: { verdict: string; rule: string | null } & Parameters<typeof verdictReply>[0], cb: Callback): void {
    this.log(s, stage, v.verdict, v.rule);
    const r = verdictReply(v);
    cb(r ? replyError(r) : null);
  }

  // A refusal is worth a line at info level: which rule decided and why.
  private log(s: SmtpSession, stage: string, verdict: string, rule: string | null): void {
    const last = s.transaction.results.at(-1);
    const level = verdict === 'reject' || verdict === 'tempfail' ? 'info' : 'debug';
    this.d.log[level]('smtp.policy', { session: s.info.id, stage, verdict, rule, reason: last?.reason, remote: s.info.remoteAddress });
  }
}
