// Every POP3 command by keyword. The states each is valid in are declared by its module; the
// table test (index.test.ts) checks them against RFC 1939 9, RFC 2449, RFC 2595, RFC 5034, RFC 6856.
import { apop, auth, pass, stls, user, utf8 } from './authorization.ts';
import type { Pop3Command } from './command.ts';
import { capa, noop, quit } from './general.ts';
import { dele, list, retr, rset, stat, top, uidl } from './transaction.ts';

export const COMMANDS: ReadonlyMap<string, Pop3Command> = new Map(
  [user, pass, apop, auth, stls, utf8, capa, quit, noop, stat, list, uidl, retr, top, dele, rset].map((c) => [c.name, c]),
);
