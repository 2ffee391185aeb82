// The command scripts run against both servers (IMAP4rev1: Dovecot 2.3 has no IMAP4rev2). A step
// is a command for session "a" (or "b: ..." for the second connection), or one of:
//   IDLE        sends IDLE and reads up to the continuation request
//   DONE        ends the session's IDLE and reads up to its tagged reply
//   <wait>      reads what another session's change must cause (at least one response)
//   <quiet>     reads whatever arrives unasked within 300 ms (nothing, normally)
// {{name}} in a command is a value captured from this server's own earlier response.
// Scripts that change messages work on their own copy of INBOX (fresh()), so each starts from the
// same state whatever ran before.
import { changeScripts } from './changes.ts';
import { fetchScripts } from './fetch.ts';
import { mailboxScripts } from './mailboxes.ts';
import { searchScripts } from './search.ts';
import { sessionScripts } from './sessions.ts';
import { sortThreadScripts } from './sort-thread.ts';
import type { Script } from './steps.ts';

export type { Script, Step } from './steps.ts';

// In this order: they share the account, and the last one renames INBOX.
export const scripts: Script[] = [...fetchScripts, ...searchScripts, ...sortThreadScripts, ...changeScripts, ...sessionScripts, ...mailboxScripts];
