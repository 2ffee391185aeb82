// Runs a search program over the selected mailbox for SEARCH, SORT and THREAD: in slices of at
// most SLICE_MS (src/net/turns.ts), yielding to the event loop between them (one loop serves every
// protocol), with large text parts decoded in a worker. Header keys read the mailbox's header cache
// (src/store/header-cache.ts), not the parse or the raw message, and no message record is read
// unless a key needs it.
import type { BodyPart } from '../../mime/decode.ts';
import type { MimePart } from '../../mime/index.ts';
import { Turns } from '../../net/turns.ts';
import { free, ReadAhead, type MessageRecord } from '../../store/index.ts';
import { JobError } from '../../offload/pool.ts';
import { ImapServerError, ImapUserError } from '../errors.ts';
import { IndexCursor } from '../index-cursor.ts';
import type { ImapSession } from '../session.ts';
import { loadText, matches, resolveSets, textNeeds, type Candidate, type SearchEnv } from './search-eval.ts';
import { usesModseq, type SearchKey } from './search-keys.ts';

// The text of large parts, decoded in a worker: their bytes are copied into a buffer of their own
// that moves to the worker (the message itself stays for the other keys).
async function partsTextOffLoop(session: ImapSession, raw: Buffer, parts: readonly MimePart[]): Promise<string> {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.end - p.bodyStart, 0));
  const moved: BodyPart[] = [];
  let at = 0;
  for (const p of parts) {
    bytes.set(raw.subarray(p.bodyStart, p.end), at);
    moved.push({ bodyStart: at, end: at + p.end - p.bodyStart, encoding: p.encoding, params: p.params });
    at += p.end - p.bodyStart;
  }
  try {
    const { text } = await session.svc.offload.run('text', { bytes, parts: moved }, { deadlineMs: 30_000, transfer: [bytes.buffer] });
    return text;
  } catch (e) {
    if (e instanceof JobError && (e.reason === 'memory' || e.reason === 'timeout'))
      throw new ImapUserError('A message is too large to search; try a narrower search', 'LIMIT');
    throw new ImapServerError('Search failed', e);
  }
}

class MessageGone extends Error {
  constructor(uid: number) {
    super(`uid ${uid}: content missing`);
    this.name = 'MessageGone';
  }
}

// Past the budget (ImapConfig.searchBudgetMs) a search ends with NO [LIMIT] (RFC 5530) instead of
// holding the session and the CPU; within it, it gives the loop back every SLICE_MS.
export class SearchClock {
  private deadline = performance.now();
  private turns = new Turns();
  slices = 0; // yields so far

  constructor(budgetMs: number) {
    this.deadline += budgetMs;
  }

  // True once the loop is due back: callers skip the await of tick() until then.
  due(): boolean {
    return this.turns.due();
  }

  async tick(): Promise<void> {
    if (!this.turns.due()) return;
    if (performance.now() > this.deadline) throw new ImapUserError('Search took too long; try a narrower search', 'LIMIT');
    await this.turns.pass();
    this.slices++;
  }
}

// Records of the view's UIDs, ascending, read RECORD_BATCH at a time by one cursor walk instead of a
// get per UID. A batch is dropped whenever the clock yields, so a record is read in the slice
// that evaluates it, as with a get per UID.
const RECORD_BATCH = 128;
// A search that reads messages' text has them read ahead by this many batches past the one it is
// at (read-ahead.ts), so lmdb-js's threads keep the disk busy while it evaluates.
const AHEAD_BATCHES = 4;

export function recordReader(
  store: ImapSession['store']['messages'],
  mailboxId: number,
  clock: Pick<SearchClock, 'slices'>,
): (uid: number) => MessageRecord | null {
  let batch: MessageRecord[] = [];
  let at = 0;
  let slice = clock.slices;
  return (uid) => {
    while (at < batch.length && batch[at]!.uid < uid) at++;
    if (at === batch.length || slice !== clock.slices) {
      slice = clock.slices;
      batch = store.list(mailboxId, uid, RECORD_BATCH);
      at = 0;
    }
    return batch[at]?.uid === uid ? batch[at]! : null;
  };
}

// A message of the view, its record read on first use (recordReader).
class ViewCandidate implements Candidate {
  readonly uid: number;
  summary?: Candidate['summary'];
  raw?: Buffer;
  parsed?: Candidate['parsed'];
  fields?: Candidate['fields'];
  headerText?: string;
  bodyText?: string;
  private read: (uid: number) => MessageRecord | null;
  private loaded: MessageRecord | null | undefined;

  constructor(uid: number, read: (uid: number) => MessageRecord | null) {
    this.uid = uid;
    this.read = read;
  }

  find(): MessageRecord | null {
    if (this.loaded === undefined) this.loaded = this.read(this.uid);
    return this.loaded;
  }

  get record(): MessageRecord {
    const r = this.find();
    if (!r) throw new MessageGone(this.uid);
    return r;
  }
}

export interface Match<T> {
  seq: number;
  uid: number;
  modseq: number;
  data: T;
}

// The messages matching `key`, in mailbox order, each with what `keep` takes of it (SORT and
// THREAD: their keys, from env.summary()) given its sequence number.
export async function runSearch<T>(
  session: ImapSession,
  key: SearchKey,
  keep: (env: SearchEnv, c: Candidate, seq: number) => T,
): Promise<{ found: Match<T>[]; clock: SearchClock }> {
  const view = session.view!;
  const store = session.store.messages;
  const sets = new Map<SearchKey, Set<number>>();
  resolveSets(view, key, sets);
  const clock = new SearchClock(session.svc.config.searchBudgetMs);
  const needs = textNeeds(key);
  const uids = view.uids;
  const recordOf = recordReader(store, view.mailboxId, clock);
  // Messages whose text is read are waited for, never faulted in by the loop (read-ahead.ts).
  const ahead = needs.raw ? new ReadAhead(store, view.mailboxId, uids, { reads: 'whole', batch: RECORD_BATCH, batches: AHEAD_BATCHES }) : null;
  const summaries = store.summaries(view.mailboxId);
  const env: SearchEnv = {
    view,
    sets,
    newUids: view.recent,
    body(c) {
      c.raw ??= store.body(c.record.hash);
      c.parsed ??= store.parsed(c.record.hash);
      if (!c.raw || !c.parsed) throw new MessageGone(c.uid);
      return { raw: c.raw, parsed: c.parsed };
    },
    summary(c) {
      c.summary ??= summaries.get(c.uid, () => c.find());
      if (!c.summary) throw new MessageGone(c.uid);
      return c.summary;
    },
    text: (raw, parts) => partsTextOffLoop(session, raw, parts),
  };
  const found: Match<T>[] = [];
  // RFC 7162 3.1.5: the MODSEQ of the messages found is reported only for a program that has one.
  const withModseq = usesModseq(key);
  const readsText = needs.headers || needs.body;
  const cursor = new IndexCursor(store, view.mailboxId);
  try {
    for (let i = 0; i < uids.length; i++) {
      if (clock.due()) await clock.tick();
      if (!cursor.current) await cursor.refresh();
      // Expunged by another session (not yet reported to this one): it matches nothing.
      const uid = uids[i]!;
      if (cursor.position(uid) < 0) continue;
      const c = new ViewCandidate(uid, recordOf);
      try {
        const reading = ahead?.ready(i);
        if (reading) await reading;
        if (readsText) await loadText(env, c, needs, () => clock.tick());
        if (matches(env, c, key)) found.push({ seq: i + 1, uid: c.uid, modseq: withModseq ? c.record.modseq : 0, data: keep(env, c, i + 1) });
      } catch (e) {
        // Expunged by another session while this one searched: it matches nothing.
        if (!(e instanceof MessageGone) || store.get(view.mailboxId, c.uid))
          throw e instanceof MessageGone ? new ImapServerError('Message content missing', e) : e;
      } finally {
        // The message's bytes go back now, not at the next collection (src/store/free.ts).
        free(c.raw);
      }
    }
  } finally {
    summaries.close();
  }
  return { found, clock };
}
