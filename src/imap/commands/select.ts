// SELECT and EXAMINE (RFC 9051 6.3.2, 6.3.3; CONDSTORE and QRESYNC parameters, RFC 7162 3.1.8,
// 3.2.5), CLOSE (6.4.1) and UNSELECT (6.4.2).
import { Turns } from '../../net/turns.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { ImapBadSyntax, ImapUserError } from '../errors.ts';
import type { MailboxIndex } from '../../store/index.ts';
import { MailboxView } from '../mailbox-view.ts';
import type { Parser, SequenceSet } from '../parser.ts';
import type { ImapSession } from '../session.ts';
import { clipRanges, encodeRanges } from '../uid-ranges.ts';
import { listLine } from './list.ts';

interface QresyncParams {
  uidValidity: number;
  modseq: number;
  knownUids: SequenceSet | null;
}

interface SelectArgs {
  wire: Buffer;
  condstore: boolean;
  qresync: QresyncParams | null;
}

function parseSelect(p: Parser): SelectArgs {
  p.sp();
  const wire = p.astringBytes();
  let condstore = false;
  let qresync: QresyncParams | null = null;
  if (p.trySp()) {
    p.list(() => {
      const name = p.atom().toUpperCase();
      if (name === 'CONDSTORE') {
        condstore = true;
      } else if (name === 'QRESYNC') {
        p.sp();
        p.char('(');
        const uidValidity = p.nzNumber();
        p.sp();
        const modseq = p.number64();
        let knownUids: SequenceSet | null = null;
        if (p.trySp()) {
          if (p.peek() !== 0x28) knownUids = p.sequenceSet();
          // seq-match-data: accepted and not needed (RFC 7162 3.2.5.2 lets the server ignore it).
          if (knownUids === null || p.trySp()) {
            p.list(() => p.sequenceSet());
          }
        }
        p.char(')');
        qresync = { uidValidity, modseq, knownUids };
      } else {
        p.fail(`Unknown SELECT parameter ${name}`);
      }
    }, true);
  }
  return { wire, condstore, qresync };
}

async function openMailbox(session: ImapSession, args: SelectArgs, readOnly: boolean) {
  // RFC 7162 3.2.5: QRESYNC parameters only after ENABLE QRESYNC.
  if (args.qresync && !session.qresync) throw new ImapBadSyntax('QRESYNC is not enabled');
  const hadView = session.view !== null;
  session.unselect();
  // RFC 9051 7.1 / RFC 7162 3.2.11: tell the client that the old mailbox is closed.
  if (hadView && (session.rev2 || session.qresync)) await session.untagged('OK [CLOSED] Previous mailbox closed');
  const accountId = session.account!.id;
  const name = session.mailboxName(args.wire);
  const found = session.store.mailboxes.get(accountId, name);
  if (!found || found.noSelect) throw new ImapUserError('Mailbox does not exist', 'NONEXISTENT');
  await session.store.messages.indexReady(found.id);
  const mb = session.store.mailboxes.getById(found.id);
  if (!mb || mb.noSelect) throw new ImapUserError('Mailbox does not exist', 'NONEXISTENT');
  if (args.condstore) session.enabled.add('CONDSTORE');
  // The store's index and the mailbox record read in one turn: the same commit. The keywords are
  // the mailbox's list (the store keeps it), not a scan of the messages.
  const index = session.store.messages.index(mb.id)!;
  const uids = index.uidArray();
  let firstUnseen = 0;
  if (!session.rev2) while (firstUnseen < index.length && index.seen(firstUnseen)) firstUnseen++;
  const changed = args.qresync && args.qresync.uidValidity === mb.uidValidity ? changedSince(index, args.qresync.modseq) : [];
  const recent = readOnly ? session.svc.recent.peek(mb.id, uids) : session.svc.recent.claim(mb.id, uids);
  const view = new MailboxView({
    mailboxId: mb.id,
    uidValidity: mb.uidValidity,
    readOnly,
    name: mb.name,
    uids,
    recent,
    keywords: mb.keywords,
    highestModSeq: mb.highestModSeq,
  });
  session.select(view);

  if (session.rev2) {
    await session.untagged(`${view.exists} EXISTS`);
  } else {
    await session.sendFlagsLists(view);
    await session.untagged(`${view.exists} EXISTS`);
    await session.untagged(`${view.recent.size} RECENT`);
    if (firstUnseen < index.length) await session.untagged(`OK [UNSEEN ${firstUnseen + 1}] First unseen`);
  }
  await session.untagged(`OK [UIDVALIDITY ${mb.uidValidity}] UIDs valid`);
  await session.untagged(`OK [UIDNEXT ${mb.uidNext}] Predicted next UID`);
  // RFC 7162 3.1.2.1: with every SELECT/EXAMINE of a mailbox that keeps mod-sequences.
  await session.untagged(`OK [HIGHESTMODSEQ ${mb.highestModSeq}] Highest`);
  if (session.rev2) {
    await session.sendFlagsLists(view);
    // RFC 9051 6.3.2: a LIST response with the mailbox name and its attributes.
    await session.send(listLine(session, mb.name, session.store.mailboxes.list(accountId), null));
  }
  if (args.qresync && args.qresync.uidValidity === mb.uidValidity) await qresyncReport(session, view, args.qresync, changed);
  return { code: readOnly ? 'READ-ONLY' : 'READ-WRITE', text: `${readOnly ? 'EXAMINE' : 'SELECT'} completed` };
}

interface Changed {
  seq: number;
  uid: number;
  flags: readonly string[];
  modseq: number;
}

// The messages whose MODSEQ is above `modseq`, with their sequence numbers, taken before any await.
function changedSince(index: MailboxIndex, modseq: number): Changed[] {
  const out: Changed[] = [];
  for (let i = 0; i < index.length; i++) {
    if (index.modseq(i) > modseq) out.push({ seq: i + 1, uid: index.uid(i), flags: index.flags(i), modseq: index.modseq(i) });
  }
  return out;
}

// RFC 7162 3.2.5.2: what changed since the client's MODSEQ: VANISHED (EARLIER), then FETCH. A
// MODSEQ older than the expunges the store still knows gets every UID not in the mailbox
// (store.messages.vanished).
async function qresyncReport(session: ImapSession, view: MailboxView, q: QresyncParams, changed: readonly Changed[]): Promise<void> {
  // The responses above awaited: a commit meanwhile may have left the index to be caught up, which
  // must not happen synchronously inside vanished().
  await session.store.messages.indexReady(view.mailboxId);
  const expunged = session.store.messages.vanished(view.mailboxId, q.modseq);
  const vanished = q.knownUids && !q.knownUids.saved ? clipRanges(expunged, q.knownUids.ranges) : expunged;
  if (vanished.length) await session.untagged(`VANISHED (EARLIER) ${encodeRanges(vanished)}`);
  const turns = new Turns();
  for (const c of changed) {
    await turns.pass();
    await session.send(session.fetchFlagsLine(c.seq, c.uid, c.flags, c.modseq, true));
    view.reported(c.uid, c.modseq);
  }
}

export const select: CommandSpec<SelectArgs> = {
  names: ['SELECT'],
  states: STATES.authenticated,
  args: parseSelect,
  run: ({ session }, args) => openMailbox(session, args, false),
};

export const examine: CommandSpec<SelectArgs> = {
  names: ['EXAMINE'],
  states: STATES.authenticated,
  args: parseSelect,
  run: ({ session }, args) => openMailbox(session, args, true),
};

// RFC 9051 6.4.1: expunge silently (read-write only) and leave the selected state.
export const close: CommandSpec = {
  names: ['CLOSE'],
  states: STATES.selected,
  async run({ session }) {
    const view = session.view!;
    session.unselect();
    if (view.readOnly || !view.uids.length) return;
    const removed = await session.store.messages.expunge({ mailboxId: view.mailboxId, uids: Array.from(view.uids), onlyDeleted: true, origin: session });
    // RFC 7162: CLOSE reports no expunges, so a CONDSTORE client learns the new HIGHESTMODSEQ here.
    const mb = removed.length && session.condstore ? session.store.mailboxes.getById(view.mailboxId) : null;
    if (mb) return { code: `HIGHESTMODSEQ ${mb.highestModSeq}`, text: 'CLOSE completed' };
  },
};

// RFC 9051 6.4.2
export const unselect: CommandSpec = {
  names: ['UNSELECT'],
  states: STATES.selected,
  async run({ session }) {
    session.unselect();
  },
};
