// `homepost import ACCOUNT --maildir DIR | --mbox FILE`: mail from the open formats (maildir.ts,
// mbox.ts) into an account, the folders made as needed, each message with its flags, keywords
// and INTERNALDATE. Resumable: a message whose exact bytes the target mailbox already holds is
// skipped (as many times as it is there), so a second run, or one after an interruption, adds
// only what is missing. Messages are stored BATCH_MESSAGES to a commit: what was imported before an
// interruption stays. Line ends become CRLF (withCrlf).
import { createReadStream, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { decodeMutf7 } from '../imap/mutf7.ts';
import type { ParsedMessage } from '../mime/index.ts';
import type { AccountInfo, MailboxRecord, Store } from '../store/index.ts';
import { bodyHash, contentHash } from '../store/bodies.ts';
import { INBOX } from '../store/mailboxes.ts';
import { baseName, flagsOfName, KeywordLetters, mailboxOfFolder, parseUidlist } from './maildir.ts';
import { readMbox } from './mbox.ts';

export interface ImportResult {
  mailboxes: string[];
  imported: number;
  skipped: number; // already there
  bytes: number;
  // Messages larger than homepost takes (smtp.maxMessageSize): left out, the rest imported.
  tooLarge: { mailbox: string; bytes: number }[];
}

export interface ImportOptions {
  // The parse of a message: in the daemon a worker's (src/offload), offline this process's.
  parse(raw: Buffer): Promise<ParsedMessage>;
  maxMessageBytes: number;
  progress?: (done: number, total: number | null) => void;
}

export interface Incoming {
  raw: Buffer;
  flags: string[];
  internalDate: number;
  // The source found it missing already (imap-source.ts: by Message-ID and size): not compared
  // again by its bytes, which would count a copy already there twice.
  missing?: boolean;
}

// RFC 5322 2.3's line ends: a bare LF (mbox files, most Maildirs) becomes CRLF, so that IMAP
// serves the message as Dovecot would and the same message from two sources is stored once.
function withCrlf(raw: Buffer): Buffer {
  let bare = 0;
  for (let i = raw.indexOf(0x0a); i >= 0; i = raw.indexOf(0x0a, i + 1)) if (i === 0 || raw[i - 1] !== 0x0d) bare++;
  if (bare === 0) return raw;
  const out = Buffer.allocUnsafe(raw.length + bare);
  let at = 0;
  let from = 0;
  for (let i = raw.indexOf(0x0a); i >= 0; i = raw.indexOf(0x0a, i + 1)) {
    if (i > 0 && raw[i - 1] === 0x0d) continue;
    at += raw.copy(out, at, from, i);
    out[at++] = 0x0d;
    from = i;
  }
  raw.copy(out, at, from);
  return out;
}

// The SHA-256s of the messages a mailbox holds, with how many messages hold each.
function held(store: Store, mb: MailboxRecord): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of store.messages.list(mb.id)) {
    const k = contentHash(m.hash).toString('hex');
    out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

// Messages stored per commit: an interruption loses at most the batch being written.
const BATCH_MESSAGES = 64;
const BATCH_BYTES = 8 * 1024 * 1024;

export class Importer {
  result: ImportResult = { mailboxes: [], imported: 0, skipped: 0, bytes: 0, tooLarge: [] };
  private done = 0;
  private store: Store;
  private account: AccountInfo;
  private opts: ImportOptions;
  total: number | null;

  constructor(store: Store, account: AccountInfo, opts: ImportOptions, total: number | null) {
    this.store = store;
    this.account = account;
    this.opts = opts;
    this.total = total;
  }

  // The mailbox of that name, made when missing.
  async target(name: string): Promise<MailboxRecord> {
    const mb = this.store.mailboxes.get(this.account.id, name) ?? (await this.store.mailboxes.create(this.account.id, name));
    if (mb.noSelect) throw new Error(`${name} cannot hold messages`);
    if (!this.result.mailboxes.includes(mb.name)) this.result.mailboxes.push(mb.name);
    return mb;
  }

  // Messages a source found already there without reading them (imap-source.ts).
  skip(n: number): void {
    this.result.skipped += n;
    this.step(n);
  }

  async mailbox(name: string, messages: AsyncIterable<Incoming> | Iterable<Incoming>): Promise<void> {
    const mb = await this.target(name);
    const there = held(this.store, mb);
    const pending: { raw: Buffer; body: { hash: Buffer; parsed: ParsedMessage }; flags: string[]; internalDate: number }[] = [];
    let pendingBytes = 0;
    const flush = async () => {
      if (!pending.length) return;
      await this.store.messages.appendMany({ mailboxId: mb.id, messages: pending });
      this.result.imported += pending.length;
      this.result.bytes += pendingBytes;
      pending.length = 0;
      pendingBytes = 0;
    };
    for await (const incoming of messages) {
      this.step(1);
      const raw = withCrlf(incoming.raw);
      if (raw.length === 0) continue;
      if (raw.length > this.opts.maxMessageBytes) {
        this.result.tooLarge.push({ mailbox: mb.name, bytes: raw.length });
        continue;
      }
      const hash = bodyHash(raw);
      const k = hash.toString('hex');
      const n = incoming.missing ? 0 : (there.get(k) ?? 0);
      if (n > 0) {
        there.set(k, n - 1);
        this.result.skipped++;
        continue;
      }
      pending.push({ raw, body: { hash, parsed: await this.opts.parse(raw) }, flags: incoming.flags, internalDate: incoming.internalDate });
      pendingBytes += raw.length;
      if (pending.length >= BATCH_MESSAGES || pendingBytes >= BATCH_BYTES) await flush();
    }
    await flush();
  }

  private step(n: number): void {
    this.done += n;
    this.opts.progress?.(this.done, this.total);
  }
}

// A Maildir folder's messages (new/ and cur/), in its dovecot-uidlist's order when it has one,
// else by time and name.
function* maildirMessages(dir: string): Generator<Incoming> {
  const keywords = existsSync(path.join(dir, 'dovecot-keywords')) ? KeywordLetters.parse(readFileSync(path.join(dir, 'dovecot-keywords'), 'utf8')) : [];
  const uids = existsSync(path.join(dir, 'dovecot-uidlist'))
    ? parseUidlist(readFileSync(path.join(dir, 'dovecot-uidlist'), 'utf8'))
    : new Map<string, number>();
  const files: { file: string; name: string; mtime: number; uid: number }[] = [];
  for (const sub of ['new', 'cur']) {
    if (!existsSync(path.join(dir, sub))) continue;
    for (const name of readdirSync(path.join(dir, sub))) {
      if (name.startsWith('.')) continue;
      const file = path.join(dir, sub, name);
      const st = statSync(file);
      if (st.isFile()) files.push({ file, name, mtime: st.mtimeMs, uid: uids.get(baseName(name)) ?? Number.MAX_SAFE_INTEGER });
    }
  }
  files.sort((a, b) => a.uid - b.uid || a.mtime - b.mtime || (a.name < b.name ? -1 : 1));
  for (const f of files) yield { raw: readFileSync(f.file), flags: flagsOfName(f.name, keywords), internalDate: Math.floor(f.mtime / 1000) * 1000 };
}

// The Maildir++ folders under DIR: "" (INBOX) and each ".Name" holding cur/ or new/.
function maildirFolders(root: string): { name: string; dir: string }[] {
  const out: { name: string; dir: string }[] = [];
  const isMaildir = (d: string) => existsSync(path.join(d, 'cur')) || existsSync(path.join(d, 'new'));
  if (isMaildir(root)) out.push({ name: INBOX, dir: root });
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory() || !isMaildir(path.join(root, e.name))) continue;
    const name = mailboxOfFolder(e.name);
    if (name && name !== INBOX) out.push({ name, dir: path.join(root, e.name) });
  }
  if (!out.length) throw new Error(`${root} holds no Maildir (no cur/ or new/ in it or in its .Folders)`);
  return out;
}

export async function importMaildir(store: Store, account: AccountInfo, root: string, opts: ImportOptions): Promise<ImportResult> {
  const folders = maildirFolders(root);
  let total = 0;
  for (const f of folders) for (const sub of ['new', 'cur']) if (existsSync(path.join(f.dir, sub))) total += readdirSync(path.join(f.dir, sub)).length;
  const importer = new Importer(store, account, opts, total);
  for (const f of folders) await importer.mailbox(f.name, maildirMessages(f.dir));
  return importer.result;
}

// One mbox file into one mailbox: `mailbox`, or the file's name less ".mbox" (modified UTF-7, as
// export writes it, or else as it is).
export async function importMbox(store: Store, account: AccountInfo, file: string, opts: ImportOptions & { mailbox?: string }): Promise<ImportResult> {
  const stem = path.basename(file).replace(/\.mbox$/i, '');
  const name = opts.mailbox ?? decodeMutf7(stem) ?? stem;
  if (!statSync(file).isFile()) throw new Error(`${file} is not a file`);
  const importer = new Importer(store, account, opts, null);
  await importer.mailbox(name.toUpperCase() === INBOX ? INBOX : name, readMbox(createReadStream(file, { highWaterMark: 256 * 1024 }) as AsyncIterable<Buffer>));
  return importer.result;
}
