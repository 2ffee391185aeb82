// Normal forms of the names the store keys on. Domains are compared as lowercase A-labels
// (RFC 5890), local parts case-insensitively (RFC 5321 2.4 allows case-sensitive local parts;
// like Postfix and Dovecot we fold them, so "User@" and "user@" are one mailbox).
import { domainToASCII } from 'node:url';
import { StoreError } from './errors.ts';

export function normalizeDomain(domain: string): string | null {
  const d = domain.trim().replace(/\.$/, '');
  if (!d || d.length > 253 || d.startsWith('[')) return null;
  const ascii = domainToASCII(d.toLowerCase());
  if (!ascii || !/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/.test(ascii)) {
    return null;
  }
  return ascii;
}

// "local@domain" -> normal form, or null when it is not a plain address the store can hold.
// Quoted local parts, source routes and address literals are not accepted here: accounts and
// aliases have dot-atom local parts (RFC 5321 4.1.2).
export function normalizeMailAddress(address: string): string | null {
  const at = address.lastIndexOf('@');
  if (at <= 0) return null;
  const local = address.slice(0, at).toLowerCase();
  const domain = normalizeDomain(address.slice(at + 1));
  if (!domain || local.length > 64) return null;
  if (!/^[a-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+(?:\.[a-z0-9!#$%&'*+/=?^_`{|}~\u0080-\uffff-]+)*$/.test(local)) {
    return null;
  }
  return `${local}@${domain}`;
}

// The domain part of an address as written (after the last "@"); of a normal form, a normal form.
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

export function localOf(address: string): string {
  return address.slice(0, address.lastIndexOf('@'));
}

// The normal forms, or StoreError 'invalid' for a name the store cannot hold.
export function requireDomain(name: string): string {
  const d = normalizeDomain(name);
  if (!d) throw new StoreError('invalid', `not a domain name: ${name}`);
  return d;
}

export function requireMailAddress(address: string): string {
  const a = normalizeMailAddress(address);
  if (!a) throw new StoreError('invalid', `not an address: ${address}`);
  return a;
}
