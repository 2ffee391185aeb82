// A command group: one file in commands/ holds a group's API methods and how the CLI spells them
// (`homepost user add ...` runs the method "user.add"). Adding a group is one file there plus its
// line in commands/index.ts; the socket, the offline path, --help and --json come with it.
import type { Method, Params } from './method.ts';

export interface CliOption {
  flag: string; // '--quota'
  param: string; // the params key it sets
  // string: as given; bytes: a size like 500M (stored as a byte count); list: comma-separated
  // values, repeatable; boolean: present or not.
  kind: 'string' | 'bytes' | 'list' | 'boolean';
  value?: string; // placeholder in the usage line ('SIZE')
  help: string;
}

export interface CliSpec<R> {
  summary: string;
  // Positional params in order; a final 'name...' takes the rest as a list.
  args?: string[];
  options?: CliOption[];
  // A new password into params.password: asked twice without echo on a terminal, otherwise the
  // first line of standard input. Never from the command line. A function asks only when the
  // other params need one (an option that comes with a password).
  password?: boolean | ((params: Params) => boolean);
  // A secret the command needs (another server's password) into params[param]: asked once without
  // echo on a terminal, otherwise the first line of standard input; only when `when` says so.
  secret?: { param: string; prompt: string; when(params: Params): boolean };
  // Params given on the command line as file names: the CLI sends the files' text (read as the
  // caller, before it becomes the data folder's owner).
  files?: string[];
  // How long the daemon may take to answer (default: src/control/client.ts DEFAULT_TIMEOUT_MS).
  timeoutMs?: number;
  // A question for destructive commands: a terminal answers y, scripts pass --yes.
  confirm?: (params: Params) => string;
  // The human-readable output (--json prints the result itself).
  text(result: R, params: Params): string;
  // When the result itself means failure (status with no daemon); 0 otherwise.
  exitCode?(result: R): number;
}

export interface Entry<P, R> {
  // The word after the group's name; '' for a group that is itself the command (`homepost status`).
  name: string;
  method: Method<P, R>;
  // Absent for methods only the setup page uses.
  cli?: CliSpec<R>;
}

export interface CommandGroup {
  name: string;
  summary: string;
  // Entries differ in their param and result types.
  entries: Entry<unknown, unknown>[];
}

export function entry<P, R>(name: string, method: Method<P, R>, cli?: CliSpec<R>): Entry<P, R> {
  return { name, method, cli };
}

// The API name of an entry: "user.add", or "status" for a group's own command.
export function methodName(group: CommandGroup, e: Entry<unknown, unknown>): string {
  return e.name ? `${group.name}.${e.name}` : group.name;
}
