// flag-list (RFC 9051 9): system flags by their canonical names, keywords as atoms. \Recent and
// unknown "\" flags cannot be set by a client (RFC 3501 2.3.2, RFC 9051 2.3.2).
import { SYSTEM_FLAGS } from '../../store/index.ts';
import type { Parser } from '../parser.ts';

const SYSTEM = new Map(SYSTEM_FLAGS.map((f) => [f.toLowerCase(), f as string]));

export function parseStorableFlag(p: Parser): string {
  const f = p.flag();
  if (!f.startsWith('\\')) return f;
  const canonical = SYSTEM.get(f.toLowerCase());
  if (!canonical) p.fail(`Invalid system flag ${f.slice(0, 30)}`);
  return canonical;
}

export function parseFlagList(p: Parser): string[] {
  return p.list(() => parseStorableFlag(p));
}
