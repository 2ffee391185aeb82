// FETCH and UID FETCH (RFC 9051 6.4.5, 6.4.9; BINARY RFC 3516; CHANGEDSINCE and VANISHED RFC 7162
// 3.1.4, 3.2.6). Structure and sections come from the MessageStructure stored at delivery, ENVELOPE
// from the mailbox's header cache. A fetch of a non-PEEK body section sets \Seen on all the
// messages concerned in ONE store commit, before any response is written, so the FLAGS reported
// are the committed ones.
import { BODY_READ_AT_ONCE, ReadAhead, type HeaderCacheReader, type MessageReads, type MessageRecord } from '../../store/index.ts';
import { sectionBytes, type Envelope, type MessageStructure } from '../../mime/index.ts';
import { Turns } from '../../net/turns.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { formatDateTime, isAtom, quote } from '../encoder.ts';
import { ImapBadSyntax, ImapServerError, ImapUserError } from '../errors.ts';
import type { SequenceSet } from '../parser.ts';
import type { ImapSession } from '../session.ts';
import { fetchIndexed, isIndexed } from './fetch-indexed.ts';
import { parseFetchItems, parseFetchModifiers, type FetchItem, type FetchModifiers } from './fetch-items.ts';
import { binaryBytes, sectionLabel } from './fetch-sections.ts';
import { clipRanges, encodeRanges } from '../uid-ranges.ts';
import { writeBody, writeEnvelope } from './fetch-structure.ts';

interface FetchArgs {
  set: SequenceSet;
  items: FetchItem[];
  mods: FetchModifiers;
}

// Field names are echoed upper-cased, as atoms where possible (Dovecot does the same).
const encodeField = (f: string) => (isAtom(f) ? f.toUpperCase() : quote(f.toUpperCase()));

// Lazily loaded content of one message.
class Content {
  private session: ImapSession;
  private record: MessageRecord;
  private summaries: HeaderCacheReader | null;
  private rawBody: Buffer | undefined;
  private parsedMessage: MessageStructure | undefined;

  constructor(session: ImapSession, record: MessageRecord, summaries: HeaderCacheReader | null) {
    this.session = session;
    this.record = record;
    this.summaries = summaries;
  }

  // From the mailbox's header cache (src/store/header-cache.ts) when the command reads one.
  get envelope(): Envelope {
    return this.summaries?.get(this.record.uid, () => this.record)?.envelope ?? this.parsed.envelope;
  }

  get raw(): Buffer {
    this.rawBody ??= this.session.store.messages.body(this.record.hash);
    if (!this.rawBody) throw new ImapServerError('Message body missing', new Error(`no body for uid ${this.record.uid}`));
    return this.rawBody;
  }

  get parsed(): MessageStructure {
    this.parsedMessage ??= this.session.store.messages.parsed(this.record.hash);
    if (!this.parsedMessage) throw new ImapServerError('Message structure missing', new Error(`no parse for uid ${this.record.uid}`));
    return this.parsedMessage;
  }
}

function fetchSpec(name: 'FETCH' | 'UID FETCH'): CommandSpec<FetchArgs> {
  return {
    names: [name],
    states: STATES.selected,
    holdExpunges: name === 'FETCH',
    args(p) {
      p.sp();
      const set = p.sequenceSet();
      p.sp();
      const items = parseFetchItems(p);
      return { set, items, mods: parseFetchModifiers(p) };
    },
    async run({ session, uid }, { set, items, mods }) {
      const view = session.view!;
      const store = session.store.messages;
      // RFC 7162 3.2.6: VANISHED only in UID FETCH with CHANGEDSINCE, once QRESYNC is enabled.
      if (mods.vanished && (!uid || mods.changedSince === null || !session.qresync)) {
        throw new ImapBadSyntax('VANISHED needs UID FETCH, CHANGEDSINCE and QRESYNC');
      }
      // Ordered, without duplicates; UID first for UID FETCH; MODSEQ with CHANGEDSINCE.
      const wanted: FetchItem[] = [];
      const seen = new Set<string>();
      const push = (i: FetchItem) => {
        const key = JSON.stringify(i);
        if (!seen.has(key)) {
          seen.add(key);
          wanted.push(i);
        }
      };
      if (uid) push({ kind: 'simple', name: 'UID' });
      items.forEach(push);
      if (mods.changedSince !== null) push({ kind: 'simple', name: 'MODSEQ' });
      const has = (n: string) => wanted.some((i) => i.kind === 'simple' && i.name === n);
      // RFC 7162 3.1: FETCH MODSEQ and CHANGEDSINCE enable CONDSTORE.
      if (has('MODSEQ')) session.enabled.add('CONDSTORE');
      const hasFlags = has('FLAGS');

      const uids = view.resolve(set, uid);
      if (mods.vanished) {
        await store.indexReady(view.mailboxId);
        const gone = set.saved ? [] : clipRanges(store.vanished(view.mailboxId, mods.changedSince!), set.ranges);
        if (gone.length) await session.untagged(`VANISHED (EARLIER) ${encodeRanges(gone)}`);
      }

      // RFC 9051 6.4.5: BODY[...] (not PEEK) sets \Seen, committed before any response is sent.
      const setsSeen = !view.readOnly && wanted.some((i) => i.kind === 'section' && !i.peek);
      const seenNow = new Map<number, { flags: string[]; modseq: number }>();
      if (setsSeen) {
        const unseen = uids.filter((u) => {
          const r = store.get(view.mailboxId, u);
          return r !== null && !r.flags.includes('\\Seen');
        });
        if (unseen.length) {
          const { updated } = await store.setFlags({ mailboxId: view.mailboxId, uids: unseen, op: 'add', flags: ['\\Seen'], origin: session });
          for (const u of updated) seenNow.set(u.uid, u);
        }
      }

      const indexed = wanted.every(isIndexed);
      const turns = new Turns();
      let missing = indexed && (await fetchIndexed(session, uids, wanted, mods.changedSince, turns));
      const summaries = !indexed && has('ENVELOPE') ? store.summaries(view.mailboxId) : null;
      const each = indexed ? [] : uids;
      const ahead = readAhead(session, each, wanted);
      try {
        for (let i = 0; i < each.length; i++) {
          await turns.pass();
          const reading = ahead?.ready(i);
          if (reading) await reading;
          const u = each[i]!;
          const record = store.get(view.mailboxId, u);
          if (!record) {
            missing = true;
            continue;
          }
          if (mods.changedSince !== null && record.modseq <= mods.changedSince) continue;
          // The flags sent: their keywords announced first (RFC 9051 7.3.5), and the pending
          // changes they cover not reported again after them with an older MODSEQ (RFC 7162 3.1).
          const withFlags = hasFlags || seenNow.has(u);
          if (withFlags) await session.announceKeywords(record.flags);
          await session.send(fetchResponse(session, view.seqOf(u), record, wanted, seenNow.has(u), summaries));
          if (withFlags) view.reported(u, record.modseq);
        }
      } finally {
        summaries?.close();
      }
      // RFC 5530 EXPUNGEISSUED: another session expunged some of them; NOOP will tell. UID FETCH
      // ignores UIDs that no longer exist (RFC 9051 6.4.9) and reports the expunges before its OK
      // (RFC 9051 7.5.1 allows EXPUNGE responses during UID FETCH).
      if (missing && !uid) throw new ImapUserError('Some of the requested messages no longer exist', 'EXPUNGEISSUED');
    },
  };
}

// A FETCH that reads more than a few pages has the messages' records, and what its items read of
// their bodies, read ahead on lmdb-js's threads, and waits for them (store/read-ahead.ts): cold,
// their pages faulted in on the event loop one by one would hold every other session. A smaller
// one reads at once, as the threads' round trip would cost it more: up to RECORDS_AT_ONCE records
// (a few leaf pages), PARSES_AT_ONCE parses (BODYSTRUCTURE: a page each), or one body of at most
// BODY_READ_AT_ONCE bytes.
const RECORDS_AT_ONCE = 256;
const PARSES_AT_ONCE = 16;
const RECORDS_PER_READ = 256;
const BODIES_PER_READ = 16;

function readAhead(session: ImapSession, uids: readonly number[], items: readonly FetchItem[]): ReadAhead | null {
  const store = session.store.messages;
  const mailboxId = session.view!.mailboxId;
  const reads: MessageReads = items.some((i) => i.kind !== 'simple')
    ? 'whole'
    : items.some((i) => i.kind === 'simple' && (i.name === 'BODY' || i.name === 'BODYSTRUCTURE'))
      ? 'parsed'
      : 'records';
  const atOnce =
    reads === 'records'
      ? uids.length <= RECORDS_AT_ONCE
      : reads === 'parsed'
        ? uids.length <= PARSES_AT_ONCE
        : uids.length === 1 && (store.get(mailboxId, uids[0]!)?.size ?? 0) <= BODY_READ_AT_ONCE;
  if (uids.length === 0 || atOnce) return null;
  return new ReadAhead(store, mailboxId, uids, { reads, batch: reads === 'records' ? RECORDS_PER_READ : BODIES_PER_READ, batches: 2 });
}

function fetchResponse(
  session: ImapSession,
  seq: number,
  record: MessageRecord,
  items: FetchItem[],
  seenChanged: boolean,
  summaries: HeaderCacheReader | null,
) {
  const b = session.builder(`* ${seq} FETCH (`);
  const content = new Content(session, record, summaries);
  let first = true;
  const label = (text: string) => {
    if (!first) b.sp();
    first = false;
    b.raw(text);
  };
  let flagsSent = false;
  let modseqSent = false;
  for (const item of items) {
    if (item.kind === 'simple') {
      switch (item.name) {
        case 'UID':
          label(`UID ${record.uid}`);
          break;
        case 'FLAGS':
          label(`FLAGS ${session.flagList(record.uid, record.flags)}`);
          flagsSent = true;
          break;
        case 'INTERNALDATE':
          label(`INTERNALDATE ${formatDateTime(record.internalDate)}`);
          break;
        case 'RFC822.SIZE':
          label(`RFC822.SIZE ${record.size}`);
          break;
        case 'MODSEQ':
          label(`MODSEQ (${record.modseq})`);
          modseqSent = true;
          break;
        case 'ENVELOPE':
          label('ENVELOPE ');
          writeEnvelope(b, content.envelope);
          break;
        case 'BODY':
          label('BODY ');
          writeBody(b, content.parsed.root, false);
          break;
        case 'BODYSTRUCTURE':
          label('BODYSTRUCTURE ');
          writeBody(b, content.parsed.root, true);
          break;
      }
      continue;
    }
    if (item.kind === 'binary-size') {
      const data = binaryBytes(content.raw, content.parsed, item.part);
      if (data === 'unknown') throw new ImapUserError('Unknown Content-Transfer-Encoding', 'UNKNOWN-CTE');
      label(`BINARY.SIZE[${item.part.join('.')}] ${data?.length ?? 0}`);
      continue;
    }
    let data: Buffer | null;
    if (item.binary) {
      const d = binaryBytes(content.raw, content.parsed, item.section.path);
      if (d === 'unknown') throw new ImapUserError('Unknown Content-Transfer-Encoding', 'UNKNOWN-CTE');
      data = d;
    } else {
      data = sectionBytes(content.raw, content.parsed, item.section);
    }
    let name = item.rfc822 ?? `${item.binary ? 'BINARY' : 'BODY'}[${sectionLabel(item.section, encodeField)}]`;
    if (item.partial && data) {
      const [origin, count] = item.partial;
      name += `<${origin}>`;
      data = data.subarray(Math.min(origin, data.length), Math.min(origin + count, data.length));
    }
    label(`${name} `);
    // A section that does not exist is empty (as Dovecot answers; RFC 9051 leaves it open).
    data ??= Buffer.alloc(0);
    b.literal(data, item.binary && data.includes(0));
  }
  // RFC 3501 6.4.5: flags that the fetch changed are reported with it; RFC 7162 3.1.4 with MODSEQ.
  if (seenChanged && !flagsSent) label(`FLAGS ${session.flagList(record.uid, record.flags)}`);
  if (seenChanged && session.condstore && !modseqSent) label(`MODSEQ (${record.modseq})`);
  b.raw(')');
  return b.done();
}

export const fetch = fetchSpec('FETCH');
export const uidFetch = fetchSpec('UID FETCH');
