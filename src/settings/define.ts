// How a setting is declared: its key, type, default, rule and description, and whether a change
// needs a restart. Each area declares its own settings beside the code that reads them
// (smtp/settings.ts, smtp/queue/settings.ts, ...); registry.ts lists them all. The store keeps
// the values as it is given them (store/settings.ts); only values that pass check() reach it.
import { formatBytes, parseBytes } from './units.ts';

export interface SettingDef<T> {
  key: string;
  // One line, for `homepost config list` and the setup page.
  description: string;
  // What a valid value is, in words: named in every refusal.
  rule: string;
  default: T;
  // When the default is worked out at run time (the host name, a path in the data folder).
  defaultText?: string;
  // The daemon reads it at start only: a change applies after `systemctl restart homepost`.
  restart: boolean;
  // Never shown back or logged (a relay password): config shows "(set)" in its place.
  secret?: boolean;
  // Written by homepost itself (a password hash, a generated key), never by `config set`.
  internal?: boolean;
  // The value when valid, otherwise undefined.
  check(value: unknown): T | undefined;
  // The value a person typed (`homepost config set KEY TEXT`), before check().
  fromText(text: string): unknown;
  // Why value fails, when the rule alone would not say (a relay missing its port, say).
  why?(value: unknown): string;
  // A value with a secret part (a relay's password): what may be shown of it, and a new value
  // completed with the secret part of the old one when the caller left it out.
  show?(value: T): unknown;
  // The value as people read it ("5m", "25 MiB"); JSON otherwise.
  format?(value: T): string;
  carry?(old: T, next: unknown): unknown;
}

export class SettingError extends Error {
  readonly key: string;
  constructor(key: string, rule: string) {
    super(`${key} must be ${rule}`);
    this.name = 'SettingError';
    this.key = key;
  }
}

// The value, or a SettingError naming the key and its rule.
export function validate<T>(def: SettingDef<T>, value: unknown): T {
  const v = def.check(value);
  if (v === undefined) throw new SettingError(def.key, def.why?.(value) ?? def.rule);
  return v;
}

export interface SettingsSource {
  get<T>(key: string, fallback: T): T;
}

// The stored value when valid, else the default; invalid is told about a stored value that is
// unusable (written by an older version, or by hand), so the reader can log it.
export function readSetting<T>(source: SettingsSource, def: SettingDef<T>, invalid?: (key: string, rule: string) => void): T {
  const raw = source.get<unknown>(def.key, undefined);
  if (raw === undefined) return def.default;
  const v = def.check(raw);
  if (v !== undefined) return v;
  invalid?.(def.key, def.rule);
  return def.default;
}

interface Common {
  key: string;
  description: string;
  restart?: boolean;
  defaultText?: string;
  secret?: boolean;
  internal?: boolean;
}

function def<T>(
  c: Common & Pick<SettingDef<T>, 'show' | 'carry'>,
  d: Pick<SettingDef<T>, 'rule' | 'default' | 'check' | 'fromText' | 'why' | 'format'>,
): SettingDef<T> {
  return { restart: false, ...c, ...d };
}

// JSON when the text is JSON, otherwise the text itself.
function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

export function integer(c: Common & { default: number; min: number; max: number }): SettingDef<number> {
  return def(c, {
    rule: `a whole number from ${c.min} to ${c.max}`,
    default: c.default,
    check: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= c.min && v <= c.max ? v : undefined),
    fromText: (t) => (/^\s*-?\d+\s*$/.test(t) ? Number(t) : t),
  });
}

const UNITS_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

// "30s", "5m", "2h", "5d", "1500ms" or a number of milliseconds.
export function parseDuration(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)?\s*$/.exec(text);
  return m ? Math.round(Number(m[1]) * UNITS_MS[m[2] ?? 'ms']) : undefined;
}

export function formatDuration(ms: number): string {
  for (const [unit, n] of [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1000],
  ] as const) {
    if (ms >= n && ms % n === 0) return `${ms / n}${unit}`;
  }
  return `${ms}ms`;
}

// Milliseconds.
export function duration(c: Common & { default: number; min: number; max: number }): SettingDef<number> {
  return def(c, {
    rule: `a duration from ${formatDuration(c.min)} to ${formatDuration(c.max)} (like 30s, 5m, 2h; a bare number is milliseconds)`,
    default: c.default,
    check: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= c.min && v <= c.max ? v : undefined),
    fromText: (t) => parseDuration(t) ?? t,
    format: formatDuration,
  });
}

// "25M", "512k", "1G" (binary multiples) or a number of bytes.
export function bytes(c: Common & { default: number; min: number; max: number }): SettingDef<number> {
  return def(c, {
    rule: `a size from ${c.min} to ${c.max} bytes (like 25M or 512k)`,
    default: c.default,
    check: (v) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= c.min && v <= c.max ? v : undefined),
    fromText: (t) => parseBytes(t) ?? t,
    format: formatBytes,
  });
}

export function boolean(c: Common & { default: boolean }): SettingDef<boolean> {
  return def(c, {
    rule: 'true or false',
    default: c.default,
    check: (v) => (typeof v === 'boolean' ? v : undefined),
    fromText: (t) => ({ true: true, on: true, yes: true, false: false, off: false, no: false })[t.trim().toLowerCase()] ?? t,
  });
}

export function choice<const C extends string>(c: Common & { default: C; values: readonly C[] }): SettingDef<C> {
  return def(c, {
    rule: `one of ${c.values.join(', ')}`,
    default: c.default,
    check: (v) => (c.values.includes(v as C) ? (v as C) : undefined),
    fromText: (t) => t.trim(),
  });
}

// A string that passes test; null (absent) allowed when the default is null.
export function text<D extends string | null>(c: Common & { default: D; rule: string; test(s: string): boolean }): SettingDef<string | D> {
  return def<string | D>(c, {
    rule: c.rule,
    default: c.default,
    check: (v) => (typeof v === 'string' && c.test(v) ? v : v === null && c.default === null ? (null as D) : undefined),
    fromText: (t) => t.trim(),
  });
}

// A list of strings; each passes item (which may rewrite it, e.g. to a canonical form) or fails
// with undefined. Typed as JSON or as comma/space-separated words; "" is the empty list.
export function list(c: Common & { default: string[]; rule: string; item(s: string): string | undefined; min?: number }): SettingDef<string[]> {
  return def(c, {
    rule: c.rule,
    default: c.default,
    check: (v) => {
      if (!Array.isArray(v) || v.length < (c.min ?? 0)) return undefined;
      const out: string[] = [];
      for (const x of v) {
        const y = typeof x === 'string' ? c.item(x) : undefined;
        if (y === undefined) return undefined;
        out.push(y);
      }
      return out;
    },
    fromText: (t) => (t.trim().startsWith('[') ? jsonOrText(t) : t.split(/[\s,]+/).filter(Boolean)),
  });
}

// Anything else: a JSON value that parse turns into T or rejects by throwing (its message is
// the rule broken).
export function structured<T>(c: Common & Pick<SettingDef<T>, 'show' | 'carry'> & { default: T; rule: string; parse(v: unknown): T }): SettingDef<T> {
  return def<T>(c, {
    rule: c.rule,
    default: c.default,
    check: (v) => {
      try {
        return c.parse(v);
      } catch {
        return undefined;
      }
    },
    fromText: jsonOrText,
    why: (v) => {
      try {
        c.parse(v);
        return c.rule;
      } catch (e) {
        return `${c.rule} (${(e as Error).message})`;
      }
    },
  });
}
