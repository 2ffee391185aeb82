// `homepost export ACCOUNT --maildir DIR | --mbox DIR` and `homepost import ACCOUNT --maildir DIR |
// --mbox FILE [--mailbox NAME] | --imap URL`: an account's mail out to, and in from, the open
// formats of src/transfer and other IMAP servers (docs/transfer.md). Run by whichever process holds the store (the daemon, or the
// CLI when none runs), as the data folder's owner: that user reads and writes the folders given.
// src/transfer is loaded only when a command runs (it reaches the store's modules).
import path from 'node:path';
import { MAX_MESSAGE_SIZE } from '../../memory/message-size.ts';
import { readSetting } from '../../settings/define.ts';
import { formatBytes } from '../../settings/units.ts';
import type { ExportResult } from '../../transfer/export.ts';
import type { ImportResult } from '../../transfer/import.ts';
import { type ImapSource, ImapUrlError, parseImapUrl } from '../../transfer/imap-url.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, type ApiContext, flag, method, optStr, type Params, requireAccount, str } from '../method.ts';

const LONG_MS = 6 * 60 * 60 * 1000;

// Exactly one of --maildir and --mbox, as an absolute path.
function source(raw: Params): { format: 'maildir' | 'mbox'; path: string } {
  const maildir = optStr(raw, 'maildir');
  const mbox = optStr(raw, 'mbox');
  if ((maildir === undefined) === (mbox === undefined)) throw new ApiError('bad-request', 'give one of maildir and mbox');
  return maildir !== undefined ? { format: 'maildir', path: path.resolve(maildir) } : { format: 'mbox', path: path.resolve(mbox!) };
}

// Import's sources: those of export, or --imap URL (with its password).
type ImportSource = { format: 'maildir' | 'mbox'; path: string } | { format: 'imap'; source: ImapSource; password: string; insecureTls: boolean };

function importSource(raw: Params): ImportSource {
  const url = optStr(raw, 'imap');
  if (url === undefined) return source(raw);
  if (raw.maildir !== undefined || raw.mbox !== undefined) throw new ApiError('bad-request', 'give one of maildir, mbox and imap');
  try {
    return { format: 'imap', source: parseImapUrl(url), password: str(raw, 'password'), insecureTls: flag(raw, 'insecureTls') };
  } catch (e) {
    if (e instanceof ImapUrlError) throw new ApiError('bad-request', e.message);
    throw e;
  }
}

const failed = (ctx: ApiContext, what: string, e: unknown): never => {
  if (e instanceof ApiError) throw e;
  ctx.log.warn(`${what}.failed`, { error: e });
  throw new ApiError('internal', `${what} failed: ${(e as Error).message}`);
};

const exportMethod = method({
  offline: true,
  write: false,
  params: (raw) => ({ address: str(raw, 'address'), ...source(raw) }),
  async run(ctx, p): Promise<ExportResult> {
    const account = requireAccount(ctx, p.address);
    const { exportAccount } = await import('../../transfer/export.ts');
    try {
      return await exportAccount(ctx.store, account, {
        format: p.format,
        to: p.path,
        progress: (done, total) => ctx.progress?.({ what: 'messages', done, total }),
      });
    } catch (e) {
      return failed(ctx, 'export', e);
    }
  },
});

const importMethod = method({
  offline: true,
  write: true,
  params: (raw) => ({ address: str(raw, 'address'), mailbox: optStr(raw, 'mailbox'), source: importSource(raw) }),
  async run(ctx, p): Promise<ImportResult> {
    const account = requireAccount(ctx, p.address);
    const { importMaildir, importMbox } = await import('../../transfer/import.ts');
    const { importImap } = await import('../../transfer/imap-source.ts');
    const { parseMessage } = await import('../../mime/index.ts');
    const opts = {
      parse: ctx.daemon ? ctx.daemon.parse : async (raw: Buffer) => parseMessage(raw),
      maxMessageBytes: readSetting(ctx.store.settings, MAX_MESSAGE_SIZE),
      progress: (done: number, total: number | null) => ctx.progress?.({ what: 'messages', done, total }),
    };
    const src = p.source;
    try {
      const r =
        src.format === 'imap'
          ? await importImap(ctx.store, account, src.source, src.password, { ...opts, insecureTls: src.insecureTls })
          : src.format === 'maildir'
            ? await importMaildir(ctx.store, account, src.path, opts)
            : await importMbox(ctx.store, account, src.path, { ...opts, mailbox: p.mailbox });
      ctx.log.info('import.done', { address: account.address, imported: r.imported, skipped: r.skipped, bytes: r.bytes });
      return r;
    } catch (e) {
      return failed(ctx, 'import', e);
    }
  },
});

const FORMAT_OPTIONS = (what: string) => [
  { flag: '--maildir', param: 'maildir', kind: 'string' as const, value: 'DIR', help: `${what} a Maildir (Dovecot's Maildir++ layout)` },
  {
    flag: '--mbox',
    param: 'mbox',
    kind: 'string' as const,
    value: what === 'into' ? 'DIR' : 'FILE',
    help: `${what} mbox ${what === 'into' ? 'files, one per mailbox (NAME.mbox)' : 'file'}`,
  },
];

export const exportGroup: CommandGroup = {
  name: 'export',
  summary: "write an account's mail to a Maildir or mbox files (the way out to another server)",
  entries: [
    entry('', exportMethod, {
      summary: 'every mailbox with its flags, keywords and dates, into a new folder the daemon user can write',
      args: ['address'],
      options: FORMAT_OPTIONS('into'),
      timeoutMs: LONG_MS,
      text: (r) =>
        `exported ${r.messages} messages (${formatBytes(r.bytes)}) in ${r.mailboxes} mailboxes to ${r.to}\n${r.warnings.map((w) => `warning: ${w}\n`).join('')}`,
    }),
  ],
};

export const importGroup: CommandGroup = {
  name: 'import',
  summary: 'bring mail into an account from a Maildir, an mbox file or an IMAP server; run again, it adds only what is missing',
  entries: [
    entry('', importMethod, {
      summary: 'each message with its flags, keywords and date; folders made as needed',
      args: ['address'],
      options: [
        ...FORMAT_OPTIONS('from'),
        {
          flag: '--mailbox',
          param: 'mailbox',
          kind: 'string',
          value: 'NAME',
          help: 'with --mbox: the mailbox to import into (default: the file name less .mbox)',
        },
        {
          flag: '--imap',
          param: 'imap',
          kind: 'string',
          value: 'URL',
          help: "from an IMAP server: imaps://user@host[:port] (or imap:// with STARTTLS); the password is asked for, or read from standard input's first line",
        },
        {
          flag: '--insecure-tls',
          param: 'insecureTls',
          kind: 'boolean',
          help: "with --imap: accept the server's certificate unchecked (a self-signed server you know)",
        },
      ],
      secret: { param: 'password', prompt: 'Password on the IMAP server: ', when: (params) => params.imap !== undefined },
      timeoutMs: LONG_MS,
      text: (r) =>
        `imported ${r.imported} messages (${formatBytes(r.bytes)}) into ${r.mailboxes.join(', ')}; ${r.skipped} already there\n` +
        r.tooLarge.map((t) => `left out: a message of ${formatBytes(t.bytes)} in ${t.mailbox}, larger than smtp.maxMessageSize\n`).join(''),
    }),
  ],
};
