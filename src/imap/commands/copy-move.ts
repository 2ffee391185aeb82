// COPY and MOVE with their UID forms (RFC 9051 6.4.7, 6.4.8; RFC 6851 MOVE) and COPYUID
// (RFC 4315 3). MOVE is one store commit: copy and expunge together.
import { STATES, type CommandSpec } from '../command.ts';
import { encodeSequenceSet } from '../encoder.ts';
import { ImapUserError } from '../errors.ts';
import type { SequenceSet } from '../parser.ts';
import type { ImapSession } from '../session.ts';
import { reportExpunged } from './expunge.ts';

interface CopyArgs {
  set: SequenceSet;
  wire: Buffer;
}

function target(session: ImapSession, wire: Buffer): number {
  const mb = session.store.mailboxes.get(session.account!.id, session.mailboxName(wire));
  // RFC 9051 6.4.7: TRYCREATE when the destination does not exist.
  if (!mb) throw new ImapUserError('Mailbox does not exist', 'TRYCREATE');
  if (mb.noSelect) throw new ImapUserError('Mailbox cannot hold messages', 'CANNOT');
  return mb.id;
}

function copyUid(uidValidity: number, map: [number, number][]): string {
  return `COPYUID ${uidValidity} ${encodeSequenceSet(map.map(([s]) => s))} ${encodeSequenceSet(map.map(([, d]) => d))}`;
}

function spec(name: string, move: boolean): CommandSpec<CopyArgs> {
  return {
    names: [name],
    states: STATES.selected,
    args(p) {
      p.sp();
      const set = p.sequenceSet();
      p.sp();
      return { set, wire: p.astringBytes() };
    },
    async run({ session, uid }, { set, wire }) {
      const view = session.view!;
      const uids = view.resolve(set, uid);
      const to = target(session, wire);
      if (move && view.readOnly) throw new ImapUserError('Mailbox is read-only', 'READ-ONLY');
      if (!uids.length) return { text: 'No messages' };
      const opts = { from: view.mailboxId, uids, to, origin: session };
      if (!move) {
        // Messages another session expunged meanwhile are skipped; COPYUID tells what was copied.
        const r = await session.store.messages.copy(opts);
        if (!r.map.length) return { text: 'No messages' };
        return { code: copyUid(r.uidValidity, r.map), text: 'COPY completed' };
      }
      const r = await session.store.messages.move(opts);
      // RFC 6851 4.3: COPYUID comes in an untagged OK before the expunges.
      if (r.map.length) await session.untagged(`OK [${copyUid(r.uidValidity, r.map)}] Moved`);
      await reportExpunged(
        session,
        r.map.map(([s]) => s),
      );
    },
  };
}

export const copy = spec('COPY', false);
export const uidCopy = spec('UID COPY', false);
export const move = spec('MOVE', true);
export const uidMove = spec('UID MOVE', true);
