// Managing mailboxes: CREATE (RFC 9051 6.3.4, with USE from RFC 6154 5.3), DELETE (6.3.5),
// RENAME (6.3.6), SUBSCRIBE and UNSUBSCRIBE (6.3.7, 6.3.8).
import { DELIMITER, INBOX } from '../../store/index.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { ImapUserError } from '../errors.ts';
import type { Parser } from '../parser.ts';
import type { ImapSession } from '../session.ts';

function oneMailbox(p: Parser): Buffer {
  p.sp();
  return p.astringBytes();
}

// RFC 9051 6.3.4: a trailing delimiter declares intent to create inferiors; it is not part of the name.
function createName(session: ImapSession, wire: Buffer): string {
  let name = session.mailboxName(wire);
  while (name.length > 1 && name.endsWith(DELIMITER)) name = name.slice(0, -1);
  return name;
}

export const create: CommandSpec<{ wire: Buffer; use: string | null }> = {
  names: ['CREATE'],
  states: STATES.authenticated,
  args(p) {
    const wire = oneMailbox(p);
    let use: string | null = null;
    if (p.trySp()) {
      p.list(() => {
        if (!p.tryWord('USE')) p.fail('Unknown CREATE parameter');
        p.sp();
        const uses = p.list(() => p.flag(), true);
        if (uses.length > 1) throw new ImapUserError('Only one special use per mailbox', 'USEATTR');
        use = uses[0]!;
      }, true);
    }
    return { wire, use };
  },
  async run({ session }, { wire, use }) {
    const name = createName(session, wire);
    if (name.toUpperCase() === INBOX) throw new ImapUserError('INBOX always exists', 'ALREADYEXISTS');
    let specialUse: string | null = null;
    if (use) {
      // RFC 6154 5.3: USEATTR for an attribute we do not support.
      specialUse = ['\\All', '\\Archive', '\\Drafts', '\\Flagged', '\\Junk', '\\Sent', '\\Trash'].find((u) => u.toLowerCase() === use!.toLowerCase()) ?? null;
      if (!specialUse) throw new ImapUserError('Unsupported special use', 'USEATTR');
    }
    await session.store.mailboxes.create(session.account!.id, name, { specialUse, origin: session });
  },
};

export const deleteCommand: CommandSpec<Buffer> = {
  names: ['DELETE'],
  states: STATES.authenticated,
  args: oneMailbox,
  async run({ session }, wire) {
    const name = session.mailboxName(wire);
    const mb = session.store.mailboxes.get(session.account!.id, name);
    if (!mb) throw new ImapUserError('Mailbox does not exist', 'NONEXISTENT');
    if (mb.name === INBOX) throw new ImapUserError('INBOX cannot be deleted', 'CANNOT');
    if (session.view?.mailboxId === mb.id) session.unselect();
    await session.store.mailboxes.delete(session.account!.id, mb.name, session);
  },
};

export const rename: CommandSpec<{ from: Buffer; to: Buffer }> = {
  names: ['RENAME'],
  states: STATES.authenticated,
  args(p) {
    const from = oneMailbox(p);
    return { from, to: oneMailbox(p) };
  },
  async run({ session }, { from, to }) {
    const accountId = session.account!.id;
    const src = session.store.mailboxes.get(accountId, session.mailboxName(from));
    if (!src) throw new ImapUserError('Mailbox does not exist', 'NONEXISTENT');
    const dst = createName(session, to);
    if (session.store.mailboxes.get(accountId, dst)) throw new ImapUserError('Mailbox already exists', 'ALREADYEXISTS');
    await session.store.mailboxes.rename(accountId, src.name, dst, session);
  },
};

export const subscribe: CommandSpec<Buffer> = {
  names: ['SUBSCRIBE'],
  states: STATES.authenticated,
  args: oneMailbox,
  async run({ session }, wire) {
    await session.store.mailboxes.subscribe(session.account!.id, session.mailboxName(wire));
  },
};

export const unsubscribe: CommandSpec<Buffer> = {
  names: ['UNSUBSCRIBE'],
  states: STATES.authenticated,
  args: oneMailbox,
  async run({ session }, wire) {
    const name = session.mailboxName(wire);
    const accountId = session.account!.id;
    const stored = session.store.mailboxes.get(accountId, name)?.name ?? name;
    // Not subscribed: nothing to do, and not an error (Dovecot agrees).
    if (!session.store.mailboxes.subscriptions(accountId).includes(stored)) return;
    await session.store.mailboxes.unsubscribe(accountId, stored);
  },
};
