// `homepost import ACCOUNT --imap imaps://user@host[:port]`: migration from an existing mailbox
// (an ISP's, another server's) with imapflow, an IMAP client kept by the author of nodemailer.
// Every folder that can hold messages, each message with its flags, keywords and INTERNALDATE; the
// special-use folders (RFC 6154: \Sent, \Drafts, \Trash, \Junk, \Archive) go to the account's own.
// Resumable: a message whose Message-ID and size the target folder already holds is not even
// downloaded; one without a Message-ID is downloaded and skipped when its bytes are there
// (import.ts). Folders are read with EXAMINE: the source is never changed.
//
// imap:// must upgrade with STARTTLS, except on a loopback address (imap-url.ts: the URLs). The
// server's certificate is checked against the system's CAs unless `insecureTls` is given (a
// self-signed server the user knows).
import { isIP } from 'node:net';
import { type AccountInfo, isStoreError, type Store } from '../store/index.ts';
import { DELIMITER, INBOX } from '../store/mailboxes.ts';
import { type ImportOptions, Importer, type ImportResult, type Incoming } from './import.ts';
import type { ImapSource } from './imap-url.ts';

// Messages downloaded per FETCH.
const FETCH_BATCH = 50;
const SPECIAL_USE = ['\\Sent', '\\Drafts', '\\Trash', '\\Junk', '\\Archive'];

const isLoopback = (host: string) => host === 'localhost' || (isIP(host) === 4 && host.startsWith('127.')) || host === '::1';

const messageKey = (messageId: string | null | undefined, size: number) => (messageId ? `${messageId.trim().replace(/^<|>$/g, '')}|${size}` : null);

// What the target folder holds, by Message-ID and size (a multiset: duplicates count).
function heldKeys(store: Store, mailboxId: number): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of store.messages.list(mailboxId)) {
    const k = messageKey(store.messages.parsed(m.hash)?.envelope.messageId, m.size);
    if (k) out.set(k, (out.get(k) ?? 0) + 1);
  }
  return out;
}

export async function importImap(
  store: Store,
  account: AccountInfo,
  source: ImapSource,
  password: string,
  opts: ImportOptions & { insecureTls?: boolean },
): Promise<ImportResult> {
  const { ImapFlow } = await import('imapflow');
  const client = new ImapFlow({
    host: source.host,
    port: source.port,
    secure: source.secure,
    doSTARTTLS: source.secure ? undefined : isLoopback(source.host) ? undefined : true,
    auth: { user: source.user, pass: password },
    tls: { rejectUnauthorized: !opts.insecureTls, servername: isIP(source.host) ? undefined : source.host },
    logger: false,
    disableAutoIdle: true,
  });
  client.on('error', () => {});
  try {
    await client.connect();
  } catch (e) {
    const why = (e as { authenticationFailed?: boolean }).authenticationFailed ? 'the server refused the user name or password' : (e as Error).message;
    throw new Error(`cannot log in to ${source.host}:${source.port}: ${why}`);
  }
  try {
    const folders = (await client.list()).filter((f) => !f.flags.has('\\Noselect') && !f.flags.has('\\NonExistent'));
    const own = new Map(store.mailboxes.list(account.id).flatMap((mb) => (mb.specialUse ? [[mb.specialUse, mb.name] as const] : [])));
    const targetOf = (f: (typeof folders)[number]): string => {
      if (f.path.toUpperCase() === INBOX) return INBOX;
      const special = f.specialUse && SPECIAL_USE.includes(f.specialUse) ? own.get(f.specialUse) : undefined;
      if (special) return special;
      return f.delimiter && f.delimiter !== DELIMITER ? f.path.split(f.delimiter).join(DELIMITER) : f.path;
    };
    let total = 0;
    for (const f of folders) {
      const status = await client.status(f.path, { messages: true });
      total += status ? (status.messages ?? 0) : 0;
    }
    const importer = new Importer(store, account, opts, total);
    for (const f of folders) {
      const target = await importer.target(targetOf(f));
      const opened = await client.mailboxOpen(f.path, { readOnly: true });
      if (opened.exists === 0) continue;
      const there = heldKeys(store, target.id);
      // UID -> whether its Message-ID and size showed it missing (else its bytes will tell).
      const wanted = new Map<number, boolean>();
      for await (const m of client.fetch('1:*', { uid: true, size: true, envelope: true })) {
        const k = messageKey(m.envelope?.messageId, m.size ?? -1);
        const n = k ? (there.get(k) ?? 0) : 0;
        if (k && n > 0) {
          there.set(k, n - 1);
          importer.skip(1);
        } else wanted.set(m.uid, k !== null);
      }
      const uids = [...wanted.keys()];
      const download = async function* (): AsyncGenerator<Incoming> {
        for (let i = 0; i < uids.length; i += FETCH_BATCH) {
          const batch = uids.slice(i, i + FETCH_BATCH);
          const got: Incoming[] = [];
          for await (const m of client.fetch(batch.join(','), { uid: true, flags: true, internalDate: true, source: true }, { uid: true })) {
            if (!m.source) continue;
            const date = m.internalDate ? new Date(m.internalDate).getTime() : Date.now();
            got.push({ raw: m.source, flags: [...(m.flags ?? [])].filter((x) => x !== '\\Recent'), internalDate: date, missing: wanted.get(m.uid) });
          }
          // Stored after the FETCH ends: imapflow holds the connection until then.
          yield* got;
        }
      };
      await importer.mailbox(target.name, download());
    }
    return importer.result;
  } catch (e) {
    if (isStoreError(e)) throw e;
    throw new Error(`${source.host}:${source.port}: ${(e as Error).message}; what was copied stays, and the import goes on from there when run again`);
  } finally {
    await client.logout().catch(() => client.close());
  }
}
