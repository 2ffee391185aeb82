// RFC 7489 3.1.1 relaxed alignment: two domains are aligned when they are the same, or one is a
// subdomain of the other.
import { domainOf } from '../../store/addresses.ts';
import type { IncomingMessage } from './types.ts';

export const aligned = (a: string, b: string) => a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`);

// Whether a DKIM signature that passed (RFC 6376 6.1) is aligned with every From domain.
export function alignedDkim(message: IncomingMessage): boolean {
  const from = message.from.addresses.map((a) => domainOf(a).toLowerCase());
  const passed = message.auth?.dkimPass ?? [];
  return from.length > 0 && from.every((f) => passed.some((d) => aligned(d, f)));
}
