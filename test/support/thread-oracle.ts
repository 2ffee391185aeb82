// The object-per-node THREAD=REFERENCES that src/imap/sort/references.ts replaced (as it stood
// before the typed-array Forest), kept only as the oracle of its differential test
// (src/imap/sort/references-diff.test.ts): the same RFC 5256 steps, a ThreadNode object per node.
import type { LineBatch } from '../../src/imap/line-batch.ts';
import { slicedSort } from '../../src/imap/sort/sliced-sort.ts';
import { TICK_EVERY, ThreadMessages } from '../../src/imap/sort/thread-tree.ts';

// A message as the oracle takes it: an object of its own.
export interface ThreadMessage {
  n: number;
  seq: number;
  date: number;
  baseSubject: string;
  reply: boolean;
  messageId: string | null;
  references: string[];
}

const byDate = (a: ThreadMessage, b: ThreadMessage): number => a.date - b.date || a.seq - b.seq;

// The same messages as the columns src/imap/sort takes (in `seq` order, as they are given).
export function asColumns(messages: readonly ThreadMessage[]): ThreadMessages {
  const out = new ThreadMessages(messages.length);
  for (const m of messages) out.push(m.n, m.date, m.reply, m.baseSubject, m.messageId, m.references);
  return out;
}

// A message, or a dummy (message null) standing for a message that is referenced but absent.
interface ThreadNode {
  message: ThreadMessage | null;
  parent: ThreadNode | null;
  children: ThreadNode[];
}

const node = (message: ThreadMessage | null): ThreadNode => ({ message, parent: null, children: [] });

// Every node of the trees below `roots`, each after all of its descendants (a pre-order walk,
// reversed).
function postOrder(roots: readonly ThreadNode[]): ThreadNode[] {
  const out: ThreadNode[] = [];
  const stack = [...roots];
  while (stack.length) {
    const n = stack.pop()!;
    out.push(n);
    for (const c of n.children) stack.push(c);
  }
  return out.reverse();
}

// The message a node sorts by: its own, or for a dummy its first child's (RFC 5256 3 REFERENCES
// step 6), once the children are sorted.
function sortMessage(n: ThreadNode): ThreadMessage {
  let at = n;
  while (at.message === null) at = at.children[0]!;
  return at.message;
}

// RFC 5256 4: thread-list = "(" (thread-members / thread-nested) ")", thread-members = nz-number
// *(SP nz-number) [SP thread-nested], thread-nested = 2*thread-list. A dummy has no number.
// Written into `out` (a mailbox of 50,000 messages makes a line of hundreds of KB); `tick` lets
// other sessions run meanwhile.
export async function formatNodes(roots: readonly ThreadNode[], out: LineBatch, tick: () => Promise<void>): Promise<void> {
  // Nodes whose thread-list is still to be written; null closes one.
  const stack: (ThreadNode | null)[] = [];
  for (let i = roots.length - 1; i >= 0; i--) stack.push(null, roots[i]!);
  for (let n = 0; stack.length; n++) {
    if (n % (4 * TICK_EVERY) === 0) await tick();
    let at = stack.pop();
    if (at === null) {
      out.text(')');
      continue;
    }
    out.text('(');
    let sep = false;
    for (;;) {
      if (at!.message) {
        if (sep) out.text(' ');
        out.num(at!.message.n);
        sep = true;
      }
      if (at!.children.length !== 1) break;
      at = at!.children[0]!;
    }
    if (at!.children.length > 1) {
      if (sep) out.text(' ');
      for (let i = at!.children.length - 1; i >= 0; i--) stack.push(null, at!.children[i]!);
    }
  }
}

// True when `a` is `b` or one of its ancestors: linking b as a's parent would make a loop.
function isAncestor(a: ThreadNode, b: ThreadNode): boolean {
  // A node without children is the ancestor of none (new nodes, mostly): no walk up a long thread.
  if (a.children.length === 0) return a === b;
  for (let n: ThreadNode | null = b; n !== null; n = n.parent) if (n === a) return true;
  return false;
}

function link(parent: ThreadNode, child: ThreadNode): void {
  child.parent = parent;
  parent.children.push(child);
}

function unlink(child: ThreadNode): void {
  const siblings = child.parent!.children;
  siblings.splice(siblings.indexOf(child), 1);
  child.parent = null;
}

// (1) The messages linked by their references; every node made, in order.
async function linkReferences(messages: readonly ThreadMessage[], tick: () => Promise<void>): Promise<ThreadNode[]> {
  const byId = new Map<string, ThreadNode>();
  const nodes: ThreadNode[] = [];
  const container = (id: string): ThreadNode => {
    let n = byId.get(id);
    if (n === undefined) {
      n = node(null);
      byId.set(id, n);
      nodes.push(n);
    }
    return n;
  };
  for (let i = 0; i < messages.length; i++) {
    if (i % TICK_EVERY === 0) await tick();
    const m = messages[i]!;
    // "If two or more messages have the same Message ID, ... assign a unique Message ID to each
    // of the subsequent messages"; so too for a message without one.
    let self = m.messageId === null ? undefined : byId.get(m.messageId);
    if (self !== undefined && self.message === null) self.message = m;
    else {
      self = node(m);
      nodes.push(self);
      if (m.messageId !== null && !byId.has(m.messageId)) byId.set(m.messageId, self);
    }
    // (1.A) each reference the parent of the next, unless already linked or a loop
    let prev: ThreadNode | null = null;
    for (const id of m.references) {
      const ref = container(id);
      if (prev !== null && ref.parent === null && !isAncestor(ref, prev)) link(prev, ref);
      prev = ref;
    }
    // (1.B) the last reference is the message's parent (none without references), replacing
    // the parent an earlier message's references gave it; again no loop
    if (prev !== null && isAncestor(self, prev)) continue;
    if (self.parent !== null) unlink(self);
    if (prev !== null) link(prev, self);
  }
  return nodes;
}

// (4) Dummies without children go; those with children are replaced by them, except at the root
// where a dummy stays unless it has only one child. Returns the new root set.
function prune(nodes: readonly ThreadNode[]): ThreadNode[] {
  const roots = nodes.filter((n) => n.parent === null);
  for (const n of postOrder(roots)) {
    let dummies = false;
    for (const c of n.children) dummies ||= c.message === null;
    if (!dummies) continue;
    const children = n.children.flatMap((c) => (c.message === null ? c.children : [c]));
    for (const c of children) c.parent = n;
    n.children = children;
  }
  return roots.flatMap((r) => {
    if (r.message !== null || r.children.length > 1) return [r];
    for (const c of r.children) c.parent = null;
    return r.children;
  });
}

// (6) Siblings by sent date, a dummy by its first child's, at every level; returns the roots.
async function sortSiblings(roots: readonly ThreadNode[], tick: () => Promise<void>): Promise<ThreadNode[]> {
  const cmp = (a: ThreadNode, b: ThreadNode) => byDate(sortMessage(a), sortMessage(b));
  const order = postOrder(roots);
  for (let i = 0; i < order.length; i++) {
    if (i % TICK_EVERY === 0) await tick();
    const n = order[i]!;
    if (n.children.length > 1) n.children.sort(cmp);
  }
  return slicedSort(roots, cmp, tick);
}

// (5) Threads whose subjects are the same are gathered.
async function gatherBySubject(roots: ThreadNode[], tick: () => Promise<void>): Promise<ThreadNode[]> {
  // (5.B) "the base subject from the current message, or its first child if the current message
  // is a dummy" (children sorted by step 6 first, so that "first" is well defined).
  const subjectOf = (n: ThreadNode) => sortMessage(n).baseSubject;
  const table = new Map<string, ThreadNode>();
  for (let i = 0; i < roots.length; i++) {
    if (i % TICK_EVERY === 0) await tick();
    const r = roots[i]!;
    const subject = subjectOf(r);
    if (subject === '') continue;
    const held = table.get(subject);
    // (5.C)
    if (held === undefined || (held.message !== null && (r.message === null || (held.message.reply && !r.message.reply)))) table.set(subject, r);
  }
  const gone = new Set<ThreadNode>();
  const added: ThreadNode[] = [];
  for (let i = 0; i < roots.length; i++) {
    if (i % TICK_EVERY === 0) await tick();
    const r = roots[i]!;
    const subject = subjectOf(r);
    const held = subject === '' ? undefined : table.get(subject);
    if (held === undefined || held === r) continue;
    // (5.D)
    gone.add(r);
    if (held.message === null && r.message === null) {
      for (const c of r.children) link(held, c);
      r.children = [];
    } else if (held.message === null || (r.message?.reply && !held.message.reply)) {
      link(held, r);
    } else {
      const dummy = node(null);
      gone.add(held);
      link(dummy, held);
      link(dummy, r);
      table.set(subject, dummy);
      added.push(dummy);
    }
  }
  return [...roots.filter((r) => !gone.has(r)), ...added];
}

export async function threadReferencesByNodes(messages: readonly ThreadMessage[], tick: () => Promise<void>): Promise<ThreadNode[]> {
  // (2), (3): the root set; the id table is dropped with linkReferences' scope.
  const roots = prune(await linkReferences(messages, tick));
  const gathered = await gatherBySubject(await sortSiblings(roots, tick), tick);
  return sortSiblings(gathered, tick);
}
