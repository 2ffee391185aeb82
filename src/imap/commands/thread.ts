// THREAD and UID THREAD (RFC 5256 3, 4): ORDEREDSUBJECT and REFERENCES over the messages a search
// program selects, from their summaries (src/store/header-cache.ts), in slices.
import { STATES, type CommandSpec } from '../command.ts';
import { LineBatch } from '../line-batch.ts';
import type { Parser } from '../parser.ts';
import { sentDate } from '../sort/order.ts';
import { orderedSubject } from '../sort/ordered-subject.ts';
import { threadReferences } from '../sort/references.ts';
import { formatThreads, type ThreadMessage } from '../sort/thread-tree.ts';
import { parseCharset, parseSearchKeys, type SearchKey } from './search-keys.ts';
import { runSearch } from './search-run.ts';

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

function threadSpec(name: 'THREAD' | 'UID THREAD'): CommandSpec<ThreadProgram> {
  return {
    names: [name],
    states: STATES.selected,
    holdExpunges: name === 'THREAD',
    args: (p) => parseThread(p),
    async run({ session, uid }, program) {
      const { found, clock } = await runSearch(session, program.key, (env, c, seq): ThreadMessage => {
        const s = env.summary(c);
        const h = s.headers;
        return { n: uid ? c.uid : seq, seq, date: sentDate(s), baseSubject: h.baseSubject, reply: h.reply, messageId: h.messageId, references: h.references };
      });
      const messages = found.map((f) => f.data);
      const forest = await ALGORITHMS[program.algorithm](messages, () => clock.tick());
      const line = new LineBatch().text('* THREAD');
      if (forest.roots.length) await formatThreads(forest, line.text(' '), () => clock.tick());
      await session.send([line.text('\r\n').take()]);
    },
  };
}

export const thread = threadSpec('THREAD');
export const uidThread = threadSpec('UID THREAD');
