// Message flags (RFC 9051 2.3.2): the system flags, case-insensitive and stored in their canonical
// spelling, and keywords. \Recent is session state (RFC 3501 2.3.2) and never stored.
import { StoreError } from './errors.ts';

export const SYSTEM_FLAGS = ['\\Seen', '\\Answered', '\\Flagged', '\\Deleted', '\\Draft'] as const;
const canonical = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f as string]));
export const MAX_FLAGS = 128;

// Canonical, de-duplicated (case-insensitively) flags; \Recent and unknown system flags dropped.
export function normalizeFlags(flags: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const f of flags) {
    const lower = f.toLowerCase();
    const name = f.startsWith('\\') ? canonical.get(lower) : f;
    if (!name || seen.has(lower)) continue;
    seen.add(lower);
    out.push(name);
  }
  return out.slice(0, MAX_FLAGS);
}

export type FlagOp = 'replace' | 'add' | 'remove';

export function applyFlags(current: readonly string[], op: FlagOp, flags: readonly string[]): string[] {
  if (op === 'replace') return normalizeFlags(flags);
  if (op === 'add') return normalizeFlags([...current, ...flags]);
  const drop = new Set(flags.map((f) => f.toLowerCase()));
  return current.filter((f) => !drop.has(f.toLowerCase()));
}

export function sameFlags(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a.map((f) => f.toLowerCase()));
  return b.every((f) => set.has(f.toLowerCase()));
}

export const isSeen = (flags: readonly string[]) => flags.includes('\\Seen');
export const isDeleted = (flags: readonly string[]) => flags.includes('\\Deleted');

// Keywords a mailbox may hold. Its list is in the mailbox record, rewritten with every delivery,
// and in every FLAGS response: without a bound, a client setting a fresh keyword on each STORE would
// grow both. Clients use a handful ($Forwarded, $Junk, $label1...); at the bound the mailbox stops
// advertising \* in PERMANENTFLAGS (RFC 9051 7.1) and refuses new ones.
export const MAX_MAILBOX_KEYWORDS = 256;

// A mailbox's keyword list (it only grows: RFC 9051 7.3.5 FLAGS) with the keywords of `flags` added;
// the same array when none is new. Keywords compare case-insensitively (RFC 9051 2.3.2).
export function withKeywords(keywords: readonly string[], flags: readonly string[]): string[] {
  let out: string[] | null = null;
  for (const f of flags) {
    if (f.startsWith('\\')) continue;
    const lower = f.toLowerCase();
    if ((out ?? keywords).some((k) => k.toLowerCase() === lower)) continue;
    out ??= [...keywords];
    if (out.length >= MAX_MAILBOX_KEYWORDS) throw new StoreError('limit', `the mailbox holds ${MAX_MAILBOX_KEYWORDS} keywords already`);
    out.push(f);
  }
  return out ?? (keywords as string[]);
}
