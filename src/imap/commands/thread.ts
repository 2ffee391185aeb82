// THREAD and UID THREAD (RFC 5256 3, 4): ORDEREDSUBJECT and REFERENCES over the messages a search
// program selects, from the header cache's columns (src/store/header-cache.ts), in slices. THREAD
// of ALL, what clients ask of a whole mailbox, reads the view's messages without a search.
import { ImapServerError } from '../errors.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { IndexCursor } from '../index-cursor.ts';
import { LineBatch } from '../line-batch.ts';
import type { Parser } from '../parser.ts';
import type { ImapSession } from '../session.ts';
import { orderedSubject } from '../sort/ordered-subject.ts';
import { seconds } from '../sort/packed-sort.ts';
import { threadReferences } from '../sort/references.ts';
import { formatThreads, ThreadMessages } from '../sort/thread-tree.ts';
import { parseCharset, parseSearchKeys, type SearchKey } from './search-keys.ts';
import { runSearch, SearchClock } from './search-run.ts';

const ALGORITHMS = { ORDEREDSUBJECT: orderedSubject, REFERENCES: threadReferences };
type Algorithm = keyof typeof ALGORITHMS;

interface ThreadProgram {
  algorithm: Algorithm;
  key: SearchKey;
}

// thread = ["UID" SP] "THREAD" SP thread-alg SP search-criteria
function parseThread(p: Parser): ThreadProgram {
  p.sp();
  const algorithm = p.atom().toUpperCase();
  if (!(algorithm in ALGORITHMS)) p.fail(`Unknown thread algorithm ${algorithm.slice(0, 30)}`);
  p.sp();
  parseCharset(p);
  p.sp();
  return { algorithm: algorithm as Algorithm, key: parseSearchKeys(p) };
}

// What the algorithms read of the messages at these positions of the view (ascending). A message
// another session expunged meanwhile (not yet reported to this one) is left out, as a search
// leaves it out.
async function threadMessages(session: ImapSession, positions: ArrayLike<number>, uid: boolean, clock: SearchClock): Promise<ThreadMessages> {
  const view = session.view!;
  const store = session.store.messages;
  const uids = view.uids;
  const out = new ThreadMessages(positions.length);
  const summaries = store.summaries(view.mailboxId);
  let u = 0;
  const record = () => store.get(view.mailboxId, u);
  const cursor = new IndexCursor(store, view.mailboxId);
  try {
    for (let k = 0; k < positions.length; k++) {
      if (clock.due()) await clock.tick();
      if (!cursor.current) await cursor.refresh();
      const i = positions[k]!;
      u = uids[i]!;
      if (cursor.position(u) < 0) continue;
      if (!summaries.locate(u, record)) {
        if (record()) throw new ImapServerError('Message content missing', new Error(`uid ${u}: content missing`));
        continue;
      }
      out.pushKeys(uid ? u : i + 1, seconds(summaries.foundSentDate()), summaries.foundReply(), summaries.foundThreadKeys(), summaries.foundRow());
    }
  } finally {
    summaries.close();
  }
  return out;
}

// The view's positions a search program selects: every one for ALL, without a search.
async function selected(session: ImapSession, key: SearchKey): Promise<{ positions: ArrayLike<number>; clock: SearchClock }> {
  if (key.k !== 'all') {
    const { found, clock } = await runSearch(session, key, () => null);
    return { positions: found.map((f) => f.seq - 1), clock };
  }
  return { positions: allPositions(session.view!.uids.length), clock: new SearchClock(session.svc.config.searchBudgetMs) };
}

// 0..n-1, in a function of its own (docs/architecture.md, "Code conventions": loops over a
// mailbox).
function allPositions(n: number): Uint32Array {
  const all = new Uint32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  return all;
}

function threadSpec(name: 'THREAD' | 'UID THREAD'): CommandSpec<ThreadProgram> {
  return {
    names: [name],
    states: STATES.selected,
    holdExpunges: name === 'THREAD',
    args: (p) => parseThread(p),
    async run({ session, uid }, program) {
      const { positions, clock } = await selected(session, program.key);
      const messages = await threadMessages(session, positions, uid, clock);
      const forest = await ALGORITHMS[program.algorithm](messages, () => clock.tick());
      const line = new LineBatch().text('* THREAD');
      if (forest.roots.length) await formatThreads(forest, line.text(' '), () => clock.tick());
      await session.send([line.text('\r\n').take()]);
    },
  };
}

export const thread = threadSpec('THREAD');
export const uidThread = threadSpec('UID THREAD');
