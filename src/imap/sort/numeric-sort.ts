// SORT of every message by ARRIVAL, DATE and SIZE only (RFC 5256 3), what a client's list ordered
// by date asks of a large mailbox: the keys go from the mailbox index (SIZE) and the header cache's
// numbers (DATE, ARRIVAL) straight into typed arrays, and positions are sorted, with no object per
// message. The order is order.ts's: each criterion in turn (REVERSE turning it), then mailbox order.
// One criterion, the usual case, is sorted with no comparator (packed-sort.ts).
import { ImapServerError } from '../errors.ts';
import { IndexCursor } from '../index-cursor.ts';
import type { ImapSession } from '../session.ts';
import type { Match, SearchClock } from '../commands/search-run.ts';
import { seconds, sortByIntegerKeys } from './packed-sort.ts';
import { slicedSort } from './sliced-sort.ts';
import type { SortCriterion, SortKey } from './order.ts';

const NUMERIC: ReadonlySet<SortKey> = new Set(['ARRIVAL', 'DATE', 'SIZE']);

export const numericOnly = (criteria: readonly SortCriterion[]) => criteria.every((c) => NUMERIC.has(c.key));

// The view's messages in sort order. A message another session expunged meanwhile (not yet
// reported to this one) is left out, as a search leaves it out.
export async function sortAllByNumbers(session: ImapSession, criteria: readonly SortCriterion[], clock: SearchClock): Promise<Match<null>[]> {
  const uids = session.view!.uids;
  const { keys, kept } = await readKeys(session, criteria, clock);
  // By push, not map() (docs/architecture.md, "Code conventions": loops over a mailbox).
  const signs: number[] = [];
  for (const c of criteria) signs.push(c.reverse ? -1 : 1);
  const tick = () => clock.tick();
  let sorted: ArrayLike<number> | null = null;
  if (keys.length === 1) {
    const own = new Float64Array(kept.length);
    for (let j = 0; j < kept.length; j++) own[j] = signs[0]! * keys[0]![kept[j]!]!;
    const order = await sortByIntegerKeys(own, tick);
    if (order) sorted = order.map((j) => kept[j]!);
  }
  sorted ??= await slicedSort(
    kept,
    (a, b) => {
      for (let k = 0; k < keys.length; k++) {
        const x = keys[k]![a]!;
        const y = keys[k]![b]!;
        if (x !== y) return x < y ? -signs[k]! : signs[k]!;
      }
      return a - b;
    },
    tick,
  );
  const found: Match<null>[] = new Array(sorted.length);
  for (let j = 0; j < sorted.length; j++) found[j] = { seq: sorted[j]! + 1, uid: uids[sorted[j]!]!, modseq: 0, data: null };
  return found;
}

// Each criterion's key per position of the view, and the positions still in the mailbox; a loop
// of its own, its arrays made by push (docs/architecture.md, "Code conventions": loops over a
// mailbox).
async function readKeys(session: ImapSession, criteria: readonly SortCriterion[], clock: SearchClock): Promise<{ keys: Float64Array[]; kept: number[] }> {
  const view = session.view!;
  const store = session.store.messages;
  const uids = view.uids;
  const keys: Float64Array[] = [];
  for (let k = 0; k < criteria.length; k++) keys.push(new Float64Array(uids.length));
  const kept: number[] = [];
  const summaries = store.summaries(view.mailboxId);
  let uid = 0;
  const record = () => store.get(view.mailboxId, uid);
  const cursor = new IndexCursor(store, view.mailboxId);
  try {
    for (let i = 0; i < uids.length; i++) {
      if (clock.due()) await clock.tick();
      if (!cursor.current) await cursor.refresh();
      uid = uids[i]!;
      const position = cursor.position(uid);
      if (position < 0) continue;
      let gone = false;
      for (let k = 0; k < criteria.length; k++) {
        const key = criteria[k]!.key;
        const value = key === 'SIZE' ? cursor.index!.size(position) : key === 'DATE' ? summaries.sentDate(uid, record) : summaries.internalDate(uid, record);
        if (value === undefined) gone = true;
        else keys[k]![i] = key === 'SIZE' ? value : seconds(value);
      }
      if (!gone) kept.push(i);
      else if (record()) throw new ImapServerError('Message content missing', new Error(`uid ${uid}: content missing`));
    }
  } finally {
    summaries.close();
  }
  return { keys, kept };
}
