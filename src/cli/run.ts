// Runs `homepost GROUP COMMAND ...`: parse the command line, ask for what must be asked, call the
// method on the running daemon (or offline on the store), print the result.
import { readFileSync } from 'node:fs';
import { UsageError } from '../config/options.ts';
import { connectDaemon, DaemonUnreachable } from '../control/client.ts';
import { methodName, type CliSpec, type CommandGroup, type Entry } from '../api/group.ts';
import { ApiError, type ApiErrorCode, type Progress } from '../api/method.ts';
import { optionHelp, parseCommand, usageLine } from './args.ts';
import { callOffline } from './offline.ts';
import { runAsOwnerOf } from './owner.ts';
import { confirm, Interrupted, NoInput, readNewPassword, readSecret } from './prompt.ts';

export const EXIT = {
  ok: 0,
  failure: 1, // the operation failed (invalid value, refused, internal error)
  usage: 2, // the command line is wrong
  daemon: 3, // the daemon is needed and not running or not answering (status: not running)
  notFound: 4, // no such domain, account, alias, certificate
  exists: 5, // the name is taken
  interrupted: 130, // Ctrl-C at a prompt (128 + SIGINT)
} as const;

export const EXIT_HELP = `exit codes: 0 ok, 1 failed, 2 wrong usage, 3 daemon not running or not answering,
            4 not found, 5 already exists, 130 interrupted`;

const CODE_EXIT: Partial<Record<ApiErrorCode, number>> = {
  'bad-request': EXIT.usage,
  'needs-daemon': EXIT.daemon,
  'not-found': EXIT.notFound,
  exists: EXIT.exists,
};

export async function runGroup(group: CommandGroup, argv: string[]): Promise<number> {
  const own = group.entries.find((e) => e.name === '' && e.cli);
  const sub = own ? undefined : argv[0];
  if (!own && (sub === undefined || sub === '--help' || sub === 'help')) {
    const out = groupHelp(group);
    if (sub === undefined) {
      process.stderr.write(out);
      return EXIT.usage;
    }
    process.stdout.write(out);
    return EXIT.ok;
  }
  const e = own ?? group.entries.find((x) => x.name === sub && x.cli);
  if (!e) return fail(`unknown command '${group.name} ${sub}' (homepost ${group.name} --help lists them)`, EXIT.usage);
  return runCommand(group, e, own ? argv : argv.slice(1));
}

async function runCommand(group: CommandGroup, e: Entry<unknown, unknown>, argv: string[]): Promise<number> {
  const spec = e.cli!;
  const words = ['homepost', group.name, e.name].filter(Boolean).join(' ');
  let json = argv.includes('--json');
  try {
    const cmd = parseCommand(spec, argv);
    json = cmd.json;
    if (cmd.help) {
      process.stdout.write(commandHelp(words, spec));
      return EXIT.ok;
    }
    if (spec.confirm && !cmd.yes) {
      if (!process.stdin.isTTY) throw new UsageError(`${words} asks for confirmation: add --yes to run it without a terminal`);
      if (!(await confirm(spec.confirm(cmd.params)))) return fail('cancelled', EXIT.failure, json);
    }
    for (const f of spec.files ?? []) if (cmd.params[f] !== undefined) cmd.params[f] = readParamFile(String(cmd.params[f]));
    // As root on the daemon's data folder: as its owner from here on (owner.ts).
    runAsOwnerOf(cmd.dataDir);
    if (typeof spec.password === 'function' ? spec.password(cmd.params) : spec.password) cmd.params.password = await readNewPassword();
    if (spec.secret?.when(cmd.params)) cmd.params[spec.secret.param] = await readSecret(spec.secret.prompt);
    const name = methodName(group, e);
    const daemon = await connectDaemon(cmd.dataDir, spec.timeoutMs);
    const progress = progressLine(words);
    let result: unknown;
    if (daemon) {
      try {
        result = await daemon.call(name, cmd.params, progress.show);
      } finally {
        daemon.close();
        progress.end();
      }
    } else if (e.method.offline) {
      try {
        result = await callOffline(cmd.dataDir, name, cmd.params, progress.show);
      } finally {
        progress.end();
      }
    } else {
      return fail(`homepost is not running (no control socket in ${cmd.dataDir})`, EXIT.daemon, json);
    }
    process.stdout.write(json ? `${JSON.stringify(result, null, 2)}\n` : spec.text(result, cmd.params));
    return spec.exitCode?.(result) ?? EXIT.ok;
  } catch (err) {
    if (err instanceof UsageError) return fail(`${err.message} (${words} --help)`, EXIT.usage, json);
    if (err instanceof ApiError) {
      const hint = err.code === 'bad-request' ? ` (${words} --help)` : '';
      return fail(err.message + hint, CODE_EXIT[err.code] ?? EXIT.failure, json, err.code);
    }
    if (err instanceof DaemonUnreachable) return fail(err.message, EXIT.daemon, json);
    if (err instanceof Interrupted) return fail('interrupted', EXIT.interrupted, json);
    if (err instanceof NoInput) return fail(err.message, EXIT.usage, json);
    throw err;
  }
}

// A long command's progress on stderr: one line rewritten in place on a terminal, otherwise a
// line at most every PROGRESS_LINE_MS (a log keeps them all).
const PROGRESS_LINE_MS = 1000;

function progressLine(words: string): { show: (p: Progress) => void; end: () => void } {
  const tty = process.stderr.isTTY;
  let last = 0;
  let shown = false;
  return {
    show: (p) => {
      const now = Date.now();
      if (!tty && now - last < PROGRESS_LINE_MS) return;
      last = now;
      const pct = p.total ? ` (${Math.floor((100 * p.done) / p.total)}%)` : '';
      const text = `${words}: ${p.done}${p.total === null ? '' : ` of ${p.total}`} ${p.what}${pct}`;
      process.stderr.write(tty ? `\r${text}\x1b[K` : `${text}\n`);
      shown = true;
    },
    end: () => {
      if (tty && shown) process.stderr.write('\n');
    },
  };
}

function readParamFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as Error).message}`);
  }
}

// One line on stderr; with --json a JSON object there instead, for scripts.
function fail(message: string, exit: number, json = false, code?: string): number {
  process.stderr.write(json ? `${JSON.stringify({ error: { code: code ?? exitName(exit), message } })}\n` : `homepost: ${message}\n`);
  return exit;
}

function exitName(exit: number): string {
  return (Object.entries(EXIT).find(([, v]) => v === exit)?.[0] ?? 'failure').replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

export function groupHelp(group: CommandGroup): string {
  const cmds = group.entries.filter((e) => e.cli);
  const width = Math.max(...cmds.map((e) => e.name.length));
  return [
    `usage: homepost ${group.name} <command> [options]`,
    '',
    `${group.summary}:`,
    ...cmds.map((e) => `  ${e.name.padEnd(width)}  ${e.cli!.summary}`),
    '',
    `Each command takes --help, --data DIR and --json.`,
    '',
  ].join('\n');
}

function commandHelp(words: string, spec: CliSpec<unknown>): string {
  return [
    `usage: ${words} ${usageLine(spec)}`,
    '',
    spec.summary,
    ...(spec.password
      ? [
          '',
          `${typeof spec.password === 'function' ? 'Where an option needs one, the' : 'The'} password is asked for twice on a terminal; otherwise it is the first line of standard input.`,
        ]
      : []),
    '',
    optionHelp(spec),
    '',
    'With a running daemon the command goes through its control socket; otherwise it opens the data folder itself.',
    EXIT_HELP,
    '',
  ].join('\n');
}
