// The postmaster (RFC 5321 4.5.1): every local domain, and the server's own host name, accepts
// mail to the local part "postmaster" in any case. An account or alias of that exact name gets it;
// otherwise the account the admin chose (the setting smtp.postmaster), or while that is unset or
// gone, the first account. The setting is changed through the API (`homepost postmaster set`).
import { normalizeMailAddress, normalizeDomain } from '../store/addresses.ts';
import { text } from '../settings/define.ts';
import type { Resolution, Store } from '../store/index.ts';
import { parseMailbox, type Mailbox } from '../smtp/address.ts';

export const POSTMASTER = text({
  key: 'smtp.postmaster',
  default: null,
  defaultText: 'the first account',
  rule: 'a mail address',
  test: (s) => normalizeMailAddress(s) !== null,
  description: 'the account that gets mail for postmaster at every domain (RFC 5321 4.5.1)',
});
export const POSTMASTER_SETTING = POSTMASTER.key;

// The host name as a Mailbox's asciiDomain spells it.
export function asciiHostname(hostname: string): string {
  return normalizeDomain(hostname) ?? hostname.toLowerCase();
}

// RFC 5321 4.5.1: "postmaster" is case-insensitive (needless quotes are already dropped).
export function isPostmaster(m: Mailbox): boolean {
  return !m.quoted && m.local.toLowerCase() === 'postmaster';
}

// The account that gets postmaster mail nobody else is named for: the chosen account while it
// exists, else the one with the lowest id; null without accounts.
export function postmasterAccount(store: Store): { id: number; address: string } | null {
  const chosen = store.settings.get<unknown>(POSTMASTER_SETTING, null);
  const account = typeof chosen === 'string' ? store.accounts.get(chosen) : null;
  if (account) return { id: account.id, address: account.address };
  let first: { id: number; address: string } | null = null;
  for (const a of store.accounts.list()) if (!first || a.id < first.id) first = { id: a.id, address: a.address };
  return first;
}

// store.aliases.resolve, but postmaster at a local domain or at the host name goes to
// postmasterAccount unless an account or alias has that exact name (a catch-all does not).
export function resolveRecipient(store: Store, hostname: string, address: string): Resolution | null {
  const a = normalizeMailAddress(address);
  if (!a?.startsWith('postmaster@')) return store.aliases.resolve(address);
  const domain = a.slice('postmaster@'.length);
  if (!store.domains.isLocal(domain) && domain !== asciiHostname(hostname)) return null;
  const named = store.accounts.get(a) !== null || store.aliases.list().some((x) => x.address === a);
  const account = named ? null : postmasterAccount(store);
  return account ? { accounts: [account.id], external: [] } : store.aliases.resolve(a);
}

// RFC 5321 4.1.1.3: RCPT TO:<Postmaster> names the postmaster of this server: at the local domain
// the host name belongs to; else at the host name when it is a domain name (a Raspberry Pi's
// default "raspberrypi" is not), else at the first local domain. Null without any of them.
export function postmasterMailbox(store: Store, hostname: string): Mailbox | null {
  const host = normalizeDomain(hostname);
  const domains = store.domains.list().map((d) => d.name);
  const domain = domains.find((d) => host === d || host?.endsWith(`.${d}`)) ?? host ?? domains[0];
  // Both kinds of name passed normalizeDomain, whose labels the SMTP grammar accepts.
  return domain ? parseMailbox(`postmaster@${domain}`, false) : null;
}
