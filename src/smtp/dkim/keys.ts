// DKIM key material for the local domains (RFC 6376): made with node:crypto the first time a
// domain needs it and kept in the store (store.dkim). Each domain has two keys under two
// selectors: rsa-sha256 with 2048 bits (RFC 8301 3.2) and ed25519-sha256 (RFC 8463), signed as a
// second signature (sign.ts).
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { DkimDomainRecord, DkimKey, Store } from '../../store/index.ts';
import { normalizeDomain } from '../../store/addresses.ts';
import { StoreError } from '../../store/errors.ts';

const generate = promisify(generateKeyPair);

// A new key pair of each algorithm, with selectors named after the day: "rsa20261126".
export async function newDkimKeys(now: number): Promise<DkimKey[]> {
  const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '');
  const [rsa, ed] = await Promise.all([
    generate('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }),
    generate('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'der' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    }),
  ]);
  return [
    { algorithm: 'rsa-sha256', selector: `rsa${day}`, privateKey: rsa.privateKey, publicKey: rsa.publicKey.toString('base64'), createdAt: now },
    // The Ed25519 SubjectPublicKeyInfo is a 12-byte prefix and the 32-byte key.
    { algorithm: 'ed25519-sha256', selector: `ed${day}`, privateKey: ed.privateKey, publicKey: ed.publicKey.subarray(-32).toString('base64'), createdAt: now },
  ];
}

// Generations under way, per store and domain: concurrent callers share one.
const running = new WeakMap<Store, Map<string, Promise<DkimDomainRecord>>>();

function generateFor(store: Store, domain: string, replace: boolean): Promise<DkimDomainRecord> {
  const key = normalizeDomain(domain);
  if (!key || !store.domains.isLocal(key)) return Promise.reject(new StoreError('not-found', `no domain ${domain}`));
  let byDomain = running.get(store);
  if (!byDomain) {
    byDomain = new Map();
    running.set(store, byDomain);
  }
  const current = byDomain.get(key);
  if (current) return current;
  const p = newDkimKeys(Date.now()).then((keys) => store.dkim.save(key, keys, replace));
  byDomain.set(key, p);
  const done = () => byDomain.delete(key);
  p.then(done, done);
  return p;
}

// The domain's keys, made and stored first when it has none. Only local domains get keys.
export function ensureDkimKeys(store: Store, domain: string): Promise<DkimDomainRecord> {
  const existing = store.dkim.get(domain);
  return existing ? Promise.resolve(existing) : generateFor(store, domain, false);
}

// New keys under new selectors (the old records may be removed from DNS once mail signed with
// them has been delivered).
export function rotateDkimKeys(store: Store, domain: string): Promise<DkimDomainRecord> {
  return generateFor(store, domain, true);
}
