// FETCH of the items the store's index of the mailbox (UID, FLAGS, MODSEQ, RFC822.SIZE) and its
// header cache (ENVELOPE, INTERNALDATE) answer: no message record is read for them. What a
// client's header sync asks for, over every message of a large mailbox; also STORE's answer.
//
// Lines are written into a LineBatch by a synchronous loop (IndexedLines.write) that stops when
// the batch holds BATCH_BYTES, the turn is over, or a message's flags hold a keyword the session
// has not announced; the async driver then sends the batch, announces the keywords (RFC 9051
// 7.3.5: before their first use), or gives the loop back, and calls it again. With no await
// inside, V8 optimizes the loop as a plain function (docs/architecture.md, "Code conventions":
// loops over a mailbox).
import type { HeaderCacheReader, Store } from '../../store/index.ts';
import type { Turns } from '../../net/turns.ts';
import { formatDateTime } from '../encoder.ts';
import { IndexCursor } from '../index-cursor.ts';
import { LineBatch } from '../line-batch.ts';
import type { MailboxView } from '../mailbox-view.ts';
import type { ImapSession } from '../session.ts';
import type { FetchItem } from './fetch-items.ts';
import { writeEnvelope } from './fetch-structure.ts';

const INDEXED = new Set(['UID', 'FLAGS', 'MODSEQ', 'RFC822.SIZE', 'INTERNALDATE', 'ENVELOPE']);
export const isIndexed = (i: FetchItem) => i.kind === 'simple' && INDEXED.has(i.name);

const BATCH_BYTES = 65_536;

// FETCH of indexed items only; true when some UIDs are no longer in the mailbox. A batch goes out
// before any FLAGS announcing a new keyword, and before the loop is given back (so a commit
// meanwhile cannot reorder what the client reads).
export async function fetchIndexed(session: ImapSession, uids: number[], items: FetchItem[], changedSince: number | null, turns: Turns): Promise<boolean> {
  const lines = new IndexedLines(session, items, changedSince);
  try {
    for (let at = 0; at < uids.length; ) {
      if (!lines.cursor.current) await lines.cursor.refresh();
      at = lines.write(uids, at, turns);
      if (lines.batch.length) await session.send([lines.batch.take()]);
      if (lines.announce) await session.announceKeywords(lines.announce);
      lines.announce = null;
      await turns.pass();
    }
  } finally {
    lines.close();
  }
  return lines.missing;
}

class IndexedLines {
  readonly cursor: IndexCursor;
  readonly batch: LineBatch;
  // Set when write() stopped before a message whose flags hold keywords to announce first.
  announce: readonly string[] | null = null;
  missing = false;
  private session: ImapSession;
  private view: MailboxView;
  private store: Store['messages'];
  private changedSince: number | null;
  private summaries: HeaderCacheReader | null;
  private names: string[] = [];
  private withFlags: boolean;
  // Flag lists are interned by the index: one already checked for new keywords is skipped, and
  // each is written once, and once more for messages recent to this session (with \Recent).
  private checked: readonly string[] | null = null;
  private flagText = new Map<readonly string[], string>();
  private recentFlagText = new Map<readonly string[], string>();
  private seq = 0;

  constructor(session: ImapSession, items: FetchItem[], changedSince: number | null) {
    this.session = session;
    this.view = session.view!;
    this.store = session.store.messages;
    this.changedSince = changedSince;
    // By push, not map() (docs/architecture.md, "Code conventions": loops over a mailbox).
    for (const i of items) this.names.push(i.kind === 'simple' ? i.name : '');
    this.withFlags = this.names.includes('FLAGS');
    const withSummary = this.names.includes('ENVELOPE') || this.names.includes('INTERNALDATE');
    this.summaries = withSummary ? this.store.summaries(this.view.mailboxId) : null;
    this.cursor = new IndexCursor(this.store, this.view.mailboxId);
    this.batch = new LineBatch(session.utf8);
  }

  // Writes the lines of uids[at..] until the batch is full, the turn is over, or announce is set;
  // the position to go on from. The UIDs come ascending: each is looked for first just past the
  // previous one in the view (which changes only between commands, dispatch.ts), before a binary
  // search; so too in the index (IndexCursor).
  write(uids: number[], at: number, turns: Turns): number {
    const { view, store, names, batch, cursor } = this;
    const index = cursor.index;
    const listed = view.uids;
    for (; at < uids.length; at++) {
      if (batch.length >= BATCH_BYTES || turns.due()) return at;
      const u = uids[at]!;
      const i = cursor.position(u);
      const summary = i >= 0 && this.summaries ? this.summaries.get(u, () => store.get(view.mailboxId, u)) : null;
      if (!index || i < 0 || summary === undefined) {
        this.missing = true;
        continue;
      }
      const modseq = index.modseq(i);
      if (this.changedSince !== null && modseq <= this.changedSince) continue;
      const flags = index.flags(i);
      // As in the record path: keywords announced first, covered pending changes dropped.
      if (this.withFlags && flags !== this.checked) {
        if (this.session.hasNewKeywords(flags)) {
          this.announce = flags;
          return at;
        }
        this.checked = flags;
      }
      this.seq = listed[this.seq] === u ? this.seq + 1 : view.seqOf(u);
      batch.text('* ').num(this.seq).text(' FETCH (');
      for (let k = 0; k < names.length; k++) {
        if (k) batch.text(' ');
        const name = names[k];
        if (name === 'UID') batch.text('UID ').num(u);
        else if (name === 'FLAGS') batch.text(this.flagsText(u, flags));
        else if (name === 'MODSEQ') batch.text('MODSEQ (').num(modseq).text(')');
        else if (name === 'RFC822.SIZE') batch.text('RFC822.SIZE ').num(index.size(i));
        else if (name === 'INTERNALDATE') batch.text('INTERNALDATE ').text(formatDateTime(summary!.internalDate));
        else writeEnvelope(batch.text('ENVELOPE '), summary!.envelope);
      }
      batch.text(')\r\n');
      if (this.withFlags) view.reported(u, modseq);
    }
    return at;
  }

  close(): void {
    this.summaries?.close();
  }

  private flagsText(u: number, flags: readonly string[]): string {
    const texts = this.view.recent.has(u) ? this.recentFlagText : this.flagText;
    let text = texts.get(flags);
    if (text === undefined) {
      text = `FLAGS ${this.session.flagList(u, flags)}`;
      texts.set(flags, text);
    }
    return text;
  }
}
