// One SMTP listener's session handlers (Haraka's connection core, style.md): smtp-server speaks the
// protocol and calls these at connect, AUTH, MAIL, RCPT and DATA; each stage runs its policy rules
// (policy/) and turns the deciding verdict into the reply (reply.ts). Per-connection state lives
// in SmtpSession, keyed by the library's session id.
import type { SMTPServerAuthentication, SMTPServerDataStream, SMTPServerSession } from 'smtp-server';
import type { AuthThrottle } from '../auth/throttle.ts';
import type { Logger } from '../log/log.ts';
import type { ConnectionLimits, ConnectionTracker } from '../net/listener.ts';
import type { Store } from '../store/index.ts';
import type { Mailbox } from './address.ts';
import { parseMailbox } from './address.ts';
import { inNetworks } from './cidr.ts';
import type { ParsedCommand } from './connection.ts';
import { receiveMessage } from './data.ts';
import type { DnsResolve } from './dns.ts';
import { MAIL_RULES, rcptRules } from './policy/index.ts';
import { srsReverse } from './queue/srs.ts';
import { RELAY_DENIED } from './policy/rcpt.deny.ts';
import { runStage } from './policy/runner.ts';
import type { Directory, Listener, Recipient, SessionInfo, SmtpContext, Transaction } from './policy/types.ts';
import { REPLIES, replyError, verdictReply, type SmtpReply } from './reply.ts';
import { readSmtpSettings, type SmtpSettings } from './settings.ts';

type Callback = (err?: Error | null) => void;

export interface SessionDeps {
  listener: Listener;
  store: Store;
  throttle: () => AuthThrottle;
  dev: boolean;
  hostname: string;
  resolve: (settings: SmtpSettings) => DnsResolve;
  tracker: ConnectionTracker | null; // null: the listener counts connections itself
  limits: ConnectionLimits;
  log: Logger;
}

const MAIL_PARAMS = new Set(['SIZE', 'BODY', 'SMTPUTF8', 'AUTH', 'RET', 'ENVID']); // RFC 1870, 6152, 6531, 4954 5, 3461
const RCPT_PARAMS = new Set(['NOTIFY', 'ORCPT']); // RFC 3461 4.1, 4.2

export function isLoopback(ip: string): boolean {
  return ip === '::1' || ip.startsWith('127.') || ip.startsWith('::ffff:127.');
}

export function storeDirectory(store: Store): Directory {
  return {
    isLocalDomain: (d) => store.accounts.isLocalDomain(d),
    // A bounce to an SRS address we issued goes back to the original sender (queue/srs.ts).
    resolve: (a) => {
      const original = srsReverse(store, a);
      return original ? { accounts: [], external: [original] } : store.accounts.resolve(a);
    },
    ownAddresses: (id) => store.accounts.ownAddresses(id),
    usage: (id) => store.accounts.quotaUsage(id),
  };
}

class SmtpSession {
  readonly info: SessionInfo;
  readonly settings: SmtpSettings;
  transaction: Transaction = { sender: null, declaredSize: null, recipients: [], results: [] };
  acquired = false;

  constructor(info: SessionInfo, settings: SmtpSettings) {
    this.info = info;
    this.settings = settings;
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
    this.directory = storeDirectory(deps.store);
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
  // plaintext from loopback (design.md security model).
  authAllowed(c: { secure: boolean; remoteAddress: string }): boolean {
    if (this.d.listener === 'mx') return false;
    return c.secure || (this.d.dev && isLoopback(c.remoteAddress));
  }

  private context(s: SmtpSession): SmtpContext {
    return { session: s.info, settings: s.settings, directory: this.directory, transaction: s.transaction };
  }

  onConnect(session: SMTPServerSession, cb: Callback): void {
    if (this.closing) return cb(replyError(REPLIES.shuttingDown));
    const settings = readSmtpSettings(this.d.store.settings, this.d.dev);
    const remote = session.remoteAddress;
    const trusted = inNetworks(settings.trustedNetworks, remote);
    const s = new SmtpSession(
      { id: session.id, listener: this.d.listener, remoteAddress: remote, secure: session.secure, helo: '', account: null, trusted },
      settings,
    );
    this.sessions.set(session.id, s);
    // Trusted networks (a relay host, loopback in development) are exempt from the per-address
    // limit, as Postfix exempts $mynetworks; the total limit applies to everyone.
    this.d.limits.maxConnections = settings.maxConnections;
    this.d.limits.maxPerAddress = trusted ? settings.maxConnections : settings.maxConnectionsPerAddress;
    const verdict = this.d.tracker ? this.d.tracker.acquire(remote) : 'ok';
    // The same limits object serves the implicit TLS listener, which acquires before any session.
    this.d.limits.maxPerAddress = settings.maxConnectionsPerAddress;
    if (verdict !== 'ok') {
      this.d.log.warn('smtp.refused', { session: session.id, remote, reason: verdict });
      return cb(replyError(verdict === 'too-many' ? REPLIES.tooManyConnections : REPLIES.tooManyFromAddress));
    }
    s.acquired = this.d.tracker !== null;
    this.d.log.debug('smtp.connect', { session: session.id, listener: this.d.listener, remote, trusted, tls: session.secure });
    cb();
  }

  onSecure(session: SMTPServerSession, cb: Callback): void {
    const s = this.sessions.get(session.id);
    if (s) {
      // RFC 3207 4.2: what was learnt before TLS (an identity, a transaction) is forgotten.
      s.info.secure = true;
      s.info.account = null;
      s.transaction = { sender: null, declaredSize: null, recipients: [], results: [] };
    }
    cb();
  }

  onClose(session: SMTPServerSession): void {
    const s = this.sessions.get(session.id);
    if (!s) return;
    this.sessions.delete(session.id);
    if (s.acquired) this.d.tracker?.release(s.info.remoteAddress);
    this.d.log.debug('smtp.close', { session: session.id });
  }

  // RFC 4954 AUTH through the shared throttle: delays after a few failures, then 454 4.7.0 while
  // the account is locked, and 421 4.7.0 (closing) while the client address is.
  onAuth(auth: SMTPServerAuthentication, session: SMTPServerSession, cb: (err: Error | null, res?: { user: string }) => void): void {
    void this.track(this.auth(auth, session, cb));
  }

  private async auth(auth: SMTPServerAuthentication, session: SMTPServerSession, cb: (err: Error | null, res?: { user: string }) => void): Promise<void> {
    const s = this.sessions.get(session.id);
    if (!s) return cb(replyError(REPLIES.localError));
    if (!this.authAllowed({ secure: session.secure, remoteAddress: session.remoteAddress })) return cb(replyError(REPLIES.encryptionRequired));
    const user = auth.username ?? '';
    const remote = session.remoteAddress;
    const throttle = this.d.throttle();
    const gate = await throttle.gate(remote, user);
    if (!gate.allowed) {
      this.d.log.warn('smtp.auth_locked', { session: session.id, remote, scope: gate.scope });
      const r = gate.scope === 'address' ? { ...REPLIES.authLocked, code: 421 } : REPLIES.authLocked;
      return cb(replyError(r));
    }
    // RFC 4616 2: an authorization identity other than the authentication identity would mean
    // acting as someone else, which homepost does not offer.
    const proxied = auth.method === 'PLAIN' && auth.authzid && auth.authcid && auth.authzid !== auth.authcid;
    const account = proxied ? null : await this.d.store.accounts.authenticate(user, auth.password ?? '');
    if (!account) {
      throttle.failure(remote, user);
      this.d.log.info('smtp.auth_failed', { session: session.id, remote, user, method: auth.method });
      return cb(replyError(REPLIES.authFailed));
    }
    throttle.success(remote);
    s.info.account = { id: account.id, address: account.address };
    this.d.log.info('smtp.auth', { session: session.id, remote, user: account.address, method: auth.method });
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
    s.transaction = { sender: parsed.path, declaredSize: size, recipients: [], results: [], dsn: { ret: parsed.dsnParams.ret, envid: parsed.dsnParams.envid } };
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
    const mailbox = parsed.path.kind === 'mailbox' ? parsed.path.mailbox : this.postmaster();
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

  onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb: (err?: Error | null, message?: string) => void): void {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => {
      if (!stream.sizeExceeded) chunks.push(c);
    });
    stream.on('error', () => {});
    stream.on('end', () => {
      // Over SIZE: smtp-server (rejectOversized) answers 552 5.3.4 whatever is said here.
      if (stream.sizeExceeded) return cb();
      this.track(this.data(Buffer.concat(chunks), session)).then(
        (r) => (r.code < 300 ? cb(null, `${r.enhanced} ${r.text}`) : cb(replyError(r))),
        (e: unknown) => {
          this.d.log.error('smtp.data_failed', { session: session.id, error: e as Error });
          cb(replyError(REPLIES.localError));
        },
      );
    });
  }

  private async data(input: Buffer, session: SMTPServerSession): Promise<SmtpReply> {
    const s = this.sessions.get(session.id);
    if (!s || !s.transaction.sender) return REPLIES.localError;
    return receiveMessage({
      ctx: this.context(s),
      session,
      input,
      store: this.d.store,
      hostname: this.d.hostname,
      resolve: this.d.resolve(s.settings),
      log: this.d.log,
    });
  }

  // RFC 5321 4.1.1.3: <Postmaster> is the postmaster of the server's own domain.
  private postmaster(): Mailbox | null {
    const domains = this.d.store.accounts.listDomains().map((d) => d.name);
    const own = domains.find((d) => this.d.hostname === d || this.d.hostname.endsWith('.' + d)) ?? domains[0];
    return own ? parseMailbox(`postmaster@${own}`, false) : null;
  }

  private answer(s: SmtpSession, stage: string, v: { verdict: string; rule: string | null } & Parameters<typeof verdictReply>[0], cb: Callback): void {
    this.log(s, stage, v.verdict, v.rule);
    const r = verdictReply(v);
    cb(r ? replyError(r) : null);
  }

  private log(s: SmtpSession, stage: string, verdict: string, rule: string | null): void {
    const last = s.transaction.results.at(-1);
    this.d.log.debug('smtp.policy', { session: s.info.id, stage, verdict, rule, reason: last?.reason });
  }
}
