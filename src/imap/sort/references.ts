// THREAD=REFERENCES (RFC 5256 3), step by step as the RFC gives it, over a Forest (thread-tree.ts).
// Ties in sent date go by mailbox order. `tick` lets other sessions run (it is called every
// TICK_EVERY messages or nodes).
import { EMPTY_SUBJECT } from '../../mime/thread-key.ts';
import { KeyTable } from './key-table.ts';
import { Forest, TICK_EVERY, type ThreadMessages } from './thread-tree.ts';

// True when `a` is `b` or one of its ancestors: linking b as a's parent would make a loop.
function isAncestor(f: Forest, a: number, b: number): boolean {
  // A node without children is the ancestor of none (new nodes, mostly): no walk up a long thread.
  if (!f.hasChildren(a)) return a === b;
  for (let n = b; n !== -1; n = f.parent(n)) if (n === a) return true;
  return false;
}

// (1) The messages linked by their references; every node made.
async function linkReferences(f: Forest, tick: () => Promise<void>): Promise<void> {
  const { id: ids, refStart, refs, length } = f.messages;
  const byId = new KeyTable(length + refStart[length]!);
  const container = (id: number): number => {
    let n = byId.get(id);
    if (n < 0) {
      n = f.add();
      byId.set(id, n);
    }
    return n;
  };
  for (let i = 0; i < length; i++) {
    if (i % TICK_EVERY === 0) await tick();
    const id = ids[i]!;
    const none = Number.isNaN(id);
    // "If two or more messages have the same Message ID, ... assign a unique Message ID to each
    // of the subsequent messages"; so too for a message without one.
    let self = none ? -1 : byId.get(id);
    if (self >= 0 && f.isDummy(self)) f.setMessage(self, i);
    else {
      const known = self >= 0;
      self = f.add(i);
      if (!none && !known) byId.set(id, self);
    }
    // (1.A) each reference the parent of the next, unless already linked or a loop
    let prev = -1;
    for (let r = refStart[i]!; r < refStart[i + 1]!; r++) {
      const ref = container(refs[r]!);
      if (prev !== -1 && f.parent(ref) === -1 && !isAncestor(f, ref, prev)) f.link(prev, ref);
      prev = ref;
    }
    // (1.B) the last reference is the message's parent (none without references), replacing
    // the parent an earlier message's references gave it; again no loop
    if (prev !== -1 && isAncestor(f, self, prev)) continue;
    if (f.parent(self) !== -1) f.unlink(self);
    if (prev !== -1) f.link(prev, self);
  }
}

// (2), (3) the root set; (4) dummies without children go, those with children are replaced by
// them, except at the root where a dummy stays unless it has only one child. Returns the roots.
// Each loop is a function of its own (docs/architecture.md, "Code conventions": loops over a
// mailbox).
function prune(f: Forest): number[] {
  const roots = rootSet(f);
  pruneBelow(f, roots);
  return pruneRoots(f, roots);
}

function rootSet(f: Forest): number[] {
  const roots: number[] = [];
  for (let i = 0; i < f.size; i++) if (f.parent(i) === -1) roots.push(i);
  return roots;
}

function pruneBelow(f: Forest, roots: readonly number[]): void {
  for (const n of f.postOrder(roots)) {
    let dummies = false;
    for (let c = f.firstChild(n); c !== -1 && !dummies; c = f.nextSibling(c)) dummies = f.isDummy(c);
    if (!dummies) continue;
    // A dummy child's own children are final already (post-order): they take its place.
    const children = f.children(n).flatMap((c) => (f.isDummy(c) ? f.children(c) : [c]));
    for (const c of children) f.detach(c);
    f.setChildren(n, children);
  }
}

function pruneRoots(f: Forest, roots: readonly number[]): number[] {
  return roots.flatMap((r) => {
    if (!f.isDummy(r) || f.branches(r)) return [r];
    const children = f.children(r);
    for (const c of children) f.detach(c);
    return children;
  });
}

// (6) Siblings by sent date, a dummy by its first child's, at every level; returns the roots.
async function sortSiblings(f: Forest, roots: readonly number[], tick: () => Promise<void>): Promise<number[]> {
  const cmp = (a: number, b: number) => f.messages.byDate(f.sortMessage(a), f.sortMessage(b));
  const order = f.postOrder(roots);
  for (let i = 0; i < order.length; i++) {
    if (i % TICK_EVERY === 0) await tick();
    const n = order[i]!;
    if (!f.branches(n)) continue;
    const children = f.children(n).sort(cmp);
    for (const c of children) f.detach(c);
    f.setChildren(n, children);
  }
  return f.messages.sortByDate(roots, (n) => f.sortMessage(n), tick);
}

// (5) Threads whose subjects are the same are gathered.
async function gatherBySubject(f: Forest, roots: readonly number[], tick: () => Promise<void>): Promise<number[]> {
  // (5.B) "the base subject from the current message, or its first child if the current message
  // is a dummy" (children sorted by step 6 first, so that "first" is well defined).
  const { subject: subjects, reply } = f.messages;
  const subjectOf = (n: number) => subjects[f.sortMessage(n)]!;
  const table = new KeyTable(roots.length);
  for (let i = 0; i < roots.length; i++) {
    if (i % TICK_EVERY === 0) await tick();
    const r = roots[i]!;
    const subject = subjectOf(r);
    if (subject === EMPTY_SUBJECT) continue;
    const held = table.get(subject);
    // (5.C)
    if (held < 0) table.set(subject, r);
    else if (!f.isDummy(held) && (f.isDummy(r) || (reply[f.message(held)] && !reply[f.message(r)]))) table.set(subject, r);
  }
  const gone = new Uint8Array(f.size + roots.length);
  const added: number[] = [];
  for (let i = 0; i < roots.length; i++) {
    if (i % TICK_EVERY === 0) await tick();
    const r = roots[i]!;
    const subject = subjectOf(r);
    const held = subject === EMPTY_SUBJECT ? -1 : table.get(subject);
    if (held < 0 || held === r) continue;
    // (5.D)
    gone[r] = 1;
    if (f.isDummy(held) && f.isDummy(r)) {
      const children = f.children(r);
      f.setChildren(r, []);
      for (const c of children) {
        f.detach(c);
        f.link(held, c);
      }
    } else if (f.isDummy(held) || (!f.isDummy(r) && reply[f.message(r)] && !reply[f.message(held)])) {
      f.link(held, r);
    } else {
      const dummy = f.add();
      gone[held] = 1;
      f.link(dummy, held);
      f.link(dummy, r);
      table.set(subject, dummy);
      added.push(dummy);
    }
  }
  return [...roots.filter((r) => !gone[r]), ...added];
}

export async function threadReferences(messages: ThreadMessages, tick: () => Promise<void>): Promise<Forest> {
  await messages.rankDates(tick);
  const f = new Forest(messages, 2 * messages.length);
  await linkReferences(f, tick);
  const roots = prune(f);
  const gathered = await gatherBySubject(f, await sortSiblings(f, roots, tick), tick);
  f.roots = await sortSiblings(f, gathered, tick);
  return f;
}
