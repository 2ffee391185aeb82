// SEARCH and UID SEARCH (RFC 9051 6.4.4), with ESEARCH return options (RFC 4731, part of
// IMAP4rev2), SAVE and "$" (RFC 5182) and MODSEQ (RFC 7162 3.1.5). IMAP4rev1 clients that give no
// RETURN get "* SEARCH"; IMAP4rev2 clients always get "* ESEARCH".
import { STATES, type CommandSpec } from '../command.ts';
import { parseSearch, usesModseq, type SearchProgram } from './search-keys.ts';
import { sendResults } from './search-results.ts';
import { runSearch } from './search-run.ts';

function searchSpec(name: 'SEARCH' | 'UID SEARCH'): CommandSpec<SearchProgram> {
  return {
    names: [name],
    states: STATES.selected,
    holdExpunges: name === 'SEARCH',
    args: (p) => parseSearch(p),
    async run({ session, uid, tag }, program) {
      const withModseq = usesModseq(program.key);
      // RFC 7162 3.1: SEARCH MODSEQ enables CONDSTORE.
      if (withModseq) session.enabled.add('CONDSTORE');
      const { found } = await runSearch(session, program.key, () => undefined);
      await sendResults(session, found, { command: 'SEARCH', tag, uid, returns: program.returns, withModseq });
    },
  };
}

export const search = searchSpec('SEARCH');
export const uidSearch = searchSpec('UID SEARCH');
