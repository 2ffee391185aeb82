// What a command module exports (after WildDuck's imap-core lib/commands): the names
// it answers to, the states it is valid in (dispatch checks them before anything runs), how it
// parses its arguments, and what it does.
import type { MessageLiterals } from './message-literals.ts';
import type { Parser } from './parser.ts';
import type { ImapSession, SessionState } from './session.ts';

export interface CommandContext {
  session: ImapSession;
  tag: string;
  // "FETCH", "UID FETCH" ...
  name: string;
  uid: boolean;
  // APPEND's message literals that streamed into memory charged to the budget (framer.ts).
  message: MessageLiterals | null;
}

// What a command's run() may return: a response code and text for the tagged OK.
export type CommandResult = { code?: string; text?: string } | undefined;

export interface CommandSpec<A = unknown> {
  names: readonly string[];
  states: readonly SessionState[];
  // Parses what follows the command name (starting with its SP); the parser must then be at the
  // end of the command. Commands without arguments leave it out.
  args?: (p: Parser, ctx: CommandContext) => A;
  run(ctx: CommandContext, args: A): Promise<CommandResult>;
  // RFC 9051 7.5.1: no EXPUNGE while answering FETCH, STORE or SEARCH (their UID forms may).
  holdExpunges?: boolean;
}

const ANY: readonly SessionState[] = ['not-authenticated', 'authenticated', 'selected'];
export const STATES = {
  any: ANY,
  notAuthenticated: ['not-authenticated'] as readonly SessionState[],
  authenticated: ['authenticated', 'selected'] as readonly SessionState[],
  selected: ['selected'] as readonly SessionState[],
};
