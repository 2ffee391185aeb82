// Where each local recipient's copy of mail from the internet goes, by that account's junk filter
// (docs/junk.md): junk into the account's Junk mailbox (special-use \Junk, RFC 6154, created when
// missing) with the keyword `$Junk`, the rest into INBOX with `$NotJunk` once the filter has
// trained enough to judge by content. Each copy carries the account's verdict in an
// X-Homepost-Junk field. The message is read once (JunkService.scan: in a worker in the daemon),
// whatever the number of recipients; each account's classifier then scores the tokens. Used by
// inbound SMTP and by the queue's retries of local recipients.
import type { Logger } from '../log/log.ts';
import { type DeliveryTarget, INBOX, isStoreError, type Store } from '../store/index.ts';
import type { JunkVerdict, MessageScan, SenderSignals } from './filter.ts';
import { type HistoryEntry, historyEntry, recordHistory, trustOf } from './reputation.ts';
import { isJunkMailbox, JUNK_KEYWORD, JUNK_ORIGIN, type JunkService, NOT_JUNK_KEYWORD } from './service.ts';

export const JUNK_FIELD = 'X-Homepost-Junk';
export const JUNK_MAILBOX = 'Junk';
// Of each reason's token, at most this many characters go into the field.
const REASON_CHARS = 40;

// One account's copy: the mailbox, the keywords and the field on top.
export interface JunkFiling {
  mailbox: string;
  flags: string[];
  field: string;
  verdict: JunkVerdict;
}

// Each account's filing, with one log line per decision: the rule that decided and the score.
// Null when the message could not be read (a worker failed): it is then delivered as if no
// filter ran.
export async function fileByJunk(
  store: Store,
  junk: JunkService,
  accountIds: readonly number[],
  raw: Buffer,
  log: Logger,
  signals?: SenderSignals,
): Promise<Map<number, JunkFiling> | null> {
  let scan: MessageScan;
  try {
    scan = await junk.scan(raw);
  } catch (e) {
    log.warn('junk.scan_failed', { error: e as Error });
    return null;
  }
  const filings = new Map<number, JunkFiling>();
  const history: HistoryEntry[] = [];
  for (const accountId of accountIds) {
    const trust = trustOf(store, accountId, signals?.author);
    const verdict = junk.judge(accountId, scan, signals && { ...signals, trust });
    const mailbox = verdict.junk ? await junkMailbox(store, accountId) : INBOX;
    const flags = verdict.junk ? [JUNK_KEYWORD] : verdict.rule === 'content' || verdict.rule === 'reputation' ? [NOT_JUNK_KEYWORD] : [];
    log.info('junk.decision', { accountId, rule: verdict.rule, score: Number(verdict.score.toFixed(4)), mailbox, trust });
    filings.set(accountId, { mailbox, flags, field: junkField(verdict), verdict });
    const entry = historyEntry(accountId, signals?.author, verdict);
    if (entry) history.push(entry);
  }
  if (history.length) recordHistory(store, history, log);
  return filings;
}

// A copy to store: the message with one account's field inserted `inserted` bytes long, and the
// accounts that get it (those whose fields are the same).
export interface FiledCopy {
  raw: Buffer;
  inserted: number;
  targets: DeliveryTarget[];
}

// One copy per distinct field, the field right after the first `at` bytes of the message: its
// Return-Path (RFC 5321 4.4 puts that first).
export function filedCopies(raw: Buffer, at: number, accountIds: readonly number[], filings: Map<number, JunkFiling>): FiledCopy[] {
  const copies = new Map<string, DeliveryTarget[]>();
  for (const accountId of accountIds) {
    const filing = filings.get(accountId)!;
    const targets = copies.get(filing.field) ?? [];
    targets.push({ accountId, mailbox: filing.mailbox, flags: filing.flags });
    copies.set(filing.field, targets);
  }
  return [...copies].map(([field, targets]) => {
    // Memory of its own (never Buffer's shared pool), so that it can be moved to a worker.
    const copy = Buffer.from(new ArrayBuffer(raw.length + field.length));
    raw.copy(copy, 0, 0, at);
    copy.write(field, at, 'latin1');
    raw.copy(copy, at + field.length, at);
    return { raw: copy, inserted: field.length, targets };
  });
}

// The account's Junk mailbox: the one with \Junk, else a new "Junk" with it. A "Junk" that
// exists without the attribute (made by a client) takes the mail as it is.
async function junkMailbox(store: Store, accountId: number): Promise<string> {
  const found = store.mailboxes.list(accountId).find((mb) => isJunkMailbox(mb) && !mb.noSelect);
  if (found) return found.name;
  try {
    return (await store.mailboxes.create(accountId, JUNK_MAILBOX, { specialUse: '\\Junk', origin: JUNK_ORIGIN })).name;
  } catch (e) {
    if (isStoreError(e) && e.code === 'exists') return JUNK_MAILBOX;
    throw e;
  }
}

// The field, folded one reason a line (RFC 5322 2.2.3), in US-ASCII: a token's other characters
// (and the separators ";", ",", "(", ")", "%") are percent-encoded as UTF-8.
//   X-Homepost-Junk: score=0.9731; rule=content; reasons=
//    viagra (0.9912),
//    subject:free (0.9804)
export function junkField(verdict: JunkVerdict): string {
  const head = `${JUNK_FIELD}: score=${verdict.score.toFixed(4)}; rule=${verdict.rule}; reasons=`;
  const reasons = verdict.reasons.map((r) => `${encodeToken(r.token)} (${r.probability.toFixed(4)})`);
  return reasons.length ? `${head}\r\n ${reasons.join(',\r\n ')}\r\n` : `${head}none\r\n`;
}

function encodeToken(token: string): string {
  let out = '';
  for (const c of Array.from(token).slice(0, REASON_CHARS)) {
    const code = c.codePointAt(0)!;
    if (code > 0x20 && code < 0x7f && !';,()%'.includes(c)) out += c;
    else if (code < 0x80) out += `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += code >= 0xd800 && code <= 0xdfff ? '%3F' : encodeURIComponent(c); // a lone surrogate has no UTF-8
  }
  return out;
}
