// EXPUNGE (RFC 9051 6.4.3) and UID EXPUNGE (RFC 4315 2.1, part of RFC 9051). The removal commits
// inside the command; each removed message is reported as "* n EXPUNGE", or as one VANISHED once
// QRESYNC is enabled (RFC 7162 3.2.10).
import { STATES, type CommandSpec } from '../command.ts';
import { encodeSequenceSet } from '../encoder.ts';
import { ImapUserError } from '../errors.ts';
import type { SequenceSet } from '../parser.ts';
import type { ImapSession } from '../session.ts';

// Removes the given UIDs from the view and reports them.
export async function reportExpunged(session: ImapSession, uids: readonly number[]): Promise<void> {
  const removed = session.view!.removeOwn(uids);
  if (!removed.length) return;
  session.expungesReported = true;
  if (session.qresync) {
    await session.untagged(`VANISHED ${encodeSequenceSet(removed.map((r) => r.uid))}`);
    return;
  }
  for (const r of removed) await session.untagged(`${r.seq} EXPUNGE`);
}

async function expungeDeleted(session: ImapSession, uids: number[]): Promise<void> {
  const view = session.view!;
  if (view.readOnly) throw new ImapUserError('Mailbox is read-only', 'READ-ONLY');
  if (!uids.length) return;
  const removed = await session.store.messages.expunge({ mailboxId: view.mailboxId, uids, onlyDeleted: true, origin: session });
  await reportExpunged(session, removed);
}

export const expunge: CommandSpec = {
  names: ['EXPUNGE'],
  states: STATES.selected,
  async run({ session }) {
    await expungeDeleted(session, [...session.view!.uids]);
  },
};

export const uidExpunge: CommandSpec<SequenceSet> = {
  names: ['UID EXPUNGE'],
  states: STATES.selected,
  args(p) {
    p.sp();
    return p.sequenceSet();
  },
  async run({ session }, set) {
    await expungeDeleted(session, session.view!.resolve(set, true));
  },
};
