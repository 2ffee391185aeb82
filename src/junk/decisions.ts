// The last junk decisions of each account, for `homepost junk stats` and the setup page: read back
// from the X-Homepost-Junk field of each copy delivery stored (filing.ts writes it), so each
// decision names the mailbox and UID the message really got. Kept in memory only, a few per
// account; never a word of the body, only the subject (cut short) and the filter's clues.
import type { Clue } from './classifier.ts';
import { JUNK_FIELD } from './filing.ts';

// Decisions kept per account, newest first.
export const DECISIONS_KEPT = 20;
const SUBJECT_CHARS = 80;
// Our field sits right below Return-Path (filing.ts): it is looked for this far into the message.
const FIELD_WITHIN = 4096;

export interface JunkDecision {
  at: number; // ms since the epoch
  rule: string;
  score: number;
  reasons: Clue[];
  subject: string | null;
  mailboxId: number;
  mailbox: string;
  // Null once the message left that mailbox (moved or expunged).
  uid: number | null;
}

export type FiledVerdict = Pick<JunkDecision, 'rule' | 'score' | 'reasons'>;

// The verdict in a stored message's X-Homepost-Junk field (junkField's form), or null.
export function readJunkField(raw: Buffer): FiledVerdict | null {
  const head = raw.subarray(0, FIELD_WITHIN).toString('latin1');
  const start = head.indexOf(`\r\n${JUNK_FIELD}: `);
  if (start === -1) return null;
  // RFC 5322 2.2.3: the field goes on while the next line starts with white space.
  let end = start + 2;
  do end = head.indexOf('\r\n', end + 2);
  while (end !== -1 && (head[end + 2] === ' ' || head[end + 2] === '\t'));
  if (end === -1) return null;
  const value = head.slice(start + JUNK_FIELD.length + 4, end).replace(/\r\n[ \t]/g, ' ');
  const m = /^score=([\d.]+); rule=([a-z-]+); reasons=(.*)$/.exec(value);
  if (!m) return null;
  const reasons: Clue[] = [];
  for (const r of m[3].split(',')) {
    const clue = /^ *(\S+) \(([\d.]+)\)$/.exec(r);
    if (clue) reasons.push({ token: decodeToken(clue[1]), probability: Number(clue[2]) });
  }
  return { rule: m[2], score: Number(m[1]), reasons };
}

function decodeToken(token: string): string {
  try {
    return decodeURIComponent(token);
  } catch {
    return token;
  }
}

export function shortSubject(subject: string | null): string | null {
  return subject === null || subject.length <= SUBJECT_CHARS ? subject : `${subject.slice(0, SUBJECT_CHARS - 1)}…`;
}

// Each account's last DECISIONS_KEPT decisions.
export class DecisionRing {
  private byAccount = new Map<number, JunkDecision[]>();

  add(accountId: number, d: JunkDecision): void {
    const list = this.byAccount.get(accountId) ?? [];
    list.unshift(d);
    if (list.length > DECISIONS_KEPT) list.pop();
    this.byAccount.set(accountId, list);
  }

  recent(accountId: number): JunkDecision[] {
    return this.byAccount.get(accountId) ?? [];
  }

  // The messages left the mailbox: their decisions stay, without a place.
  gone(accountId: number, mailboxId: number, uids: readonly number[]): void {
    for (const d of this.recent(accountId)) if (d.mailboxId === mailboxId && d.uid !== null && uids.includes(d.uid)) d.uid = null;
  }

  drop(accountId: number): void {
    this.byAccount.delete(accountId);
  }
}
