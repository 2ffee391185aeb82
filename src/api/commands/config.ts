// `homepost config list|get|set|reset`: every setting of the registry (src/api/registry.ts),
// read and written the one way the setup page also uses. A value is checked against its rule
// before it is stored; a refusal names the key and the rule.
import type { SettingDef } from '../../settings/define.ts';
import { SETTINGS } from '../registry.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, method, noParams, str, type ApiContext, type Params } from '../method.ts';
import { writeSetting } from '../settings.ts';
import { table } from '../text.ts';

export interface SettingView {
  key: string;
  // The value in effect (secrets as "(set)"), as people read it, and whether it is the default.
  value: unknown;
  text: string;
  isDefault: boolean;
  default: unknown;
  defaultText: string;
  description: string;
  rule: string;
  // A change applies when the daemon next starts.
  restart: boolean;
}

function find(key: string): SettingDef<unknown> {
  const d = SETTINGS.get(key);
  if (!d) throw new ApiError('not-found', `no setting ${key} (homepost config list shows them)`);
  return d;
}

function writable(key: string): SettingDef<unknown> {
  const d = find(key);
  if (d.internal) throw new ApiError('forbidden', `${key} is written by homepost itself`);
  return d;
}

function shown(d: SettingDef<unknown>, v: unknown): unknown {
  if (v === null || v === undefined) return v ?? null;
  if (d.secret) return '(set)';
  return d.show ? d.show(v) : v;
}

function textOf(d: SettingDef<unknown>, v: unknown): string {
  if (v === null) return d.defaultText ?? 'none';
  if (d.format && !d.secret) return d.format(v);
  const s = shown(d, v);
  return typeof s === 'string' ? s : JSON.stringify(s);
}

function view(ctx: ApiContext, d: SettingDef<unknown>): SettingView {
  const stored = ctx.store.settings.get<unknown>(d.key, undefined);
  const usable = stored === undefined ? undefined : d.check(stored);
  return {
    key: d.key,
    value: shown(d, usable ?? d.default),
    text: textOf(d, usable ?? d.default),
    isDefault: usable === undefined,
    default: shown(d, d.default),
    defaultText: d.defaultText ?? textOf(d, d.default),
    description: d.description,
    rule: d.rule,
    restart: d.restart,
  };
}

const list = method({
  offline: true,
  write: false,
  params: noParams,
  run: (ctx): SettingView[] => [...SETTINGS.values()].filter((d) => !d.internal).map((d) => view(ctx, d)),
});

const get = method({
  offline: true,
  write: false,
  params: (raw) => ({ key: str(raw, 'key') }),
  run: (ctx, p): SettingView => view(ctx, find(p.key)),
});

// {key, value} (JSON, the setup page) or {key, text} (as typed after `homepost config set KEY`).
const set = method({
  offline: true,
  write: true,
  params: (raw: Params) => {
    const key = str(raw, 'key');
    if (raw.text !== undefined && typeof raw.text !== 'string') throw new ApiError('bad-request', 'text must be a string');
    if (raw.text === undefined && raw.value === undefined) throw new ApiError('bad-request', 'value is required');
    return { key, text: raw.text as string | undefined, value: raw.value };
  },
  run: async (ctx, p): Promise<SettingView> => {
    const d = writable(p.key);
    await writeSetting(ctx, d, p.text !== undefined ? d.fromText(p.text) : p.value);
    return view(ctx, d);
  },
});

const reset = method({
  offline: true,
  write: true,
  params: (raw) => ({ key: str(raw, 'key') }),
  run: async (ctx, p): Promise<SettingView> => {
    const d = writable(p.key);
    await ctx.store.settings.set(d.key, undefined);
    return view(ctx, d);
  },
});

function describe(v: SettingView): string {
  return [
    `${v.key} = ${v.text}${v.isDefault ? ' (default)' : ''}`,
    `  ${v.description}`,
    `  must be ${v.rule}; default ${v.defaultText}${v.restart ? '; applies after a restart of homepost' : ''}`,
    '',
  ].join('\n');
}

export const configGroup: CommandGroup = {
  name: 'config',
  summary: 'settings (limits, relay, outbound delivery ...)',
  entries: [
    entry('list', list, {
      summary: 'every setting with its value',
      text: (r) =>
        table(
          ['SETTING', 'VALUE', ''],
          r.map((v) => [v.key, v.text, [v.isDefault ? 'default' : '', v.restart ? 'restart' : ''].filter(Boolean).join(', ')]),
        ),
    }),
    entry('get', get, { summary: 'one setting: its value, default, rule and meaning', args: ['key'], text: describe }),
    entry('set', set, {
      summary: 'change a setting (a duration like 30s or 5m, a size like 25M, a list as a,b,c, anything else as JSON)',
      args: ['key', 'text'],
      text: describe,
    }),
    entry('reset', reset, { summary: 'return a setting to its default', args: ['key'], text: describe }),
  ],
};
