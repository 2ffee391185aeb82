// STATUS (RFC 9051 6.3.11; SIZE, RFC 8438; HIGHESTMODSEQ, RFC 7162 3.1.6; DELETED, RFC 9051;
// RECENT for rev1, RFC 3501 6.3.10). Counts come from the mailbox record; DELETED and RECENT from
// the store's index of the mailbox, only when asked for.
import type { MailboxRecord } from '../../store/index.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { ImapUserError } from '../errors.ts';
import type { Parser } from '../parser.ts';
import type { ImapSession } from '../session.ts';

const ITEMS = new Set(['MESSAGES', 'RECENT', 'UIDNEXT', 'UIDVALIDITY', 'UNSEEN', 'DELETED', 'SIZE', 'HIGHESTMODSEQ', 'APPENDLIMIT']);

export function parseStatusItems(p: Parser): string[] {
  return p.list(() => {
    const item = p.atom().toUpperCase();
    if (!ITEMS.has(item)) p.fail(`Unknown STATUS item ${item.slice(0, 30)}`);
    return item;
  }, true);
}

// The "(MESSAGES 3 UIDNEXT 4 ...)" of a mailbox.
export async function statusValues(session: ImapSession, given: MailboxRecord, items: readonly string[]): Promise<string> {
  // RFC 7162 3.1: STATUS (HIGHESTMODSEQ) is a CONDSTORE enabling command.
  if (items.includes('HIGHESTMODSEQ')) session.enabled.add('CONDSTORE');
  const needsIndex = items.includes('DELETED') || items.includes('RECENT');
  if (needsIndex) await session.store.messages.indexReady(given.id);
  // The record and the index read in one turn: the same commit.
  const mb = session.store.mailboxes.getById(given.id) ?? given;
  const index = needsIndex ? session.store.messages.index(mb.id) : null;
  const count = (matches: (i: number) => boolean) => {
    let n = 0;
    for (let i = 0; index && i < index.length; i++) n += Number(matches(i));
    return n;
  };
  const out: string[] = [];
  for (const item of items) {
    let value: number;
    switch (item) {
      case 'MESSAGES':
        value = mb.count;
        break;
      case 'RECENT': {
        const floor = session.svc.recent.floor(mb.id);
        const mine = session.view?.mailboxId === mb.id ? session.view.recent : null;
        value = count((i) => index!.uid(i) > floor || mine?.has(index!.uid(i)) === true);
        break;
      }
      case 'UIDNEXT':
        value = mb.uidNext;
        break;
      case 'UIDVALIDITY':
        value = mb.uidValidity;
        break;
      case 'UNSEEN':
        value = mb.unseen;
        break;
      case 'DELETED':
        value = count((i) => index!.deleted(i));
        break;
      case 'SIZE':
        value = mb.size;
        break;
      case 'HIGHESTMODSEQ':
        value = mb.highestModSeq;
        break;
      default: // APPENDLIMIT (RFC 7889 3)
        value = session.svc.config.maxMessage;
    }
    out.push(`${item} ${value}`);
  }
  return `(${out.join(' ')})`;
}

export const status: CommandSpec<{ wire: Buffer; items: string[] }> = {
  names: ['STATUS'],
  states: STATES.authenticated,
  args(p) {
    p.sp();
    const wire = p.astringBytes();
    p.sp();
    return { wire, items: parseStatusItems(p) };
  },
  async run({ session }, { wire, items }) {
    const name = session.mailboxName(wire);
    const mb = session.store.mailboxes.get(session.account!.id, name);
    if (!mb || mb.noSelect) throw new ImapUserError('Mailbox does not exist', 'NONEXISTENT');
    await session.untagged(`STATUS ${session.encodeMailbox(mb.name)} ${await statusValues(session, mb, items)}`);
  },
};
