// THREAD=ORDEREDSUBJECT (RFC 5256 3): "The searched messages are sorted by base subject and then
// by the sent date. The messages are then split into separate threads, with each thread
// containing messages with the same base subject text. Finally, the threads are sorted by the
// sent date of the first message in the thread." The first message of a thread is its parent,
// the others are its children. The split is done first, by hashing the base subjects (no string
// comparisons), then each thread and the list of threads are sorted by date.
import { Forest, TICK_EVERY, type ThreadMessages } from './thread-tree.ts';

export async function orderedSubject(messages: ThreadMessages, tick: () => Promise<void>): Promise<Forest> {
  const bySubject = new Map<number, number[]>();
  for (let i = 0; i < messages.length; i++) {
    if (i % TICK_EVERY === 0) await tick();
    const subject = messages.subject[i]!;
    const list = bySubject.get(subject);
    if (list === undefined) bySubject.set(subject, [i]);
    else list.push(i);
  }
  await messages.rankDates(tick);
  const f = new Forest(messages);
  const threads: number[] = [];
  for (const list of bySubject.values()) {
    const [first, ...rest] = await messages.sortByDate(list, (m) => m, tick);
    const root = f.add(first!);
    for (const m of rest) f.link(root, f.add(m));
    threads.push(root);
  }
  f.roots = await messages.sortByDate(threads, (n) => f.message(n), tick);
  return f;
}
