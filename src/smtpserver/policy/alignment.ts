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

// The author DMARC vouched for (RFC 7489 6.6.1: one From address; 4.2: a pass means an aligned SPF
// or DKIM identifier passed), with whether DKIM alone is aligned; null otherwise.
export function dmarcAuthor(message: IncomingMessage): { address: string; domain: string; dkimAligned: boolean } | null {
  const [address, ...others] = message.from.addresses;
  if (message.auth?.dmarc !== 'pass' || !address || others.length || message.from.malformed) return null;
  const lower = address.toLowerCase();
  return { address: lower, domain: domainOf(lower), dkimAligned: alignedDkim(message) };
}
