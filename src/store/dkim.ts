// DKIM signing keys of the local domains (RFC 6376), generated with node:crypto the first time a
// domain needs one and kept in the store (the store file is the owner's alone, mode 0600). Each
// domain has two keys under two selectors: rsa-sha256 with 2048 bits (RFC 8301 3.2) and
// ed25519-sha256 (RFC 8463), signed as a second signature. dnsRecords() gives the TXT records to
// publish, for the CLI and the setup page.
import { generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import type { StoreContext } from './context.ts';
import { normalizeDomain } from './addresses.ts';
import { StoreError } from './errors.ts';

export type DkimAlgorithm = 'rsa-sha256' | 'ed25519-sha256';

export interface DkimKey {
  algorithm: DkimAlgorithm;
  selector: string;
  privateKey: string; // PKCS#8 PEM
  // The p= value: base64 of the SubjectPublicKeyInfo (RSA, RFC 6376 3.6.1) or of the raw
  // 32-byte key (Ed25519, RFC 8463 4).
  publicKey: string;
  createdAt: number;
}

export interface DkimDomainRecord {
  domain: string;
  keys: DkimKey[];
}

export interface DkimDnsRecord {
  name: string; // "rsa20261126._domainkey.example.org"
  type: 'TXT';
  value: string; // "v=DKIM1; k=rsa; p=..."
  // The value cut into character-strings of at most 255 octets, as a zone file or a DNS panel
  // that asks for them separately needs it (RFC 1035 3.3.14; RFC 6376 3.6.2.2 joins them).
  strings: string[];
}

const generate = promisify(generateKeyPair);

async function newKeys(now: number): Promise<DkimKey[]> {
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

export function dnsRecord(domain: string, key: DkimKey): DkimDnsRecord {
  const value = `v=DKIM1; k=${key.algorithm === 'rsa-sha256' ? 'rsa' : 'ed25519'}; p=${key.publicKey}`;
  const strings: string[] = [];
  for (let i = 0; i < value.length; i += 255) strings.push(value.slice(i, i + 255));
  return { name: `${key.selector}._domainkey.${domain}`, type: 'TXT', value, strings };
}

export class Dkim {
  private ctx: StoreContext;
  private generating = new Map<string, Promise<DkimDomainRecord>>();

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  get(domain: string): DkimDomainRecord | null {
    const d = normalizeDomain(domain);
    return (d && this.ctx.dbs.dkim.get(d)) || null;
  }

  // The domain's keys, generated and stored first when it has none. Only local domains get keys.
  ensure(domain: string): Promise<DkimDomainRecord> {
    const existing = this.get(domain);
    if (existing) return Promise.resolve(existing);
    return this.generate(domain, false);
  }

  // New keys under new selectors (the old records may be removed from DNS once mail signed with
  // them has been delivered). replace=false keeps keys that exist.
  generate(domain: string, replace = true): Promise<DkimDomainRecord> {
    const d = normalizeDomain(domain);
    if (!d || !this.ctx.dbs.domains.get(d)) return Promise.reject(new StoreError('not-found', `no domain ${domain}`));
    const running = this.generating.get(d);
    if (running) return running;
    const p = (async () => {
      const keys = await newKeys(Date.now());
      return this.ctx.write(() => {
        const current = this.ctx.dbs.dkim.get(d);
        if (current && !replace) return current;
        // Keys of the same day keep their selectors distinct from the ones they replace.
        const taken = new Set(current?.keys.map((k) => k.selector) ?? []);
        for (const k of keys) while (taken.has(k.selector)) k.selector += 'x';
        const rec: DkimDomainRecord = { domain: d, keys };
        this.ctx.dbs.dkim.putSync(d, rec);
        return rec;
      });
    })();
    this.generating.set(d, p);
    const done = () => this.generating.delete(d);
    p.then(done, done);
    return p;
  }

  // The TXT records to publish for the domain's current keys (none before keys exist).
  dnsRecords(domain: string): DkimDnsRecord[] {
    const rec = this.get(domain);
    return rec ? rec.keys.map((k) => dnsRecord(rec.domain, k)) : [];
  }
}
