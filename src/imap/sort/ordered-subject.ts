// THREAD=ORDEREDSUBJECT (RFC 5256 3): "The searched messages are sorted by base subject and then
// by the sent date. The messages are then split into separate threads, with each thread
// containing messages with the same base subject text. Finally, the threads are sorted by the
// sent date of the first message in the thread." The first message of a thread is its parent,
// the others are its children.
import { slicedSort } from './sliced-sort.ts';
import { byDate, node, type ThreadMessage, type ThreadNode } from './thread-tree.ts';

export async function orderedSubject(messages: readonly ThreadMessage[], tick: () => Promise<void>): Promise<ThreadNode[]> {
  const cmp = (a: ThreadMessage, b: ThreadMessage) => (a.baseSubject < b.baseSubject ? -1 : a.baseSubject > b.baseSubject ? 1 : byDate(a, b));
  const threads: ThreadNode[] = [];
  for (const m of await slicedSort(messages, cmp, tick)) {
    const last = threads.at(-1);
    if (last !== undefined && last.message!.baseSubject === m.baseSubject) {
      const child = node(m);
      child.parent = last;
      last.children.push(child);
    } else threads.push(node(m));
  }
  return slicedSort(threads, (a, b) => byDate(a.message!, b.message!), tick);
}
