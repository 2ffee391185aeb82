// Command lines of the command groups: positional params, the command's options and the options
// every command takes (--data, --json, --yes, --help).
import path from 'node:path';
import { UsageError } from '../config/options.ts';
import type { CliOption, CliSpec } from '../api/group.ts';
import type { Params } from '../api/method.ts';
import { parseBytes } from '../settings/units.ts';

export const DEFAULT_DATA_DIR = '/var/lib/homepost';

export const COMMON_OPTIONS: CliOption[] = [
  { flag: '--data', param: '', kind: 'string', value: 'DIR', help: `the data folder (env HOMEPOST_DATA, default ${DEFAULT_DATA_DIR})` },
  { flag: '--json', param: '', kind: 'boolean', help: 'print the result as JSON, for scripts' },
];
export const YES_OPTION: CliOption = { flag: '--yes', param: '', kind: 'boolean', help: 'do not ask for confirmation' };

const PASSWORD_FLAGS = ['--password', '--pass', '--passwd'];

export interface ParsedCommand {
  params: Params;
  dataDir: string;
  json: boolean;
  yes: boolean;
  help: boolean;
}

export function dataDirFrom(explicit: string | undefined, env: NodeJS.ProcessEnv): string {
  return path.resolve(explicit ?? (env.HOMEPOST_DATA || DEFAULT_DATA_DIR));
}

export function parseCommand(spec: CliSpec<unknown>, argv: string[], env: NodeJS.ProcessEnv = process.env): ParsedCommand {
  const options = new Map((spec.options ?? []).map((o) => [o.flag, o]));
  const params: Params = {};
  const positional: string[] = [];
  let data: string | undefined;
  let json = false;
  let yes = false;
  let help = false;
  let onlyPositional = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (onlyPositional || !arg.startsWith('--')) {
      if (arg.startsWith('-') && arg.length > 1 && !onlyPositional) throw new UsageError(`unknown option ${arg}`);
      positional.push(arg);
      continue;
    }
    if (arg === '--') {
      onlyPositional = true;
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg : arg.slice(0, eq);
    const inline = eq === -1 ? undefined : arg.slice(eq + 1);
    const value = () => {
      if (inline !== undefined) return inline;
      const v = argv[++i];
      if (v === undefined) throw new UsageError(`${name} needs a value`);
      return v;
    };
    const noValue = () => {
      if (inline !== undefined) throw new UsageError(`${name} takes no value`);
    };
    if (name === '--help') {
      noValue();
      help = true;
    } else if (name === '--json') {
      noValue();
      json = true;
    } else if (name === '--yes' && spec.confirm) {
      noValue();
      yes = true;
    } else if (name === '--data') data = value();
    else if (PASSWORD_FLAGS.includes(name)) {
      throw new UsageError('passwords are never taken from the command line: they are asked for, or read from standard input');
    } else {
      const o = options.get(name);
      if (!o) throw new UsageError(`unknown option ${name}`);
      if (o.kind === 'boolean') {
        noValue();
        params[o.param] = true;
      } else params[o.param] = optionValue(o, value(), params[o.param]);
    }
  }
  if (!help) assignPositional(spec, positional, params);
  return { params, dataDir: dataDirFrom(data, env), json, yes, help };
}

function optionValue(o: CliOption, text: string, previous: unknown): unknown {
  if (o.kind === 'bytes') {
    const n = parseBytes(text);
    if (n === null) throw new UsageError(`${o.flag} takes a size like 500M or 2G`);
    return n;
  }
  if (o.kind === 'list') {
    const items = text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    return [...((previous as string[] | undefined) ?? []), ...items];
  }
  return text;
}

// An argument: 'address'; a list 'ids...' (the last, one or more); or, as the last, optional:
// '[address]', '[uids...]' (none or more).
function argShape(arg: string): { name: string; list: boolean; optional: boolean } {
  const optional = arg.startsWith('[');
  const bare = optional ? arg.slice(1, -1) : arg;
  const list = bare.endsWith('...');
  return { name: list ? bare.slice(0, -3) : bare, list, optional };
}

function assignPositional(spec: CliSpec<unknown>, positional: string[], params: Params): void {
  const shapes = (spec.args ?? []).map(argShape);
  const required = shapes.filter((s) => !s.optional).length;
  if (positional.length < required) throw new UsageError(`missing ${shapes[positional.length].name.toUpperCase()}`);
  if (!shapes.at(-1)?.list && positional.length > shapes.length) throw new UsageError(`unexpected argument '${positional[shapes.length]}'`);
  shapes.forEach((s, i) => {
    if (s.list) params[s.name] = positional.slice(i);
    else if (i < positional.length) params[s.name] = positional[i];
  });
}

// "ADDRESS TARGETS... [--quota SIZE] [--yes] [--data DIR] [--json]"
export function usageLine(spec: CliSpec<unknown>): string {
  const args = (spec.args ?? []).map(argShape).map((s) => {
    const arg = `${s.name.toUpperCase()}${s.list ? '...' : ''}`;
    return s.optional ? `[${arg}]` : arg;
  });
  const opts = [...(spec.options ?? []), ...(spec.confirm ? [YES_OPTION] : []), ...COMMON_OPTIONS].map(
    (o) => `[${o.flag}${o.kind === 'boolean' ? '' : ` ${o.value ?? 'VALUE'}`}]`,
  );
  return [...args, ...opts].join(' ');
}

export function optionHelp(spec: CliSpec<unknown>): string {
  const all = [...(spec.options ?? []), ...(spec.confirm ? [YES_OPTION] : []), ...COMMON_OPTIONS];
  const left = all.map((o) => `${o.flag}${o.kind === 'boolean' ? '' : ` ${o.value ?? 'VALUE'}`}`);
  const width = Math.max(...left.map((l) => l.length));
  return all.map((o, i) => `  ${left[i].padEnd(width)}  ${o.help}`).join('\n');
}
