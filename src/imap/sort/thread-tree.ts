// What the THREAD algorithms (RFC 5256 3) take and make, and the thread-list syntax of the THREAD
// response (RFC 5256 4), written without recursion: a hostile mailbox can make threads as deep
// as it holds messages.
import type { LineBatch } from '../line-batch.ts';

export interface ThreadMessage {
  n: number; // what the response names: the sequence number or the UID
  seq: number; // mailbox order, for ties
  date: number; // the sent date, INTERNALDATE when there is none (RFC 5256 3)
  baseSubject: string; // RFC 5256 2.1, canonical form
  reply: boolean; // the base subject extraction removed a reply or forward marker
  messageId: string | null;
  references: string[]; // src/mime/header-index.ts
}

// A message, or a dummy (message null) standing for a message that is referenced but absent.
export interface ThreadNode {
  message: ThreadMessage | null;
  parent: ThreadNode | null;
  children: ThreadNode[];
  // Merged into another root by REFERENCES step (5) (a flag, not a set of nodes: no hash per node).
  gone: boolean;
}

// Messages or nodes handled between two calls of an algorithm's `tick` (each a few microseconds:
// a call per item cost more than the step itself).
export const TICK_EVERY = 256;

// A node has no children array of its own until its first child: most nodes never get one. The
// shared empty list is frozen, so a push into it fails loudly rather than adopting a child for all.
const NO_CHILDREN = Object.freeze([]) as unknown as ThreadNode[];

export const node = (message: ThreadMessage | null): ThreadNode => ({ message, parent: null, children: NO_CHILDREN, gone: false });

export function addChild(parent: ThreadNode, child: ThreadNode): void {
  child.parent = parent;
  if (parent.children === NO_CHILDREN) parent.children = [child];
  else parent.children.push(child);
}

// A node's children taken away (they now hang elsewhere).
export function dropChildren(n: ThreadNode): void {
  n.children = NO_CHILDREN;
}

// Every node of the trees below `roots`, each after all of its descendants (a pre-order walk,
// reversed).
export function postOrder(roots: readonly ThreadNode[]): ThreadNode[] {
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
export function sortMessage(n: ThreadNode): ThreadMessage {
  let at = n;
  while (at.message === null) at = at.children[0]!;
  return at.message;
}

export const byDate = (a: ThreadMessage, b: ThreadMessage): number => a.date - b.date || a.seq - b.seq;

// RFC 5256 4: thread-list = "(" (thread-members / thread-nested) ")", thread-members = nz-number
// *(SP nz-number) [SP thread-nested], thread-nested = 2*thread-list. A dummy has no number.
// Written into `out` (a mailbox of 50,000 messages makes a line of hundreds of KB); `tick` lets
// other sessions run meanwhile.
export async function formatThreads(roots: readonly ThreadNode[], out: LineBatch, tick: () => Promise<void>): Promise<void> {
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
