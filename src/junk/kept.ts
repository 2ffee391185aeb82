// Ham from what the user keeps: a message that was read and has stayed for junk.hamAfter in a
// mailbox that is not Junk, Trash, Sent or Drafts (RFC 6154 special uses) trains the account's
// filter as ham, without the `$NotJunk` keyword a user's own verdict sets. A pass runs every hour:
// per mailbox it looks at the UIDs above its mark, in UID order, and stops at the first message
// younger than junk.hamAfter (later deliveries are younger still). Each message is looked at once:
// one not read by then, or marked `$Junk` or \Deleted, is passed over for good. The marks are saved
// with the counts (service.ts), so a crash looks again at what it would train again.
import type { Logger } from '../log/log.ts';
import { Turns } from '../net/turns.ts';
import { readSetting } from '../settings/define.ts';
import type { MailboxRecord, Store } from '../store/index.ts';
import { hasKeyword, JUNK_KEYWORD, type JunkService } from './service.ts';
import { HAM_AFTER_SETTING } from './settings.ts';

export const PASS_EVERY_MS = 3_600_000;
// The first pass waits for the start's own work (index loads, the body sweep) to settle.
export const FIRST_PASS_AFTER_MS = 10 * 60_000;
// Per account and pass: the work is spread over the hours, and a mailbox of years trains a little
// at a time.
export const LOOKS_PER_PASS = 5000;
export const OFFERS_PER_PASS = 500;
const BATCH = 256;

// Mailboxes whose messages say nothing of what the user wants to receive.
const NOT_KEPT = new Set(['\\Junk', '\\Trash', '\\Sent', '\\Drafts']);
const keptIn = (mb: MailboxRecord) => !mb.noSelect && !(mb.specialUse && NOT_KEPT.has(mb.specialUse));

export class KeptMail {
  private store: Store;
  private junk: JunkService;
  private log: Logger;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(store: Store, junk: JunkService, log: Logger) {
    this.store = store;
    this.junk = junk;
    this.log = log;
  }

  start(firstAfterMs = FIRST_PASS_AFTER_MS): void {
    const next = (ms: number) => {
      this.timer = setTimeout(() => {
        this.pass()
          .catch((e: unknown) => this.log.warn('junk.kept_pass_failed', { error: e as Error }))
          .finally(() => {
            if (!this.stopped) next(PASS_EVERY_MS);
          });
      }, ms);
      this.timer.unref();
    };
    next(firstAfterMs);
  }

  // No pass starts after this; resolves when the running one has ended.
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running?.catch(() => {});
  }

  // One pass over every account; resolves with the number of messages offered for training as
  // ham (the service trains those it has not trained so already, and logs junk.trained).
  pass(now = Date.now()): Promise<number> {
    this.running ??= this.passAll(now).finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async passAll(now: number): Promise<number> {
    const after = readSetting(this.store.settings, HAM_AFTER_SETTING);
    if (after === 0) return 0;
    let offered = 0;
    for (const account of this.store.accounts.list()) {
      if (this.stopped) break;
      offered += await this.passAccount(account.id, now - after);
    }
    return offered;
  }

  private async passAccount(accountId: number, keptSince: number): Promise<number> {
    const turns = new Turns();
    let looks = 0;
    let offered = 0;
    for (const mailbox of this.store.mailboxes.list(accountId).filter(keptIn)) {
      const from = this.junk.keptMark(accountId, mailbox.id);
      let mark = from;
      const ham: number[] = [];
      let young = false;
      while (!young && looks < LOOKS_PER_PASS && offered + ham.length < OFFERS_PER_PASS) {
        await turns.pass();
        if (this.stopped) return offered;
        const batch = this.store.messages.list(mailbox.id, mark + 1, BATCH);
        for (const m of batch) {
          if (m.internalDate > keptSince) {
            young = true;
            break;
          }
          looks++;
          mark = m.uid;
          if (hasKeyword(m.flags, '\\Seen') && !hasKeyword(m.flags, '\\Deleted') && !hasKeyword(m.flags, JUNK_KEYWORD)) ham.push(m.uid);
          if (looks >= LOOKS_PER_PASS || offered + ham.length >= OFFERS_PER_PASS) break;
        }
        if (batch.length < BATCH) break;
      }
      if (ham.length) await this.junk.train(accountId, mailbox.id, ham, false, { keywords: false });
      offered += ham.length;
      if (mark !== from) this.junk.setKeptMark(accountId, mailbox.id, mark);
    }
    return offered;
  }
}
