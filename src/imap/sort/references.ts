// THREAD=REFERENCES (RFC 5256 3), step by step as the RFC gives it. Ties in sent date go by
// mailbox order. `tick` lets other sessions run (it is called every TICK_EVERY messages or nodes).
import { slicedSort } from './sliced-sort.ts';
import { addChild, byDate, dropChildren, node, postOrder, sortMessage, TICK_EVERY, type ThreadMessage, type ThreadNode } from './thread-tree.ts';

// True when `a` is `b` or one of its ancestors: linking b as a's parent would make a loop.
function isAncestor(a: ThreadNode, b: ThreadNode): boolean {
  // A node without children is the ancestor of none (new nodes, mostly): no walk up a long thread.
  if (a.children.length === 0) return a === b;
  for (let n: ThreadNode | null = b; n !== null; n = n.parent) if (n === a) return true;
  return false;
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
      if (prev !== null && ref.parent === null && !isAncestor(ref, prev)) addChild(prev, ref);
      prev = ref;
    }
    // (1.B) the last reference is the message's parent (none without references), replacing
    // the parent an earlier message's references gave it; again no loop
    if (prev !== null && isAncestor(self, prev)) continue;
    if (self.parent !== null) unlink(self);
    if (prev !== null) addChild(prev, self);
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
  const added: ThreadNode[] = [];
  for (let i = 0; i < roots.length; i++) {
    if (i % TICK_EVERY === 0) await tick();
    const r = roots[i]!;
    const subject = subjectOf(r);
    const held = subject === '' ? undefined : table.get(subject);
    if (held === undefined || held === r) continue;
    // (5.D)
    r.gone = true;
    if (held.message === null && r.message === null) {
      for (const c of r.children) addChild(held, c);
      dropChildren(r);
    } else if (held.message === null || (r.message?.reply && !held.message.reply)) {
      addChild(held, r);
    } else {
      const dummy = node(null);
      held.gone = true;
      addChild(dummy, held);
      addChild(dummy, r);
      table.set(subject, dummy);
      added.push(dummy);
    }
  }
  return [...roots.filter((r) => !r.gone), ...added];
}

export async function threadReferences(messages: readonly ThreadMessage[], tick: () => Promise<void>): Promise<ThreadNode[]> {
  // (2), (3): the root set; the id table is dropped with linkReferences' scope.
  const roots = prune(await linkReferences(messages, tick));
  const gathered = await gatherBySubject(await sortSiblings(roots, tick), tick);
  return sortSiblings(gathered, tick);
}
