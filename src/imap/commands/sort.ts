// SORT and UID SORT (RFC 5256 3) with DISPLAYFROM and DISPLAYTO (RFC 5957), and ESORT's return
// options (RFC 5267 3.2: SORT RETURN (MIN MAX COUNT ALL), answered with ESEARCH in sort order).
// Keys come from the header records; the sort runs in slices like the search before it. SORT of
// ALL by numbers only takes a path with no object per message (sort/numeric-sort.ts).
import { STATES, type CommandSpec } from '../command.ts';
import type { Parser } from '../parser.ts';
import type { ImapSession } from '../session.ts';
import { numericOnly, sortAllByNumbers } from '../sort/numeric-sort.ts';
import { comparator, SORT_KEYS, sortValue, type SortCriterion, type SortKey, type SortValue } from '../sort/order.ts';
import { slicedSort } from '../sort/sliced-sort.ts';
import { parseCharset, parseReturnOptions, parseSearchKeys, usesModseq, type SearchKey } from './search-keys.ts';
import { sendResults } from './search-results.ts';
import { type Match, runSearch, SearchClock } from './search-run.ts';

interface SortProgram {
  returns: Set<string> | null;
  criteria: SortCriterion[];
  key: SearchKey;
}

// RFC 5267 3.2, and SAVE (RFC 5182 2.4 lets SORT save its result where ESORT is offered).
const SORT_RETURN_OPTIONS = new Set(['MIN', 'MAX', 'ALL', 'COUNT', 'SAVE']);
const KEYS: ReadonlySet<string> = new Set(SORT_KEYS);

// sort = ["UID" SP] "SORT" [SP sort-return-opts] SP sort-criteria SP search-criteria, where
// sort-criteria = "(" sort-criterion *(SP sort-criterion) ")", sort-criterion = ["REVERSE" SP]
// sort-key, search-criteria = charset 1*(SP search-key).
function parseSort(p: Parser): SortProgram {
  p.sp();
  let returns: Set<string> | null = null;
  if (p.tryWord('RETURN')) {
    returns = parseReturnOptions(p, SORT_RETURN_OPTIONS);
    p.sp();
  }
  const criteria = p.list(() => {
    const reverse = p.tryWord('REVERSE');
    if (reverse) p.sp();
    const key = p.atom().toUpperCase();
    if (!KEYS.has(key)) p.fail(`Unknown sort key ${key.slice(0, 30)}`);
    return { key: key as SortKey, reverse };
  });
  if (criteria.length === 0) p.fail('Sort criteria are empty');
  p.sp();
  parseCharset(p);
  p.sp();
  return { returns, criteria, key: parseSearchKeys(p) };
}

function sortSpec(name: 'SORT' | 'UID SORT'): CommandSpec<SortProgram> {
  return {
    names: [name],
    states: STATES.selected,
    holdExpunges: name === 'SORT',
    args: (p) => parseSort(p),
    async run({ session, uid, tag }, program) {
      const withModseq = usesModseq(program.key);
      // RFC 7162 3.1: a MODSEQ search criterion enables CONDSTORE.
      if (withModseq) session.enabled.add('CONDSTORE');
      const sorted =
        program.key.k === 'all' && numericOnly(program.criteria)
          ? await sortAllByNumbers(session, program.criteria, new SearchClock(session.svc.config.searchBudgetMs))
          : await sortSearched(session, program);
      await sendResults(session, sorted, { command: 'SORT', tag, uid, returns: program.returns, withModseq });
    },
  };
}

// The general path: the search's matches with their keys (order.ts), then sorted.
async function sortSearched(session: ImapSession, program: SortProgram): Promise<Match<SortValue[]>[]> {
  const { found, clock } = await runSearch(session, program.key, (env, c) => program.criteria.map((k) => sortValue(k.key, env.summary(c), () => c.record)));
  return slicedSort(found, comparator(program.criteria), () => clock.tick());
}

export const sort = sortSpec('SORT');
export const uidSort = sortSpec('UID SORT');
