// The daemon's junk filter: each account's classifier, loaded from the store on first use, kept in
// memory within one cap for all accounts (the least recently used is saved and dropped), and
// trained from what the user does, as the store's change bus reports it:
// - a COPY or MOVE into the Junk mailbox (special-use \Junk, RFC 6154), or `$Junk` given, trains
//   spam; a COPY or MOVE out of Junk (except into \Trash: deleting is no verdict), or `$NotJunk`
//   given, trains ham. A body trained the other way is untrained first; one trained this way
//   already is not trained again (the store keeps each body's label).
// - a message read and kept for a while trains ham (kept.ts asks, hourly).
// - the keywords follow: `$Junk` and `$NotJunk` are never both on a message.
// Counts are saved at most every SAVE_AFTER_MS while they change, and at close(): never per
// trained message (an SD card wears with each write). A crash loses the training since the
// last save, with its labels, so the messages can be trained again; never mail.
// It also keeps each account's last decisions at delivery (decisions.ts), for stats: read from the
// store on first use, saved within SAVE_AFTER_MS of a change and at close().
import type { Logger } from '../log/log.ts';
import { Turns } from '../net/turns.ts';
import { readSetting } from '../settings/define.ts';
import { contentHash, type MailboxRecord, type Store, type StoreChange, type TrainedLabel } from '../store/index.ts';
import { JunkClassifier } from './classifier.ts';
import { judgeScan, type JunkVerdict, type MessageScan, type SenderSignals } from './filter.ts';
import { DecisionRing, type JunkDecision, shortSubject } from './decisions.ts';
import { deserializeClassifier, serializeClassifier } from './format.ts';
import { READ_LIMITS } from './read.ts';
import { JUNK_THRESHOLD_SETTING } from './settings.ts';

// Counts in memory across all accounts: four accounts at the classifier's bound (6 MB each).
export const DEFAULT_MEMORY_BYTES = 24 * 1024 * 1024;
export const SAVE_AFTER_MS = 15 * 60 * 1000;
// The origin of the keyword writes this service makes: it does not train from its own changes.
export const JUNK_ORIGIN = 'junk';
export const JUNK_KEYWORD = '$Junk';
export const NOT_JUNK_KEYWORD = '$NotJunk';
// The origins of delivery's store writes (smtpserver/delivery.ts, queue/local.ts).
const DELIVERY_ORIGINS: readonly unknown[] = ['smtp', 'queue'];

export interface JunkServiceOptions {
  log: Logger;
  // A message's tokens and GTUBE mark; the daemon runs it in a worker (src/offload).
  scan(raw: Buffer): Promise<MessageScan>;
  memoryBytes?: number;
  saveAfterMs?: number;
}

interface Account {
  classifier: JunkClassifier;
  // Labels trained since the last save, by the body key in base64; saved with the counts.
  labels: Map<string, [hash: Buffer, label: TrainedLabel]>;
  // The kept-mail pass's marks since the last save, by mailbox id (kept.ts); saved with the counts.
  kept: Map<number, number>;
  // Trained since the last save; the timer that will save it.
  dirty: boolean;
  saveTimer: NodeJS.Timeout | null;
  // The account's training, one job after another; busy > 0 keeps it from eviction.
  work: Promise<void>;
  busy: number;
}

// What `junk stats` shows of an account's counts.
export interface JunkCounts {
  spam: number;
  ham: number;
  tokens: number;
  bytes: number; // the count table in memory
}

interface Unsaved {
  counts: Buffer | null; // null: unchanged since the last save
  labels: Map<string, [Buffer, TrainedLabel]>;
  kept: Map<number, number>;
  failed?: boolean;
}

export const isJunkMailbox = (mb: MailboxRecord | null): boolean => mb?.specialUse === '\\Junk';
// A flag or keyword, case-insensitively (RFC 9051 2.3.2).
export const hasKeyword = (flags: readonly string[], keyword: string) => flags.some((f) => f.toLowerCase() === keyword.toLowerCase());
const gained = (m: { flags: string[]; previous?: string[] }, keyword: string) => hasKeyword(m.flags, keyword) && !hasKeyword(m.previous ?? [], keyword);

const AWAITED_MAX = 1024;
const awaitedKey = (accountId: number, hash: Buffer) => `${accountId}/${hash.toString('base64')}`;

export class JunkService {
  private store: Store;
  private o: Required<JunkServiceOptions>;
  // In use order: the least recently used first.
  private accounts = new Map<number, Account>();
  // Saves written but not yet committed: a load in between reads these bytes, not the store's.
  private saving = new Map<number, Unsaved>();
  private writes = new Set<Promise<void>>();
  private unsubscribe: (() => void) | null = null;
  private decisions = new DecisionRing();
  // Accounts whose saved decisions were read back; the timer that will save the changed ones.
  private decisionsRead = new Set<number>();
  private decisionsTimer: NodeJS.Timeout | null = null;
  // Verdicts whose copy is about to be stored, by account and the copy's SHA-256 (expect(); the end
  // of its body key): a stored copy is matched to its verdict by its record alone, no body read.
  // At most AWAITED_MAX, the oldest dropped (a delivery that failed leaves its entry behind).
  private awaited = new Map<string, JunkVerdict>();
  private closed = false;

  constructor(store: Store, o: JunkServiceOptions) {
    this.store = store;
    this.o = { memoryBytes: DEFAULT_MEMORY_BYTES, saveAfterMs: SAVE_AFTER_MS, ...o };
    this.unsubscribe = store.onChange('*', (c) => this.onChange(c));
  }

  // The account's classifier, loaded on first use.
  classifier(accountId: number): JunkClassifier {
    return this.load(accountId).classifier;
  }

  // What the filter reads of a message: its first READ_LIMITS.maxBytes, scanned (in a worker).
  scan(raw: Buffer): Promise<MessageScan> {
    return this.o.scan(raw.subarray(0, READ_LIMITS.maxBytes));
  }

  judge(accountId: number, scan: MessageScan, signals?: SenderSignals): JunkVerdict {
    return judgeScan(this.classifier(accountId), scan, readSetting(this.store.settings, JUNK_THRESHOLD_SETTING), signals);
  }

  // The copy with this SHA-256 (bodyHash), about to be delivered to the account, was filed by
  // `verdict`: its decision is noted when the store reports it added.
  expect(accountId: number, hash: Buffer, verdict: JunkVerdict): void {
    this.awaited.set(awaitedKey(accountId, hash), verdict);
    for (const key of this.awaited.keys()) {
      if (this.awaited.size <= AWAITED_MAX) break;
      this.awaited.delete(key);
    }
  }

  // The account's last decisions at delivery, newest first.
  recentDecisions(accountId: number): readonly JunkDecision[] {
    this.readDecisions(accountId);
    return this.decisions.recent(accountId);
  }

  // The account's Junk mailbox, if it has one (delivery makes it when first needed).
  junkMailbox(accountId: number): MailboxRecord | null {
    return this.store.mailboxes.list(accountId).find((mb) => isJunkMailbox(mb) && !mb.noSelect) ?? null;
  }

  // The account's counts as they are now: in memory, or else as saved (not loaded for this).
  counts(accountId: number): JunkCounts {
    const bytes = this.accounts.get(accountId) ? null : (this.saving.get(accountId)?.counts ?? this.store.junk.counts(accountId));
    const c = bytes ? deserializeClassifier(bytes) : this.classifier(accountId);
    return { spam: c.spamMessages, ham: c.hamMessages, tokens: c.counts.size, bytes: c.counts.byteLength };
  }

  // Forgets the account's counts and labels, after the training asked for so far. Training asked
  // for meanwhile (a delivery loads the counts again) is forgotten with them.
  async reset(accountId: number): Promise<void> {
    await this.accounts.get(accountId)?.work;
    this.drop(accountId);
    await Promise.all([...this.writes]);
    await this.store.junk.reset(accountId);
    this.drop(accountId);
    this.decisions.drop(accountId);
  }

  // Accounts whose counts are in memory, least recently used first (for tests and status).
  loaded(): number[] {
    return [...this.accounts.keys()];
  }

  // Trains the messages as spam or ham, after the account's earlier training; resolves when done.
  // keywords: false leaves their `$Junk`/`$NotJunk` as they are (training the user did not ask for).
  train(accountId: number, mailboxId: number, uids: readonly number[], spam: boolean, o: { keywords?: boolean } = {}): Promise<void> {
    const account = this.load(accountId);
    account.busy++;
    const job = account.work.then(() => this.trainMessages(accountId, account, mailboxId, uids, spam, o.keywords ?? true));
    account.work = job
      .catch((e: unknown) => this.o.log.warn('junk.train_failed', { accountId, error: e as Error }))
      .finally(() => {
        account.busy--;
        this.evict();
      });
    return account.work;
  }

  // How far the kept-mail pass has looked in the mailbox (kept.ts): its highest UID looked at.
  keptMark(accountId: number, mailboxId: number): number {
    const unsaved = this.accounts.get(accountId)?.kept.get(mailboxId) ?? this.saving.get(accountId)?.kept.get(mailboxId);
    return unsaved ?? this.store.junk.keptMark(accountId, mailboxId);
  }

  // Moves the mark on. It is written with the next save of the counts (or at close(), or when
  // the account is evicted), never on its own: a mark lost in a crash only makes the pass look
  // at those messages again, and the labels saved with the counts keep them from training twice.
  setKeptMark(accountId: number, mailboxId: number, uid: number): void {
    this.load(accountId).kept.set(mailboxId, uid);
  }

  // Writes the account's counts, labels and marks now, if they changed (the counts only if they did).
  save(accountId: number): Promise<void> {
    const account = this.accounts.get(accountId);
    if (!account || (!account.dirty && !account.kept.size)) return Promise.resolve();
    if (account.saveTimer) clearTimeout(account.saveTimer);
    account.saveTimer = null;
    const counts = account.dirty ? serializeClassifier(account.classifier) : null;
    account.dirty = false;
    const unsaved = { counts, labels: account.labels, kept: account.kept };
    account.labels = new Map();
    account.kept = new Map();
    return this.write(accountId, unsaved);
  }

  // Resolves once the training asked for so far is done.
  async idle(): Promise<void> {
    await Promise.all([...this.accounts.values()].map((a) => a.work));
  }

  // Stops listening, lets the training asked for end, and saves every account that changed.
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.unsubscribe?.();
    if (this.decisionsTimer) clearTimeout(this.decisionsTimer);
    await this.idle();
    await Promise.all([...this.accounts.keys()].map((id) => this.save(id)));
    await this.saveDecisions();
    await Promise.all([...this.writes]);
  }

  private load(accountId: number): Account {
    let account = this.accounts.get(accountId);
    if (account) {
      // Most recently used: to the end of the order.
      this.accounts.delete(accountId);
      this.accounts.set(accountId, account);
      return account;
    }
    const unsaved = this.saving.get(accountId);
    const bytes = unsaved?.counts ?? this.store.junk.counts(accountId);
    let classifier = new JunkClassifier();
    try {
      if (bytes) classifier = deserializeClassifier(bytes);
    } catch (e) {
      this.o.log.warn('junk.counts_unreadable', { accountId, error: e as Error });
    }
    account = { classifier, labels: new Map(unsaved?.labels), kept: new Map(unsaved?.kept), dirty: false, saveTimer: null, work: Promise.resolve(), busy: 0 };
    this.accounts.set(accountId, account);
    if (unsaved?.failed) {
      this.saving.delete(accountId);
      this.changed(accountId, account);
    }
    this.evict();
    return account;
  }

  // Over the memory cap, the least recently used idle accounts are saved and dropped; the one
  // used last always stays.
  private evict(): void {
    let bytes = 0;
    for (const a of this.accounts.values()) bytes += a.classifier.counts.byteLength;
    const last = [...this.accounts.keys()].at(-1);
    for (const [id, account] of this.accounts) {
      if (bytes <= this.o.memoryBytes || id === last) return;
      if (account.busy > 0) continue;
      this.save(id).catch(() => {});
      this.accounts.delete(id);
      bytes -= account.classifier.counts.byteLength;
    }
  }

  private write(accountId: number, unsaved: Unsaved): Promise<void> {
    this.saving.set(accountId, unsaved);
    const done = () => {
      if (this.saving.get(accountId) === unsaved) this.saving.delete(accountId);
    };
    const p = this.store.junk
      .save(accountId, unsaved.counts, unsaved.labels.values(), unsaved.kept)
      .then(done, (e: unknown) => {
        this.o.log.warn('junk.save_failed', { accountId, error: e as Error });
        const account = this.accounts.get(accountId);
        if (!account) {
          // Evicted: kept here for the next load, which saves it again.
          unsaved.failed = true;
          return;
        }
        account.labels = new Map([...unsaved.labels, ...account.labels]);
        account.kept = new Map([...unsaved.kept, ...account.kept]);
        this.changed(accountId, account);
        done();
      })
      .finally(() => this.writes.delete(p));
    this.writes.add(p);
    return p;
  }

  // Counts changed: a save within saveAfterMs, unless one is due already.
  private changed(accountId: number, account: Account): void {
    account.dirty = true;
    if (account.saveTimer || this.closed) return;
    account.saveTimer = setTimeout(() => {
      this.save(accountId).catch(() => {});
    }, this.o.saveAfterMs);
    account.saveTimer.unref();
  }

  // The account's saved decisions, behind those noted since the start; read once.
  private readDecisions(accountId: number): void {
    if (this.decisionsRead.has(accountId)) return;
    this.decisionsRead.add(accountId);
    this.decisions.restore(accountId, this.store.junk.decisions(accountId) as JunkDecision[]);
  }

  // Decisions changed: saved within saveAfterMs, all accounts' in one commit.
  private decisionsChanged(): void {
    if (this.decisionsTimer || this.closed) return;
    this.decisionsTimer = setTimeout(() => {
      this.saveDecisions().catch(() => {});
    }, this.o.saveAfterMs);
    this.decisionsTimer.unref();
  }

  private saveDecisions(): Promise<void> {
    this.decisionsTimer = null;
    const changed = this.decisions.takeChanged();
    if (!changed.length) return Promise.resolve();
    const p = this.store.junk
      .saveDecisions(changed)
      .catch((e: unknown) => this.o.log.warn('junk.save_failed', { what: 'decisions', error: e as Error }))
      .finally(() => this.writes.delete(p));
    this.writes.add(p);
    return p;
  }

  private drop(accountId: number): void {
    const account = this.accounts.get(accountId);
    if (account?.saveTimer) clearTimeout(account.saveTimer);
    this.accounts.delete(accountId);
    this.saving.delete(accountId);
  }

  private onChange(c: StoreChange): void {
    if (c.origin === JUNK_ORIGIN) return;
    if (c.kind === 'account-deleted') {
      this.drop(c.accountId);
      this.decisions.drop(c.accountId);
    } else if (c.kind === 'added' && c.source === undefined && DELIVERY_ORIGINS.includes(c.origin)) this.noteDecisions(c.accountId, c.mailboxId, c.uids);
    else if (c.kind === 'expunged') {
      this.readDecisions(c.accountId);
      if (this.decisions.gone(c.accountId, c.mailboxId, c.uids)) this.decisionsChanged();
    } else if (c.kind === 'added' && c.source !== undefined) {
      const to = this.store.mailboxes.getById(c.mailboxId);
      const from = this.store.mailboxes.getById(c.source);
      if (isJunkMailbox(to) && !isJunkMailbox(from)) void this.train(c.accountId, c.mailboxId, c.uids, true);
      else if (isJunkMailbox(from) && !isJunkMailbox(to) && to?.specialUse !== '\\Trash') void this.train(c.accountId, c.mailboxId, c.uids, false);
    } else if (c.kind === 'flags') {
      // A STORE that gives both at once says nothing.
      const spam = c.messages.filter((m) => gained(m, JUNK_KEYWORD) && !gained(m, NOT_JUNK_KEYWORD)).map((m) => m.uid);
      const ham = c.messages.filter((m) => gained(m, NOT_JUNK_KEYWORD) && !gained(m, JUNK_KEYWORD)).map((m) => m.uid);
      if (spam.length) void this.train(c.accountId, c.mailboxId, spam, true);
      if (ham.length) void this.train(c.accountId, c.mailboxId, ham, false);
    }
  }

  // The decisions of delivered copies whose verdicts were expected.
  private noteDecisions(accountId: number, mailboxId: number, uids: readonly number[]): void {
    if (!this.awaited.size) return;
    const mailbox = this.store.mailboxes.getById(mailboxId);
    if (!mailbox) return;
    for (const uid of uids) {
      const m = this.store.messages.get(mailboxId, uid);
      const key = m && awaitedKey(accountId, contentHash(m.hash));
      const verdict = key && this.awaited.get(key);
      if (!verdict) continue;
      this.awaited.delete(key);
      this.readDecisions(accountId);
      const subject = shortSubject(this.store.messages.headers(m.hash)?.subject ?? null);
      this.decisions.add(accountId, {
        at: m.internalDate,
        rule: verdict.rule,
        score: verdict.score,
        reasons: verdict.reasons,
        subject,
        mailboxId,
        mailbox: mailbox.name,
        uid,
      });
      this.decisionsChanged();
    }
  }

  // Each message's first READ_LIMITS.maxBytes go to scan() (off the event loop in the daemon);
  // the counting between scans gives the loop back every few milliseconds (net/turns.ts).
  private async trainMessages(
    accountId: number,
    account: Account,
    mailboxId: number,
    uids: readonly number[],
    spam: boolean,
    keywords: boolean,
  ): Promise<void> {
    const turns = new Turns();
    const wrongKeywords: number[] = [];
    let trained = 0;
    for (const uid of uids) {
      await turns.pass();
      const m = this.store.messages.get(mailboxId, uid);
      if (!m) continue;
      if (keywords && (!hasKeyword(m.flags, spam ? JUNK_KEYWORD : NOT_JUNK_KEYWORD) || hasKeyword(m.flags, spam ? NOT_JUNK_KEYWORD : JUNK_KEYWORD)))
        wrongKeywords.push(uid);
      const key = m.hash.toString('base64');
      const label = account.labels.get(key)?.[1] ?? this.store.junk.label(accountId, m.hash);
      if (label === spam) continue;
      const raw = this.store.bodies.get(m.hash);
      if (!raw) continue;
      const { tokens } = await this.scan(raw);
      if (!this.accounts.has(accountId)) return; // the account was deleted meanwhile
      if (label !== null) account.classifier.untrain(tokens, label);
      account.classifier.train(tokens, spam);
      account.labels.set(key, [m.hash, spam]);
      this.changed(accountId, account);
      trained++;
    }
    if (trained) this.o.log.info('junk.trained', { accountId, mailboxId, as: spam ? 'spam' : 'ham', messages: trained });
    if (wrongKeywords.length) await this.setKeywords(mailboxId, wrongKeywords, spam);
  }

  // RFC 9051 2.3.2 keywords: `$Junk` or `$NotJunk` (RFC 5788's registry), never both.
  private async setKeywords(mailboxId: number, uids: number[], spam: boolean): Promise<void> {
    const [add, remove] = spam ? [JUNK_KEYWORD, NOT_JUNK_KEYWORD] : [NOT_JUNK_KEYWORD, JUNK_KEYWORD];
    // Issued in one turn: one commit.
    await Promise.all([
      this.store.messages.setFlags({ mailboxId, uids, op: 'add', flags: [add], origin: JUNK_ORIGIN }),
      this.store.messages.setFlags({ mailboxId, uids, op: 'remove', flags: [remove], origin: JUNK_ORIGIN }),
    ]);
  }
}
