// THREAD=ORDEREDSUBJECT (RFC 5256 3): "The searched messages are sorted by base subject and then
// by the sent date. The messages are then split into separate threads, with each thread
// containing messages with the same base subject text. Finally, the threads are sorted by the
// sent date of the first message in the thread." The first message of a thread is its parent,
// the others are its children. The split is done first, by hashing the base subjects (no string
// comparisons), then each thread and the list of threads are sorted by date.
import { slicedSort } from './sliced-sort.ts';
import { addChild, byDate, node, TICK_EVERY, type ThreadMessage, type ThreadNode } from './thread-tree.ts';

export async function orderedSubject(messages: readonly ThreadMessage[], tick: () => Promise<void>): Promise<ThreadNode[]> {
  const bySubject = new Map<string, ThreadMessage[]>();
  for (let i = 0; i < messages.length; i++) {
    if (i % TICK_EVERY === 0) await tick();
    const m = messages[i]!;
    const list = bySubject.get(m.baseSubject);
    if (list === undefined) bySubject.set(m.baseSubject, [m]);
    else list.push(m);
  }
  const threads: ThreadNode[] = [];
  for (const list of bySubject.values()) {
    const [first, ...rest] = await slicedSort(list, byDate, tick);
    const root = node(first!);
    for (const m of rest) addChild(root, node(m));
    threads.push(root);
  }
  return slicedSort(threads, (a, b) => byDate(a.message!, b.message!), tick);
}
