// The results of SEARCH and SORT: "* SEARCH" / "* SORT" for IMAP4rev1 clients that gave no RETURN,
// and otherwise ESEARCH (RFC 4731, RFC 5267 3.2 for SORT), SAVE (RFC 5182) and the MODSEQ of what
// is returned (RFC 7162 3.1.5).
import { encodeSequenceSet, quote } from '../encoder.ts';
import { LineBatch } from '../line-batch.ts';
import type { ImapSession } from '../session.ts';
import type { Match } from './search-run.ts';

const highest = (list: readonly (Match<unknown> | undefined)[]) => list.reduce((m, f) => Math.max(m, f?.modseq ?? 0), 0);

export interface ResultOptions {
  command: 'SEARCH' | 'SORT';
  tag: string;
  uid: boolean;
  returns: Set<string> | null;
  withModseq: boolean;
}

// The UIDs or the sequence numbers of the matches; " n" for each number. Loops of their own, arrays
// made by push (docs/architecture.md, "Code conventions": loops over a mailbox).
function resultNumbers(found: readonly Match<unknown>[], uid: boolean): number[] {
  const numbers: number[] = [];
  for (const f of found) numbers.push(uid ? f.uid : f.seq);
  return numbers;
}

function numberList(line: LineBatch, numbers: readonly number[]): LineBatch {
  for (const n of numbers) line.text(' ').num(n);
  return line;
}

// `found` in result order (mailbox order for SEARCH, sort order for SORT).
export async function sendResults(session: ImapSession, found: readonly Match<unknown>[], o: ResultOptions): Promise<void> {
  const numbers = resultNumbers(found, o.uid);
  // IMAP4rev2 answers SEARCH with ESEARCH always (RFC 9051 6.4.4); SORT only when asked (RFC 5267).
  const returns = o.returns ?? (session.rev2 && o.command === 'SEARCH' ? new Set(['ALL']) : null);
  if (returns === null) {
    // RFC 7162 3.1.5: the highest mod-sequence of all messages returned.
    const line = numberList(new LineBatch().text(`* ${o.command}`), numbers);
    if (o.withModseq && found.length) line.text(` (MODSEQ ${highest(found)})`);
    await session.send([line.text('\r\n').take()]);
    return;
  }
  // RFC 4731 3.1: RETURN () means RETURN (ALL).
  const opts = returns.size === 0 ? new Set(['ALL']) : returns;
  // With MIN and/or MAX but neither ALL nor COUNT, only those messages are returned: RFC 5182
  // 2.1 saves only them, and RFC 7162 3.1.5 reports their highest mod-sequence.
  const onlyEnds = !opts.has('ALL') && !opts.has('COUNT') && (opts.has('MIN') || opts.has('MAX'));
  const returned = onlyEnds ? [opts.has('MIN') ? found[0] : undefined, opts.has('MAX') ? found.at(-1) : undefined] : found;
  if (opts.has('SAVE')) {
    const view = session.view!;
    view.saved = [...new Set(returned.filter((f) => f !== undefined).map((f) => f!.uid))].sort((a, b) => a - b);
    // SAVE alone: no ESEARCH response.
    if (opts.size === 1) return;
  }
  const parts = [`ESEARCH (TAG ${quote(o.tag)})`];
  if (o.uid) parts.push('UID');
  if (opts.has('MIN') && numbers.length) parts.push(`MIN ${numbers[0]}`);
  if (opts.has('MAX') && numbers.length) parts.push(`MAX ${numbers.at(-1)}`);
  // RFC 4731 3.1 sets no order for the items; this is Dovecot's.
  if (opts.has('ALL') && numbers.length) parts.push(`ALL ${encodeSequenceSet(numbers)}`);
  if (opts.has('COUNT')) parts.push(`COUNT ${numbers.length}`);
  if (o.withModseq && found.length) parts.push(`MODSEQ ${highest(returned)}`);
  await session.untagged(parts.join(' '));
}
