// LIST (RFC 9051 6.3.9 with LIST-EXTENDED RFC 5258, LIST-STATUS RFC 5819, SPECIAL-USE RFC 6154,
// CHILDREN RFC 3348) and LSUB (RFC 3501 6.3.9). One namespace, delimiter "/".
import { DELIMITER, INBOX, type MailboxRecord } from '../../store/index.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { ImapUserError } from '../errors.ts';
import type { Parser } from '../parser.ts';
import type { ImapSession } from '../session.ts';
import { parseStatusItems, statusValues } from './status.ts';

interface ListArgs {
  select: Set<string>;
  reference: Buffer;
  patterns: Buffer[];
  ret: Set<string>;
  statusItems: string[] | null;
}

const SELECT_OPTIONS = new Set(['SUBSCRIBED', 'REMOTE', 'RECURSIVEMATCH', 'SPECIAL-USE']);
const RETURN_OPTIONS = new Set(['SUBSCRIBED', 'CHILDREN', 'SPECIAL-USE', 'STATUS']);

function parseList(p: Parser): ListArgs {
  const select = new Set<string>();
  const ret = new Set<string>();
  let statusItems: string[] | null = null;
  p.sp();
  if (p.peek() === 0x28) {
    for (const o of p.list(() => p.atom().toUpperCase())) {
      if (!SELECT_OPTIONS.has(o)) p.fail(`Unknown LIST selection option ${o.slice(0, 30)}`);
      select.add(o);
    }
    // RFC 5258 3.1: RECURSIVEMATCH needs another selection option.
    if (select.has('RECURSIVEMATCH') && ![...select].some((o) => o !== 'RECURSIVEMATCH' && o !== 'REMOTE')) {
      p.fail('RECURSIVEMATCH needs another selection option');
    }
    p.sp();
  }
  const reference = p.astringBytes();
  p.sp();
  let patterns: Buffer[];
  if (p.peek() === 0x28) {
    patterns = p.list(() => p.listMailbox(), true);
  } else {
    patterns = [p.listMailbox()];
  }
  if (p.trySp()) {
    if (!p.tryWord('RETURN')) p.fail('Expected RETURN');
    p.sp();
    p.list(() => {
      const o = p.atom().toUpperCase();
      if (!RETURN_OPTIONS.has(o)) p.fail(`Unknown LIST return option ${o.slice(0, 30)}`);
      if (o === 'STATUS') {
        p.sp();
        statusItems = parseStatusItems(p);
      }
      ret.add(o);
    });
  }
  return { select, reference, patterns, ret, statusItems };
}

// RFC 9051 6.3.9 LIST wildcards over stored names: "*" matches anything, "%" anything but the
// hierarchy delimiter; INBOX matches case-insensitively. Matched by stepping through the pattern
// with the set of name positions reached so far (not a backtracking regex, which "*a*a*a...b"
// makes exponential): time at most the name's length times the pattern's.
export function listPattern(pattern: string): (name: string) => boolean {
  let p = pattern;
  const head = p.slice(0, 5).toUpperCase();
  if (head === INBOX && (p.length === 5 || p[5] === DELIMITER || p[5] === '*' || p[5] === '%')) p = INBOX + p.slice(5);
  // Runs of literal text, and wildcards (consecutive ones collapse: "*%" is "*").
  const tokens: string[] = [];
  for (const m of p.matchAll(/[*%]+|[^*%]+/g)) tokens.push(m[0].startsWith('*') || m[0].startsWith('%') ? (m[0].includes('*') ? '*' : '%') : m[0]);
  return (name) => {
    let reach = new Uint8Array(name.length + 1);
    reach[0] = 1;
    for (const t of tokens) {
      const next = new Uint8Array(name.length + 1);
      if (t === '*' || t === '%') {
        let open = false;
        for (let i = 0; i <= name.length; i++) {
          if (reach[i]) open = true;
          if (open) next[i] = 1;
          if (t === '%' && name[i] === DELIMITER) open = false;
        }
      } else {
        for (let i = 0; i + t.length <= name.length; i++) if (reach[i] && name.startsWith(t, i)) next[i + t.length] = 1;
      }
      reach = next;
    }
    return reach[name.length] === 1;
  };
}

// The stored name a pattern or reference stands for, or null when it is not valid modified UTF-7
// (RFC 3501 5.1.3; session.mailboxName refuses it with NO, as CREATE and SELECT must): such a
// pattern names no mailbox, so it matches none and LIST answers an empty OK, as Dovecot does.
function patternName(session: ImapSession, wire: Buffer): string | null {
  try {
    return session.mailboxName(wire);
  } catch (e) {
    if (e instanceof ImapUserError) return null;
    throw e;
  }
}

// RFC 3501 6.3.8: the reference and the pattern joined; a leading delimiter in the pattern means
// the reference is not used.
function canonical(reference: string, pattern: string): string {
  if (pattern.startsWith(DELIMITER) || reference === '') return pattern;
  return reference + pattern;
}

function attributes(name: string, mb: MailboxRecord | undefined, parents: Set<string>, subscribed: boolean, showSubscribed: boolean): string[] {
  const out: string[] = [];
  if (!mb) {
    out.push('\\NonExistent');
  } else if (mb.noSelect) {
    out.push('\\Noselect');
  }
  if (mb) out.push(parents.has(name) ? '\\HasChildren' : '\\HasNoChildren');
  if (showSubscribed && subscribed) out.push('\\Subscribed');
  if (mb?.specialUse) out.push(mb.specialUse);
  return out;
}

function parentSet(all: readonly MailboxRecord[]): Set<string> {
  const parents = new Set<string>();
  for (const m of all) {
    const i = m.name.lastIndexOf(DELIMITER);
    if (i > 0) parents.add(m.name.slice(0, i));
  }
  return parents;
}

// One "* LIST (attrs) "/" name [extended]" line (also used by SELECT in rev2).
export function listLine(
  session: ImapSession,
  name: string,
  all: readonly MailboxRecord[],
  extra: { subscribed?: boolean; showSubscribed?: boolean; childInfo?: boolean } | null,
  verb = 'LIST',
): string {
  const mb = all.find((m) => m.name === name);
  const attrs = attributes(name, mb, parentSet(all), extra?.subscribed ?? false, extra?.showSubscribed ?? false);
  const ext = extra?.childInfo ? ' ("CHILDINFO" ("SUBSCRIBED"))' : '';
  return `* ${verb} (${attrs.join(' ')}) "${DELIMITER}" ${session.encodeMailbox(name)}${ext}\r\n`;
}

function sortNames(names: Iterable<string>): string[] {
  return [...names].sort((a, b) => (a === INBOX ? -1 : b === INBOX ? 1 : a < b ? -1 : a > b ? 1 : 0));
}

export const list: CommandSpec<ListArgs> = {
  names: ['LIST'],
  states: STATES.authenticated,
  args: parseList,
  async run({ session }, args) {
    const accountId = session.account!.id;
    const reference = patternName(session, args.reference);
    const patterns = args.patterns.map((b) => patternName(session, b)).filter((p) => p !== null);
    if (reference === null || !patterns.length) return;
    // RFC 9051 6.3.9: an empty pattern asks for the delimiter and the root.
    if (patterns.length === 1 && patterns[0] === '') {
      await session.untagged(`LIST (\\Noselect) "${DELIMITER}" ""`);
      return;
    }
    const all = session.store.mailboxes.list(accountId);
    const byName = new Map(all.map((m) => [m.name, m]));
    const subs = new Set(session.store.mailboxes.subscriptions(accountId));
    const matchers = patterns.filter((p) => p !== '').map((p) => listPattern(canonical(reference, p)));
    const matches = (n: string) => matchers.some((m) => m(n));
    const subscribedOnly = args.select.has('SUBSCRIBED');
    const specialOnly = args.select.has('SPECIAL-USE');
    const recursive = args.select.has('RECURSIVEMATCH');
    const showSubscribed = subscribedOnly || args.ret.has('SUBSCRIBED');
    const parents = parentSet(all);
    const candidates = new Set<string>(subscribedOnly ? [...subs, ...(recursive ? byName.keys() : [])] : byName.keys());
    for (const name of sortNames(candidates)) {
      if (!matches(name)) continue;
      const mb = byName.get(name);
      let childInfo = false;
      if (subscribedOnly && !subs.has(name)) {
        // RFC 5258 3.5: listed only for a subscribed descendant, with CHILDINFO.
        const prefix = name + DELIMITER;
        if (!recursive || ![...subs].some((s) => s.startsWith(prefix))) continue;
        childInfo = true;
      } else if (subscribedOnly && recursive) {
        const prefix = name + DELIMITER;
        childInfo = [...subs].some((s) => s.startsWith(prefix));
      }
      if (specialOnly && !mb?.specialUse) continue;
      const attrs = attributes(name, mb, parents, subs.has(name), showSubscribed);
      const ext = childInfo ? ' ("CHILDINFO" ("SUBSCRIBED"))' : '';
      await session.untagged(`LIST (${attrs.join(' ')}) "${DELIMITER}" ${session.encodeMailbox(name)}${ext}`);
      // RFC 5819: STATUS for each selectable mailbox listed.
      if (args.statusItems && mb && !mb.noSelect) {
        await session.untagged(`STATUS ${session.encodeMailbox(name)} ${await statusValues(session, mb, args.statusItems)}`);
      }
    }
  },
};

// RFC 3501 6.3.9 LSUB: subscribed names; with "%", a parent of a subscribed name that is not
// itself subscribed is listed \Noselect.
export const lsub: CommandSpec<{ reference: Buffer; pattern: Buffer }> = {
  names: ['LSUB'],
  states: STATES.authenticated,
  args(p) {
    p.sp();
    const reference = p.astringBytes();
    p.sp();
    return { reference, pattern: p.listMailbox() };
  },
  async run({ session }, { reference, pattern }) {
    const accountId = session.account!.id;
    const ref = patternName(session, reference);
    const pat = patternName(session, pattern);
    if (ref === null || pat === null) return;
    if (pat === '') {
      await session.untagged(`LSUB (\\Noselect) "${DELIMITER}" ""`);
      return;
    }
    const matches = listPattern(canonical(ref, pat));
    const subs = new Set(session.store.mailboxes.subscriptions(accountId));
    const existing = new Map(session.store.mailboxes.list(accountId).map((m) => [m.name, m]));
    const lines = new Map<string, string>();
    for (const s of subs) {
      if (matches(s)) {
        const mb = existing.get(s);
        lines.set(s, !mb || mb.noSelect ? '\\Noselect' : '');
        continue;
      }
      const levels = s.split(DELIMITER);
      for (let i = levels.length - 1; i > 0; i--) {
        const parent = levels.slice(0, i).join(DELIMITER);
        if (matches(parent) && !subs.has(parent)) {
          lines.set(parent, '\\Noselect');
          break;
        }
      }
    }
    for (const name of sortNames(lines.keys())) {
      await session.untagged(`LSUB (${lines.get(name)}) "${DELIMITER}" ${session.encodeMailbox(name)}`);
    }
  },
};
