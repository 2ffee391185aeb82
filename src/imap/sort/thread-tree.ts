// What the THREAD algorithms (RFC 5256 3) take and make, and the thread-list syntax of the THREAD
// response (RFC 5256 4), written without recursion: a hostile mailbox can make threads as deep
// as it holds messages. The trees are a Forest: nodes are numbers and their links typed arrays, so
// a mailbox of 50,000 messages makes no object per node for the collector to copy while the
// algorithm runs.
import type { LineBatch } from '../line-batch.ts';
import { ThreadKeys } from '../../mime/thread-key.ts';
import { sortByIntegerKeys } from './packed-sort.ts';
import { slicedSort } from './sliced-sort.ts';

// The messages to thread, in mailbox order, as columns: message `i` is the i-th of each (a mailbox
// of 50,000 makes a few typed arrays, not 50,000 objects). Ties in sent date go by this order. The
// strings the algorithms compare (base subject, Message-ID, references) are their keys
// (src/mime/thread-key.ts), as the header cache stores them.
export class ThreadMessages {
  length = 0;
  n: Uint32Array; // what the response names: the sequence number or the UID
  date: Float64Array; // the sent date, INTERNALDATE when there is none (RFC 5256 3), in seconds
  reply: Uint8Array; // 1 when the base subject extraction removed a reply or forward marker
  subject: Float64Array; // the base subject's key (RFC 5256 2.1, canonical form)
  id: Float64Array; // the Message-ID's key, NaN without one
  // Message i's references' keys (src/mime/header-index.ts): refs[refStart[i]] to refs[refStart[i + 1]].
  refStart: Uint32Array;
  refs = new Float64Array(64);

  constructor(capacity: number) {
    this.n = new Uint32Array(capacity);
    this.date = new Float64Array(capacity);
    this.reply = new Uint8Array(capacity);
    this.subject = new Float64Array(capacity);
    this.id = new Float64Array(capacity);
    this.refStart = new Uint32Array(capacity + 1);
  }

  // A message given by its strings.
  push(n: number, date: number, reply: boolean, baseSubject: string, messageId: string | null, references: readonly string[]): void {
    this.pushKeys(n, date, reply, ThreadKeys.of([{ baseSubject, messageId, references }]), 0);
  }

  // A message whose keys are row `row` of `keys`.
  pushKeys(n: number, date: number, reply: boolean, keys: ThreadKeys, row: number): void {
    const i = this.length++;
    this.n[i] = n;
    this.date[i] = date;
    this.reply[i] = reply ? 1 : 0;
    this.subject[i] = keys.subject[row]!;
    this.id[i] = keys.id[row]!;
    const from = keys.start[row]!;
    const count = keys.start[row + 1]! - from;
    const at = this.refStart[i]!;
    if (at + count > this.refs.length) {
      const bigger = new Float64Array(Math.max(2 * this.refs.length, at + count));
      bigger.set(this.refs);
      this.refs = bigger;
    }
    for (let j = 0; j < count; j++) this.refs[at + j] = keys.refs[from + j]!;
    this.refStart[i + 1] = at + count;
  }

  // Each message's place in sent-date order, ties in mailbox order: made once (rankDates) so that
  // messages compare as two integers and long lists sort with no comparator (packed-sort.ts).
  private rank = new Uint32Array(0);

  async rankDates(tick: () => Promise<void>): Promise<void> {
    const dates = this.date.subarray(0, this.length);
    const order =
      (await sortByIntegerKeys(dates, tick)) ??
      (await slicedSort(
        Array.from({ length: this.length }, (_, i) => i),
        (a, b) => dates[a]! - dates[b]! || a - b,
        tick,
      ));
    this.rank = new Uint32Array(this.length);
    for (let r = 0; r < order.length; r++) this.rank[order[r]!] = r;
  }

  // Messages `a` and `b` by sent date, then mailbox order (after rankDates).
  byDate(a: number, b: number): number {
    return this.rank[a]! - this.rank[b]!;
  }

  // Items in the sent-date order of their messages (`messageOf` each, distinct), after rankDates.
  async sortByDate(items: readonly number[], messageOf: (item: number) => number, tick: () => Promise<void>): Promise<number[]> {
    if (items.length < SHORT_LIST) return [...items].sort((a, b) => this.byDate(messageOf(a), messageOf(b)));
    const ranks = new Float64Array(items.length);
    for (let i = 0; i < items.length; i++) ranks[i] = this.rank[messageOf(items[i]!)]!;
    const order = await sortByIntegerKeys(ranks, tick);
    if (!order) return slicedSort(items, (a, b) => this.byDate(messageOf(a), messageOf(b)), tick);
    return Array.from(order, (i) => items[i]!);
  }
}

// Lists shorter than this are sorted with a comparator: a typed array costs more than it saves.
const SHORT_LIST = 64;

// Messages or nodes handled between two calls of an algorithm's `tick` (each a few microseconds:
// a call per item cost more than the step itself).
export const TICK_EVERY = 256;

const NONE = -1;

// Nodes, each a message (its index in `messages`) or a dummy standing for a message that is
// referenced but absent (RFC 5256 3 REFERENCES). Children are kept in order as a doubly linked
// list, so that unlinking one is a constant step.
export class Forest {
  readonly messages: ThreadMessages;
  size = 0;
  // The top-level threads, in order, once an algorithm is done.
  roots: number[] = [];
  private msg: Int32Array;
  private up: Int32Array;
  private first: Int32Array;
  private last: Int32Array;
  private next: Int32Array;
  private prev: Int32Array;

  constructor(messages: ThreadMessages, capacity = messages.length) {
    this.messages = messages;
    const n = Math.max(16, capacity);
    this.msg = new Int32Array(n);
    this.up = new Int32Array(n);
    this.first = new Int32Array(n);
    this.last = new Int32Array(n);
    this.next = new Int32Array(n);
    this.prev = new Int32Array(n);
  }

  // A new node without parent or children: for message index `m`, or a dummy (NONE).
  add(m = NONE): number {
    if (this.size === this.msg.length) this.grow();
    const i = this.size++;
    this.msg[i] = m;
    this.up[i] = this.first[i] = this.last[i] = this.next[i] = this.prev[i] = NONE;
    return i;
  }

  // The node's message (an index in `messages`), or -1 for a dummy.
  message(i: number): number {
    return this.msg[i]!;
  }
  isDummy(i: number): boolean {
    return this.msg[i] === NONE;
  }
  // A dummy takes its message when it turns up later in the mailbox.
  setMessage(i: number, m: number): void {
    this.msg[i] = m;
  }
  parent(i: number): number {
    return this.up[i]!;
  }
  firstChild(i: number): number {
    return this.first[i]!;
  }
  nextSibling(i: number): number {
    return this.next[i]!;
  }
  hasChildren(i: number): boolean {
    return this.first[i] !== NONE;
  }
  // Whether the node has more than one child.
  branches(i: number): boolean {
    const f = this.first[i]!;
    return f !== NONE && this.next[f] !== NONE;
  }

  // Appends `child` (without a parent) to `parent`'s children.
  link(parent: number, child: number): void {
    this.up[child] = parent;
    const tail = this.last[parent]!;
    this.prev[child] = tail;
    this.next[child] = NONE;
    if (tail === NONE) this.first[parent] = child;
    else this.next[tail] = child;
    this.last[parent] = child;
  }

  unlink(child: number): void {
    const parent = this.up[child]!;
    const before = this.prev[child]!;
    const after = this.next[child]!;
    if (before === NONE) this.first[parent] = after;
    else this.next[before] = after;
    if (after === NONE) this.last[parent] = before;
    else this.prev[after] = before;
    this.up[child] = this.prev[child] = this.next[child] = NONE;
  }

  // The children of a node, in order.
  children(i: number): number[] {
    const out: number[] = [];
    for (let c = this.first[i]!; c !== NONE; c = this.next[c]!) out.push(c);
    return out;
  }

  // Makes `list` (nodes without parents, or `i`'s own children) the children of `i`, in order.
  setChildren(i: number, list: readonly number[]): void {
    this.first[i] = this.last[i] = NONE;
    for (const c of list) this.link(i, c);
  }

  // Takes a node out of the tree: it has no parent (a root) and keeps its children.
  detach(i: number): void {
    this.up[i] = this.prev[i] = this.next[i] = NONE;
  }

  // Every node of the trees below `roots`, each after all of its descendants (a pre-order walk,
  // reversed).
  postOrder(roots: readonly number[]): number[] {
    const out: number[] = [];
    const stack = [...roots];
    while (stack.length) {
      const n = stack.pop()!;
      out.push(n);
      for (let c = this.first[n]!; c !== NONE; c = this.next[c]!) stack.push(c);
    }
    return out.reverse();
  }

  // The message a node sorts by: its own, or for a dummy its first child's (RFC 5256 3
  // REFERENCES step 6), once the children are sorted.
  sortMessage(i: number): number {
    let at = i;
    while (this.msg[at] === NONE) at = this.first[at]!;
    return this.msg[at]!;
  }

  private grow(): void {
    const n = this.msg.length * 2;
    const bigger = (a: Int32Array) => {
      const b = new Int32Array(n);
      b.set(a);
      return b;
    };
    this.msg = bigger(this.msg);
    this.up = bigger(this.up);
    this.first = bigger(this.first);
    this.last = bigger(this.last);
    this.next = bigger(this.next);
    this.prev = bigger(this.prev);
  }
}

// RFC 5256 4: thread-list = "(" (thread-members / thread-nested) ")", thread-members = nz-number
// *(SP nz-number) [SP thread-nested], thread-nested = 2*thread-list. A dummy has no number.
// Written into `out` (a mailbox of 50,000 messages makes a line of hundreds of KB); `tick` lets
// other sessions run meanwhile.
export async function formatThreads(forest: Forest, out: LineBatch, tick: () => Promise<void>): Promise<void> {
  // Nodes whose thread-list is still to be written; CLOSE closes one.
  const stack = openList(forest.roots);
  for (let n = 0; stack.length; n++) {
    if (n % (4 * TICK_EVERY) === 0) await tick();
    let at = stack.pop()!;
    if (at === CLOSE) {
      out.text(')');
      continue;
    }
    out.text('(');
    let sep = false;
    for (;;) {
      const m = forest.message(at);
      if (m !== NONE) {
        if (sep) out.text(' ');
        out.num(forest.messages.n[m]!);
        sep = true;
      }
      if (!forest.hasChildren(at) || forest.branches(at)) break;
      at = forest.firstChild(at);
    }
    if (forest.branches(at)) {
      if (sep) out.text(' ');
      const children = forest.children(at);
      for (let i = children.length - 1; i >= 0; i--) stack.push(CLOSE, children[i]!);
    }
  }
}

// Stands for the end of a thread-list on formatThreads' stack.
const CLOSE = -2;

// The stack that writes these nodes' thread-lists, the first on top; a loop of its own, not
// formatThreads' first (docs/architecture.md, "Code conventions": loops over a mailbox).
function openList(nodes: readonly number[]): number[] {
  const stack: number[] = [];
  for (let i = nodes.length - 1; i >= 0; i--) stack.push(CLOSE, nodes[i]!);
  return stack;
}
