// SEARCH and UID SEARCH (RFC 9051 6.4.4), with ESEARCH return options (RFC 4731, part of
// IMAP4rev2), SAVE and "$" (RFC 5182) and MODSEQ (RFC 7162 3.1.5). IMAP4rev1 clients that give no
// RETURN get "* SEARCH"; IMAP4rev2 clients always get "* ESEARCH".
import { ImapServerError, ImapUserError } from '../errors.ts';
import { STATES, type CommandSpec } from '../command.ts';
import { encodeSequenceSet, quote } from '../encoder.ts';
import { free } from '../../memory/free.ts';
import type { BodyPart } from '../../mime/decode.ts';
import type { MimePart } from '../../mime/types.ts';
import { JobError } from '../../offload/pool.ts';
import type { ImapSession } from '../session.ts';
import { loadText, matches, resolveSets, textNeeds, type Candidate, type SearchEnv } from './search-eval.ts';
import { parseSearch, usesModseq, type SearchKey, type SearchProgram } from './search-keys.ts';

// Searching a large mailbox's text takes a while: every SLICE_MS it lets other sessions run
// (one event loop serves every protocol), and after the budget (ImapConfig.searchBudgetMs) it
// ends with NO [LIMIT] (RFC 5530) instead of holding the session and the CPU.
const SLICE_MS = 20;

// The text of large parts, decoded in a worker: their bytes are copied into a buffer of their own
// that moves to the worker (the message itself stays for the other keys).
async function partsTextOffLoop(session: ImapSession, raw: Buffer, parts: readonly MimePart[]): Promise<string> {
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.end - p.bodyStart, 0));
  const moved: BodyPart[] = [];
  let at = 0;
  for (const p of parts) {
    bytes.set(raw.subarray(p.bodyStart, p.end), at);
    moved.push({ bodyStart: at, end: at + p.end - p.bodyStart, encoding: p.encoding, params: p.params });
    at += p.end - p.bodyStart;
  }
  try {
    const { text } = await session.svc.offload.run('text', { bytes, parts: moved }, { deadlineMs: 30_000, transfer: [bytes.buffer] });
    return text;
  } catch (e) {
    if (e instanceof JobError && (e.reason === 'memory' || e.reason === 'timeout'))
      throw new ImapUserError('A message is too large to search; try a narrower search', 'LIMIT');
    throw new ImapServerError('Search failed', e);
  }
}

class MessageGone extends Error {
  constructor(uid: number) {
    super(`uid ${uid}: content missing`);
    this.name = 'MessageGone';
  }
}

class SearchClock {
  private deadline: number;
  private slice = performance.now();

  constructor(budgetMs: number) {
    this.deadline = this.slice + budgetMs;
  }

  async tick(): Promise<void> {
    const now = performance.now();
    if (now - this.slice < SLICE_MS) return;
    if (now > this.deadline) throw new ImapUserError('Search took too long; try a narrower search', 'LIMIT');
    await new Promise((resolve) => setImmediate(resolve));
    this.slice = performance.now();
  }
}

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
          if (!c.raw || !c.parsed) throw new MessageGone(c.record.uid);
          return { raw: c.raw, parsed: c.parsed };
        },
        text: (raw, parts) => partsTextOffLoop(session, raw, parts),
      };
      const found: { seq: number; uid: number; modseq: number }[] = [];
      const uids = view.uids;
      const clock = new SearchClock(session.svc.config.searchBudgetMs);
      const needs = textNeeds(program.key);
      for (let i = 0; i < uids.length; i++) {
        await clock.tick();
        const record = store.get(view.mailboxId, uids[i]!);
        if (!record) continue;
        const c: Candidate = { record };
        try {
          await loadText(env, c, needs, () => clock.tick());
          if (matches(env, c, program.key)) found.push({ seq: i + 1, uid: record.uid, modseq: record.modseq });
        } catch (e) {
          // Expunged by another session while this one searched: it matches nothing.
          if (!(e instanceof MessageGone) || store.get(view.mailboxId, record.uid))
            throw e instanceof MessageGone ? new ImapServerError('Message content missing', e) : e;
        } finally {
          // The message's bytes go back now, not at the next collection (src/memory/free.ts).
          free(c.raw);
        }
      }
      const numbers = found.map((f) => (uid ? f.uid : f.seq));
      const highest = found.reduce((m, f) => Math.max(m, f.modseq), 0);
      const returns = program.returns ?? (session.rev2 ? new Set(['ALL']) : null);

      if (returns === null) {
        const tail = withModseq && found.length ? ` (MODSEQ ${highest})` : '';
        await session.untagged(`SEARCH${numbers.map((n) => ` ${n}`).join('')}${tail}`);
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
