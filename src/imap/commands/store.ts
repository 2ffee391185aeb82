// STORE and UID STORE (RFC 9051 6.4.6) with UNCHANGEDSINCE and MODIFIED (RFC 7162 3.1.3). The
// changes commit 1,000 messages at a time (src/store/messages.ts WRITE_CHUNK): STORE is not atomic
// across messages, and a whole large mailbox in one write would hold the event loop.
import { Turns } from '../../net/turns.ts';
import type { FlagOp } from '../../store/index.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { encodeSequenceSet } from '../encoder.ts';
import { ImapBadSyntax, ImapUserError } from '../errors.ts';
import type { SequenceSet } from '../parser.ts';
import { fetchIndexed } from './fetch-indexed.ts';
import type { FetchItem } from './fetch-items.ts';
import type { MailboxView } from '../mailbox-view.ts';
import { parseStorableFlag } from './flags.ts';

interface StoreArgs {
  set: SequenceSet;
  unchangedSince: number | null;
  op: FlagOp;
  silent: boolean;
  flags: string[];
}

function storeSpec(name: 'STORE' | 'UID STORE'): CommandSpec<StoreArgs> {
  return {
    names: [name],
    states: STATES.selected,
    holdExpunges: name === 'STORE',
    args(p) {
      p.sp();
      const set = p.sequenceSet();
      p.sp();
      let unchangedSince: number | null = null;
      if (p.peek() === 0x28) {
        p.list(() => {
          if (!p.tryWord('UNCHANGEDSINCE')) p.fail('Unknown STORE modifier');
          p.sp();
          unchangedSince = p.number64();
        }, true);
        p.sp();
      }
      const item = p.atom().toUpperCase();
      const m = /^([+-]?)FLAGS(\.SILENT)?$/.exec(item);
      if (!m) throw new ImapBadSyntax('Expected FLAGS, +FLAGS or -FLAGS');
      const op: FlagOp = m[1] === '+' ? 'add' : m[1] === '-' ? 'remove' : 'replace';
      p.sp();
      let flags: string[] = [];
      if (p.peek() === 0x28) flags = p.list(() => parseStorableFlag(p));
      else {
        do flags.push(parseStorableFlag(p));
        while (p.trySp());
      }
      return { set, unchangedSince, op, silent: Boolean(m[2]), flags };
    },
    async run({ session, uid }, a) {
      const view = session.view!;
      if (view.readOnly) throw new ImapUserError('Mailbox is read-only', 'READ-ONLY');
      if (a.unchangedSince !== null) session.enabled.add('CONDSTORE');
      const uids = view.resolve(a.set, uid);
      if (!uids.length) return;
      const { updated, failed } = await session.store.messages.setFlags({
        mailboxId: view.mailboxId,
        uids,
        op: a.op,
        flags: a.flags,
        unchangedSince: a.unchangedSince ?? undefined,
        origin: session,
      });
      // RFC 9051 7.3.5: keywords new to the mailbox are announced at once, even with .SILENT.
      if (updated.length && a.op !== 'remove') await session.announceKeywords(a.flags);
      if (a.silent) {
        // RFC 7162 3.1.3: even with .SILENT, a CONDSTORE client learns the MODSEQ its change got.
        if (!session.condstore) return failedResult(failed, uid, view);
        const turns = new Turns();
        for (const u of updated) {
          await turns.pass();
          const uidPart = uid || session.qresync ? `UID ${u.uid} ` : '';
          await session.untagged(`${view.seqOf(u.uid)} FETCH (${uidPart}MODSEQ (${u.modseq}))`);
        }
        return failedResult(failed, uid, view);
      }
      // Each message's flags as the mailbox index has them now, by FETCH's batched path (those
      // UNCHANGEDSINCE refused are not reported).
      const items: FetchItem[] = uid || session.qresync ? [UID] : [];
      items.push(FLAGS);
      if (session.condstore) items.push(MODSEQ);
      const failedSet = new Set(failed);
      await fetchIndexed(session, failed.length ? uids.filter((u) => !failedSet.has(u)) : uids, items, null, new Turns());
      return failedResult(failed, uid, view);
    },
  };
}

const [UID, FLAGS, MODSEQ] = (['UID', 'FLAGS', 'MODSEQ'] as const).map((name): FetchItem => ({ kind: 'simple', name }));

// RFC 7162 3.1.3: the messages UNCHANGEDSINCE refused, in the tagged OK's MODIFIED code.
function failedResult(failed: number[], uid: boolean, view: MailboxView): { code: string; text: string } | undefined {
  if (!failed.length) return undefined;
  const list = uid ? failed : failed.map((u) => view.seqOf(u)).sort((x, y) => x - y);
  return { code: `MODIFIED ${encodeSequenceSet(list)}`, text: 'Conditional STORE failed' };
}

export const store = storeSpec('STORE');
export const uidStore = storeSpec('UID STORE');
