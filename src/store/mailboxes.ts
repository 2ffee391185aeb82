// Mailboxes of an account with IMAP semantics (RFC 9051 5.1, 6.3): hierarchy delimiter "/",
// INBOX case-insensitive, UIDVALIDITY, UIDNEXT, HIGHESTMODSEQ (RFC 7162), SPECIAL-USE (RFC 6154),
// subscriptions kept by name (RFC 9051 6.3.9).
import type { Bodies } from './bodies.ts';
import type { StoreChange } from './changes.ts';
import type { StoreContext } from './context.ts';
import { StoreError } from './errors.ts';
import { dropHeaderCache } from './header-cache.ts';
import type { MailboxRecord } from './records.ts';
import { messageRange } from './mailbox-records.ts';

export const DELIMITER = '/';
export const INBOX = 'INBOX';

// Created with every account (RFC 6154 special-use attributes).
export const DEFAULT_MAILBOXES: [name: string, specialUse: string | null][] = [
  [INBOX, null],
  ['Sent', '\\Sent'],
  ['Drafts', '\\Drafts'],
  ['Trash', '\\Trash'],
  ['Junk', '\\Junk'],
  ['Archive', '\\Archive'],
];

const SPECIAL_USES = new Set(['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash']);
const MAX_NAME_BYTES = 1024;
const MAX_DEPTH = 32;

// The stored form of a mailbox name: INBOX (and the INBOX prefix of its inferiors) folded to upper
// case; null when the name is not acceptable (empty levels, wildcards, control characters).
export function normalizeMailboxName(name: string): string | null {
  let n = name;
  if (n.toUpperCase() === INBOX) n = INBOX;
  else if (n.slice(0, 6).toUpperCase() === INBOX + DELIMITER) n = INBOX + n.slice(5);
  if (!n || Buffer.byteLength(n) > MAX_NAME_BYTES) return null;
  // RFC 9051 6.3.4 LIST wildcards cannot be part of a name; nor can control characters.
  if (/[*%\u0000-\u001f\u007f]/.test(n)) return null;
  const levels = n.split(DELIMITER);
  if (levels.length > MAX_DEPTH || levels.some((l) => l === '' || l.trim() !== l)) return null;
  return n;
}

function parentsOf(name: string): string[] {
  const levels = name.split(DELIMITER);
  return levels.slice(1).map((_, i) => levels.slice(0, i + 1).join(DELIMITER));
}

export class Mailboxes {
  private ctx: StoreContext;
  private bodies: Bodies;

  constructor(ctx: StoreContext, bodies: Bodies) {
    this.ctx = ctx;
    this.bodies = bodies;
  }

  // All mailboxes of the account, ordered by name.
  list(accountId: number): MailboxRecord[] {
    const out: MailboxRecord[] = [];
    for (const { value: id } of this.ctx.dbs.mailboxNames.getRange({ start: [accountId], end: [accountId + 1] })) {
      const mb = this.ctx.dbs.mailboxes.get(id);
      if (mb) out.push(mb);
    }
    return out;
  }

  get(accountId: number, name: string): MailboxRecord | null {
    const n = normalizeMailboxName(name);
    const id = n ? this.ctx.dbs.mailboxNames.get([accountId, n]) : undefined;
    return id === undefined ? null : (this.ctx.dbs.mailboxes.get(id) ?? null);
  }

  getById(mailboxId: number): MailboxRecord | null {
    return this.ctx.dbs.mailboxes.get(mailboxId) ?? null;
  }

  // RFC 9051 6.3.4 CREATE: superior names are created as needed; creating over a \Noselect
  // name makes it selectable again (with a new UIDVALIDITY).
  async create(accountId: number, name: string, opts: { specialUse?: string | null; origin?: unknown } = {}): Promise<MailboxRecord> {
    const n = this.requireName(name);
    if (opts.specialUse && !SPECIAL_USES.has(opts.specialUse)) {
      throw new StoreError('invalid', `unknown special-use ${opts.specialUse}`);
    }
    return this.ctx.write((changes) => {
      this.requireAccount(accountId);
      const existing = this.get(accountId, n);
      if (existing && !existing.noSelect) throw new StoreError('exists', `mailbox ${n} exists`);
      for (const p of parentsOf(n)) if (!this.get(accountId, p)) this.insert(accountId, p, null, changes);
      if (existing) this.removeRecord(existing);
      const mb = this.insert(accountId, n, opts.specialUse ?? null, changes);
      for (const c of changes) c.origin = opts.origin;
      return mb;
    });
  }

  // RFC 9051 6.3.5 DELETE. INBOX cannot be deleted. A mailbox with inferiors loses its messages
  // and becomes \Noselect; a \Noselect mailbox with inferiors cannot be deleted. Subscriptions
  // stay (RFC 9051 6.3.9: the server must not remove them unilaterally).
  async delete(accountId: number, name: string, origin?: unknown): Promise<void> {
    const n = this.requireName(name);
    if (n === INBOX) throw new StoreError('forbidden', 'INBOX cannot be deleted');
    return this.ctx.write((changes) => {
      const mb = this.get(accountId, n);
      if (!mb) throw new StoreError('not-found', `no mailbox ${n}`);
      const hasChildren = this.children(accountId, n).length > 0;
      if (hasChildren && mb.noSelect) throw new StoreError('forbidden', `${n} has inferior mailboxes`);
      this.clear(mb);
      if (hasChildren) {
        const emptied = { count: 0, unseen: 0, size: 0, tombstones: 0, highestModSeq: mb.highestModSeq + 1, modifiedModSeq: mb.highestModSeq + 1 };
        this.ctx.dbs.mailboxes.putSync(mb.id, { ...mb, ...emptied, noSelect: true });
      } else {
        this.removeRecord(mb);
      }
      changes.push({ kind: 'mailbox-deleted', accountId, mailboxId: mb.id, name: n, origin });
    });
  }

  // RFC 9051 6.3.6 RENAME: inferiors move with the mailbox; the new name's superiors are created.
  // Renaming INBOX moves its messages to a new mailbox and leaves INBOX empty, its inferiors where
  // they are. Subscriptions follow the names.
  async rename(accountId: number, from: string, to: string, origin?: unknown): Promise<MailboxRecord> {
    const src = this.requireName(from);
    const dst = this.requireName(to);
    return this.ctx.write((changes) => {
      const mb = this.get(accountId, src);
      if (!mb) throw new StoreError('not-found', `no mailbox ${src}`);
      if (this.get(accountId, dst)) throw new StoreError('exists', `mailbox ${dst} exists`);
      if (dst === src || dst.startsWith(src + DELIMITER)) {
        throw new StoreError('invalid', 'a mailbox cannot be renamed into itself');
      }
      for (const p of parentsOf(dst)) if (!this.get(accountId, p)) this.insert(accountId, p, null, changes);
      let result: MailboxRecord;
      if (src === INBOX) {
        const target = this.insert(accountId, dst, null, changes);
        this.moveAllMessages(mb, target, changes);
        result = this.getById(target.id)!;
      } else {
        const moving = [mb, ...this.children(accountId, src)];
        for (const m of moving) {
          const newName = dst + m.name.slice(src.length);
          this.ctx.dbs.mailboxNames.removeSync([accountId, m.name]);
          this.ctx.dbs.mailboxNames.putSync([accountId, newName], m.id);
          this.ctx.dbs.mailboxes.putSync(m.id, { ...m, name: newName });
          this.moveSubscription(accountId, m.name, newName);
          changes.push({ kind: 'mailbox-renamed', accountId, mailboxId: m.id, name: newName, oldName: m.name });
        }
        result = this.getById(mb.id)!;
      }
      for (const c of changes) c.origin = origin;
      return result;
    });
  }

  async subscribe(accountId: number, name: string): Promise<void> {
    const n = this.requireName(name);
    return this.ctx.write(() => {
      this.requireAccount(accountId);
      this.ctx.dbs.subscriptions.putSync([accountId, n], true);
    });
  }

  async unsubscribe(accountId: number, name: string): Promise<void> {
    const n = this.requireName(name);
    return this.ctx.write(() => {
      if (!this.ctx.dbs.subscriptions.get([accountId, n])) throw new StoreError('not-found', `${n} is not subscribed`);
      this.ctx.dbs.subscriptions.removeSync([accountId, n]);
    });
  }

  subscriptions(accountId: number): string[] {
    return [...this.ctx.dbs.subscriptions.getKeys({ start: [accountId], end: [accountId + 1] })].map((k) => k[1]);
  }

  // --- used inside other writes ---

  createDefaults(accountId: number, changes: StoreChange[]): void {
    for (const [name, use] of DEFAULT_MAILBOXES) {
      this.insert(accountId, name, use, changes);
      this.ctx.dbs.subscriptions.putSync([accountId, name], true);
    }
  }

  removeAll(accountId: number, changes: StoreChange[]): void {
    for (const mb of this.list(accountId)) {
      this.clear(mb);
      this.removeRecord(mb);
      changes.push({ kind: 'mailbox-deleted', accountId, mailboxId: mb.id, name: mb.name });
    }
    for (const key of this.ctx.dbs.subscriptions.getKeys({ start: [accountId], end: [accountId + 1] })) {
      this.ctx.dbs.subscriptions.removeSync(key);
    }
  }

  // A UIDVALIDITY never given before: the clock in seconds, or one more than the last one.
  private newUidValidity(): number {
    const last = this.ctx.dbs.meta.get('lastUidValidity') ?? 0;
    const v = Math.max(Math.floor(Date.now() / 1000), last + 1);
    this.ctx.dbs.meta.putSync('lastUidValidity', v);
    return v;
  }

  private insert(accountId: number, name: string, specialUse: string | null, changes: StoreChange[]): MailboxRecord {
    const mb: MailboxRecord = {
      id: this.ctx.next('nextMailboxId'),
      accountId,
      name,
      uidValidity: this.newUidValidity(),
      uidNext: 1,
      highestModSeq: 1,
      specialUse,
      noSelect: false,
      count: 0,
      unseen: 0,
      size: 0,
      keywords: [],
      tombstones: 0,
      vanishedSince: 0,
      modifiedModSeq: 0,
    };
    this.ctx.dbs.mailboxes.putSync(mb.id, mb);
    this.ctx.dbs.mailboxNames.putSync([accountId, name], mb.id);
    changes.push({ kind: 'mailbox-created', accountId, mailboxId: mb.id, name });
    return mb;
  }

  private children(accountId: number, name: string): MailboxRecord[] {
    return this.list(accountId).filter((m) => m.name.startsWith(name + DELIMITER));
  }

  // Bytes in all the account's mailboxes: what its quota limits (RFC 9208 STORAGE). Derived from
  // the mailbox records rather than kept apart, so a delivery writes one record fewer.
  usedBytes(accountId: number): number {
    return this.list(accountId).reduce((n, m) => n + m.size, 0);
  }

  // Removes every message of the mailbox and its expunge history.
  private clear(mb: MailboxRecord): void {
    const { messages, expunged } = this.ctx.dbs;
    const range = messageRange(mb.id);
    for (const { key, value } of messages.getRange(range)) {
      this.bodies.release(value.hash);
      messages.removeSync(key);
    }
    for (const key of expunged.getKeys(range)) expunged.removeSync(key);
  }

  private removeRecord(mb: MailboxRecord): void {
    this.ctx.dbs.mailboxNames.removeSync([mb.accountId, mb.name]);
    this.ctx.dbs.mailboxes.removeSync(mb.id);
    this.ctx.dbs.indexes.removeSync(mb.id);
    this.ctx.dbs.junkKept.removeSync([mb.accountId, mb.id]);
    dropHeaderCache(this.ctx.dbs, mb.id);
  }

  // INBOX rename: every message gets a UID in the target; INBOX keeps its UIDVALIDITY and records
  // the expunges so that QRESYNC clients see them vanish.
  private moveAllMessages(from: MailboxRecord, to: MailboxRecord, changes: StoreChange[]): void {
    const { messages, expunged, mailboxes } = this.ctx.dbs;
    const range = messageRange(from.id);
    const fromModSeq = from.highestModSeq + 1;
    const moved: number[] = [];
    const added: number[] = [];
    let uid = to.uidNext;
    for (const { key, value } of messages.getRange(range)) {
      messages.removeSync(key);
      expunged.putSync(key, fromModSeq);
      moved.push(value.uid);
      added.push(uid);
      messages.putSync([to.id, uid], { ...value, uid, modseq: to.highestModSeq + 1 });
      uid++;
    }
    const fromNow = mailboxes.get(from.id)!;
    mailboxes.putSync(from.id, {
      ...fromNow,
      highestModSeq: fromModSeq,
      modifiedModSeq: fromModSeq,
      count: 0,
      unseen: 0,
      size: 0,
      tombstones: fromNow.tombstones + moved.length,
    });
    mailboxes.putSync(to.id, {
      ...to,
      keywords: fromNow.keywords,
      uidNext: uid,
      highestModSeq: to.highestModSeq + 1,
      count: fromNow.count,
      unseen: fromNow.unseen,
      size: fromNow.size,
    });
    if (moved.length) {
      changes.push({ kind: 'expunged', accountId: from.accountId, mailboxId: from.id, uids: moved, modseq: fromModSeq });
      changes.push({ kind: 'added', accountId: to.accountId, mailboxId: to.id, uids: added });
    }
  }

  private moveSubscription(accountId: number, from: string, to: string): void {
    const { subscriptions } = this.ctx.dbs;
    if (!subscriptions.get([accountId, from])) return;
    subscriptions.removeSync([accountId, from]);
    subscriptions.putSync([accountId, to], true);
  }

  private requireName(name: string): string {
    const n = normalizeMailboxName(name);
    if (!n) throw new StoreError('invalid', `not a mailbox name: ${JSON.stringify(name)}`);
    return n;
  }

  private requireAccount(accountId: number): void {
    if (!this.ctx.dbs.accountIds.get(accountId)) throw new StoreError('not-found', `no account ${accountId}`);
  }
}
