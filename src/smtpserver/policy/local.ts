// Helpers the rules share: is the client a stranger from the internet, is a mailbox in a local
// domain, and its store key.
import type { Mailbox } from '../../smtp/address.ts';
import { isPostmaster } from '../postmaster.ts';
import type { SmtpContext } from './types.ts';

// Address literals are never local: mail to [192.0.2.1] is relay mail. Postmaster at the server's
// host name is, whether or not that name is a local domain (RFC 5321 4.5.1).
export function isLocal(ctx: SmtpContext, m: Mailbox): boolean {
  if (m.asciiDomain === null) return false;
  return ctx.directory.isLocalDomain(m.asciiDomain) || (m.asciiDomain === ctx.directory.hostname && isPostmaster(m));
}

// "local@domain" as the store keys it, or null when the local part cannot be a local name
// (quoted: accounts and aliases have dot-atom local parts).
export function localKey(m: Mailbox): string | null {
  if (m.quoted || m.asciiDomain === null) return null;
  return `${m.local.toLowerCase()}@${m.asciiDomain}`;
}

// Mail arriving on the MX port from a client that neither logged in nor sits in a trusted
// network: the mail the inbound checks are for.
export function fromInternet(ctx: SmtpContext): boolean {
  return ctx.session.listener === 'mx' && !ctx.session.account && !ctx.session.trusted;
}
