// The command lines of the commands that run outside the API layer (`homepost restore`, `homepost
// update`): at most one FILE, options that take a value, flags, --help. A wrong one prints the
// command's usage and exits EXIT.usage.
import { UsageError } from '../config/options.ts';
import { EXIT } from './run.ts';

export interface LocalArgs {
  file?: string;
  values: Map<string, string>; // option -> its value
  flags: Set<string>;
}

function parse(argv: string[], valueOptions: readonly string[], flagOptions: readonly string[]): LocalArgs | 'help' {
  const a: LocalArgs = { values: new Map(), flags: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') return 'help';
    if (valueOptions.includes(arg)) {
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      a.values.set(arg, v);
    } else if (flagOptions.includes(arg)) a.flags.add(arg);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (a.file === undefined) a.file = arg;
    else throw new UsageError(`unexpected argument ${arg}`);
  }
  return a;
}

// Parses argv and runs `run` with what `check` makes of it; --help prints the usage.
export async function runLocal<A>(
  argv: string[],
  spec: { usage: string; values: readonly string[]; flags: readonly string[] },
  check: (a: LocalArgs) => A,
  run: (a: A) => Promise<number>,
): Promise<number> {
  let args: A;
  try {
    const parsed = parse(argv, spec.values, spec.flags);
    if (parsed === 'help') {
      process.stdout.write(`${spec.usage}\n`);
      return EXIT.ok;
    }
    args = check(parsed);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    process.stderr.write(`homepost: ${e.message}\n${spec.usage}\n`);
    return EXIT.usage;
  }
  return run(args);
}
