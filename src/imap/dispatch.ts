// From a framed command to its tagged reply (RFC 9051 2.2.2, 7.1): read the tag and the command
// name, look the command up, check the session's state BEFORE anything runs, let the command
// parse its arguments and run, then report pending mailbox changes and answer. The typed errors
// thrown anywhere below become NO or BAD here, and only here.
import { LineTooLongError } from '../net/connection.ts';
import { isStoreError } from '../store/index.ts';
import { commandTable } from './commands/index.ts';
import { AlreadyAnswered, ImapBadSyntax, ImapServerError, ImapUserError } from './errors.ts';
import { Parser } from './parser.ts';
import type { CommandContext, CommandSpec } from './command.ts';
import type { MessageLiterals } from './message-literals.ts';
import type { ImapSession, SessionState } from './session.ts';

export async function dispatch(session: ImapSession, parts: Buffer[], message: MessageLiterals | null = null): Promise<void> {
  const p = new Parser(parts);
  p.utf8Atoms = session.utf8;
  let tag = '*';
  let spec: CommandSpec | undefined;
  const started = performance.now();
  try {
    tag = p.tag();
    p.sp();
    let name = p.atom().toUpperCase();
    if (name === 'UID') {
      p.sp();
      name = `UID ${p.atom().toUpperCase()}`;
    }
    spec = commandTable.get(name);
    if (!spec) throw new ImapBadSyntax(`Unknown command ${name.slice(0, 40)}`);
    if (!spec.states.includes(session.state)) {
      throw new ImapBadSyntax(
        session.state === 'not-authenticated'
          ? 'Authenticate first'
          : session.state === 'authenticated' && spec.states.includes('selected')
            ? 'No mailbox selected'
            : `${name} is not valid in this state`,
      );
    }
    const ctx: CommandContext = { session, tag, name, uid: name.startsWith('UID '), message };
    const args = spec.args ? spec.args(p, ctx) : undefined;
    p.end();
    session.expungesReported = false;
    const result = await spec.run(ctx, args);
    if ((session.state as SessionState) === 'logout') return;
    await session.sync(!spec.holdExpunges);
    const code = result?.code ? `[${result.code}] ` : expungeModseq(session);
    await session.send(`${tag} OK ${code}${result?.text ?? `${name} completed`}\r\n`);
    session.badCommands = 0;
    // The command's name only: arguments may hold passwords or message text.
    session.log.debug('imap.command', { command: name, ms: Math.round(performance.now() - started) });
  } catch (e) {
    if (e instanceof LineTooLongError) throw e;
    if (e instanceof AlreadyAnswered) return;
    await answerError(session, tag, e, spec);
  }
}

// RFC 7162: after expunges, which carry no MODSEQ of their own, the tagged OK tells a CONDSTORE
// client the mailbox's new HIGHESTMODSEQ (as Dovecot does; KIMAP's ExpungeJob reads it there).
function expungeModseq(session: ImapSession): string {
  if (!session.expungesReported || !session.condstore || !session.view) return '';
  const mb = session.store.mailboxes.getById(session.view.mailboxId);
  return mb ? `[HIGHESTMODSEQ ${mb.highestModSeq}] ` : '';
}

async function answerError(session: ImapSession, tag: string, e: unknown, spec: CommandSpec | undefined): Promise<void> {
  if (session.conn.isClosed) return;
  if (spec && session.state !== 'logout') await session.sync(!spec.holdExpunges);
  if (e instanceof ImapBadSyntax) {
    await session.send(`${tag} BAD ${e.code ? `[${e.code}] ` : ''}${e.message}\r\n`);
    await session.countBad();
    return;
  }
  if (e instanceof ImapUserError) {
    await session.send(`${tag} NO ${e.code ? `[${e.code}] ` : ''}${e.message}\r\n`);
    return;
  }
  if (isStoreError(e)) {
    const [code, text] = storeErrorReply(e.code, e.message);
    await session.send(`${tag} NO [${code}] ${text}\r\n`);
    return;
  }
  const err = e instanceof ImapServerError ? e : new ImapServerError('Internal error', e);
  session.log.error('imap.command_failed', { error: err.cause ?? err });
  await session.send(`${tag} NO ${err.code ? `[${err.code}] ` : ''}${err.message}\r\n`);
}

// StoreError codes as IMAP response codes (RFC 5530).
function storeErrorReply(code: string, message: string): [string, string] {
  switch (code) {
    case 'not-found':
      return ['NONEXISTENT', 'No such mailbox or message'];
    case 'exists':
      return ['ALREADYEXISTS', 'Mailbox already exists'];
    case 'invalid':
      return ['CANNOT', message];
    case 'forbidden':
      return ['CANNOT', message];
    case 'over-quota':
      return ['OVERQUOTA', 'Quota exceeded'];
    case 'limit':
      return ['LIMIT', message];
    case 'full':
      return ['UNAVAILABLE', 'The mail store is full; try again later'];
    default:
      return ['UNAVAILABLE', 'The mail store is not available'];
  }
}
