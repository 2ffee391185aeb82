// `homepost export ACCOUNT --maildir DIR | --mbox DIR`: every mailbox of an account, its messages
// with their flags, keywords and INTERNALDATEs, in the open formats of maildir.ts and mbox.ts. A
// message's bytes are written as the store holds them (Maildir) or with LF line ends (mbox). The
// target folder must not hold mail already: an export never mixes with other files.
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { open, utimes, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { encodeMutf7 } from '../imap/mutf7.ts';
import type { AccountInfo, MailboxRecord, Store } from '../store/index.ts';
import { DELIMITER } from '../store/mailboxes.ts';
import { infoOf, KeywordLetters, maildirFolder, uidlistText } from './maildir.ts';
import { mboxEntry, mboxFolderData } from './mbox.ts';

export interface ExportResult {
  format: 'maildir' | 'mbox';
  to: string;
  mailboxes: number;
  messages: number;
  bytes: number;
  // What the format could not carry, in plain words.
  warnings: string[];
}

type Progress = (done: number, total: number) => void;

// Each message's body, one at a time; the loop is given back between messages.
async function* messagesOf(store: Store, mb: MailboxRecord): AsyncGenerator<{ uid: number; flags: string[]; internalDate: number; raw: Buffer }> {
  for (const m of store.messages.list(mb.id)) {
    const raw = store.messages.body(m.hash);
    if (!raw) throw new Error(`${mb.name} UID ${m.uid}: its content is missing from the store`);
    yield { uid: m.uid, flags: m.flags, internalDate: m.internalDate, raw };
    await new Promise((r) => setImmediate(r));
  }
}

async function exportMaildir(store: Store, mb: MailboxRecord, root: string, progress: () => void): Promise<{ bytes: number; warnings: string[] }> {
  const dir = path.join(root, maildirFolder(mb.name));
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(path.join(dir, sub), { recursive: true, mode: 0o700 });
  const keywords = new KeywordLetters();
  const listed: { uid: number; base: string }[] = [];
  let bytes = 0;
  for await (const m of messagesOf(store, mb)) {
    const base = `${Math.floor(m.internalDate / 1000)}.M${m.uid}P${mb.id}.homepost`;
    const file = path.join(dir, 'cur', `${base}:2,${infoOf(m.flags, keywords)}`);
    await writeFile(file, m.raw, { mode: 0o600, flag: 'wx' });
    const when = new Date(m.internalDate);
    await utimes(file, when, when);
    listed.push({ uid: m.uid, base });
    bytes += m.raw.length;
    progress();
  }
  await writeFile(path.join(dir, 'dovecot-keywords'), keywords.fileText(), { mode: 0o600 });
  await writeFile(path.join(dir, 'dovecot-uidlist'), uidlistText(mb.uidValidity, mb.uidNext, listed), { mode: 0o600 });
  const warnings = keywords.dropped.size ? [`${mb.name}: Maildir carries 26 keywords per folder; left out: ${[...keywords.dropped].join(' ')}`] : [];
  if (mb.name.split(DELIMITER).some((l) => l.includes('.')))
    warnings.push(`${mb.name}: the "." in its name is written as &AC4- (Maildir++ has no "." in names)`);
  return { bytes, warnings };
}

// A mailbox A/B is the file DIR/A/B.mbox, each level in modified UTF-7 as Dovecot names them.
async function exportMbox(store: Store, mb: MailboxRecord, root: string, progress: () => void): Promise<{ bytes: number; warnings: string[] }> {
  const file = `${path.join(root, ...mb.name.split(DELIMITER).map(encodeMutf7))}.mbox`;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const out = await open(file, 'wx', 0o600);
  let bytes = 0;
  try {
    const head = mboxFolderData(mb.uidValidity, mb.uidNext, mb.keywords, Date.now());
    await out.write(head);
    bytes += head.length;
    for await (const m of messagesOf(store, mb)) {
      const entry = mboxEntry(m);
      await out.write(entry);
      bytes += entry.length;
      progress();
    }
    await out.sync();
  } finally {
    await out.close();
  }
  return { bytes, warnings: [] };
}

export async function exportAccount(
  store: Store,
  account: AccountInfo,
  opts: { format: 'maildir' | 'mbox'; to: string; progress?: Progress },
): Promise<ExportResult> {
  if (existsSync(opts.to) && readdirSync(opts.to).length > 0) throw new Error(`${opts.to} is not empty: export into a new folder`);
  mkdirSync(opts.to, { recursive: true, mode: 0o700 });
  const mailboxes = store.mailboxes.list(account.id).filter((mb) => !mb.noSelect);
  const total = mailboxes.reduce((n, mb) => n + mb.count, 0);
  let done = 0;
  const step = () => {
    done++;
    opts.progress?.(done, total);
  };
  const result: ExportResult = { format: opts.format, to: opts.to, mailboxes: 0, messages: 0, bytes: 0, warnings: [] };
  for (const mb of mailboxes) {
    const r = await (opts.format === 'maildir' ? exportMaildir : exportMbox)(store, mb, opts.to, step);
    result.mailboxes++;
    result.bytes += r.bytes;
    result.warnings.push(...r.warnings);
  }
  result.messages = done;
  return result;
}
