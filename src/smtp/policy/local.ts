// Helpers the RCPT rules share: is a mailbox in a local domain, and its store key.
import type { Mailbox } from '../address.ts';
import type { SmtpContext } from './types.ts';

// Address literals are never local: mail to [192.0.2.1] is relay mail.
export function isLocal(ctx: SmtpContext, m: Mailbox): boolean {
  return m.asciiDomain !== null && ctx.directory.isLocalDomain(m.asciiDomain);
}

// "local@domain" as the store keys it, or null when the local part cannot be a local name
// (quoted: accounts and aliases have dot-atom local parts).
export function localKey(m: Mailbox): string | null {
  if (m.quoted || m.asciiDomain === null) return null;
  return `${m.local.toLowerCase()}@${m.asciiDomain}`;
}
