// SEARCH and UID SEARCH (RFC 9051 6.4.4), with ESEARCH return options (RFC 4731, part of
// IMAP4rev2), SAVE and "$" (RFC 5182) and MODSEQ (RFC 7162 3.1.5). IMAP4rev1 clients that give no
// RETURN get "* SEARCH"; IMAP4rev2 clients always get "* ESEARCH".
import { ImapServerError } from '../errors.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { encodeSequenceSet, quote } from '../encoder.ts';
import { matches, resolveSets, type Candidate, type SearchEnv } from './search-eval.ts';
import { parseSearch, usesModseq, type SearchKey, type SearchProgram } from './search-keys.ts';

function searchSpec(name: 'SEARCH' | 'UID SEARCH'): CommandSpec<SearchProgram> {
  return {
    names: [name],
    states: STATES.selected,
    holdExpunges: name === 'SEARCH',
    args: (p) => parseSearch(p),
    async run({ session, uid, tag }, program) {
      const view = session.view!;
      const store = session.store.messages;
      const withModseq = usesModseq(program.key);
      // RFC 7162 3.1: SEARCH MODSEQ enables CONDSTORE.
      if (withModseq) session.enabled.add('CONDSTORE');
      const sets = new Map<SearchKey, Set<number>>();
      resolveSets(view, program.key, sets);
      const env: SearchEnv = {
        view,
        sets,
        newUids: view.recent,
        body(c: Candidate) {
          c.raw ??= store.body(c.record.hash);
          c.parsed ??= store.parsed(c.record.hash);
          if (!c.raw || !c.parsed) throw new ImapServerError('Message content missing', new Error(`uid ${c.record.uid}`));
          return { raw: c.raw, parsed: c.parsed };
        },
      };
      const found: { seq: number; uid: number; modseq: number }[] = [];
      const uids = view.uids;
      for (let i = 0; i < uids.length; i++) {
        const record = store.get(view.mailboxId, uids[i]!);
        if (!record) continue;
        if (matches(env, { record }, program.key)) found.push({ seq: i + 1, uid: record.uid, modseq: record.modseq });
      }
      const numbers = found.map((f) => (uid ? f.uid : f.seq));
      const highest = found.reduce((m, f) => Math.max(m, f.modseq), 0);
      const returns = program.returns ?? (session.rev2 ? new Set(['ALL']) : null);

      if (returns === null) {
        const tail = withModseq && found.length ? ` (MODSEQ ${highest})` : '';
        await session.untagged(`SEARCH${numbers.map((n) => ' ' + n).join('')}${tail}`);
        return;
      }
      // RFC 4731 3.1: RETURN () means RETURN (ALL).
      const opts = returns.size === 0 ? new Set(['ALL']) : returns;
      if (opts.has('SAVE')) {
        // RFC 5182 2.1: with MIN and/or MAX but neither ALL nor COUNT, only those are saved.
        const onlyEnds = !opts.has('ALL') && !opts.has('COUNT') && (opts.has('MIN') || opts.has('MAX'));
        const chosen = onlyEnds ? [opts.has('MIN') ? found[0] : undefined, opts.has('MAX') ? found.at(-1) : undefined] : found;
        view.saved = [...new Set(chosen.filter((f) => f !== undefined).map((f) => f!.uid))].sort((a, b) => a - b);
        // SAVE alone: no ESEARCH response.
        if (opts.size === 1) return;
      }
      const parts = [`ESEARCH (TAG ${quote(tag)})`];
      if (uid) parts.push('UID');
      if (opts.has('MIN') && numbers.length) parts.push(`MIN ${numbers[0]}`);
      if (opts.has('MAX') && numbers.length) parts.push(`MAX ${numbers.at(-1)}`);
      if (opts.has('COUNT')) parts.push(`COUNT ${numbers.length}`);
      if (opts.has('ALL') && numbers.length) parts.push(`ALL ${encodeSequenceSet(numbers)}`);
      if (withModseq && found.length) parts.push(`MODSEQ ${highest}`);
      await session.untagged(parts.join(' '));
    },
  };
}

export const search = searchSpec('SEARCH');
export const uidSearch = searchSpec('UID SEARCH');
