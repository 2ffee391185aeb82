// The DKIM signing keys of the local domains (RFC 6376), as stored: two per domain, rsa-sha256
// and ed25519-sha256, each under its own selector. Making keys and the TXT records that publish
// them is src/smtp/dkim's (keys.ts, txt-record.ts). The store file is the owner's alone (0600).
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

export class Dkim {
  private ctx: StoreContext;

  constructor(ctx: StoreContext) {
    this.ctx = ctx;
  }

  get(domain: string): DkimDomainRecord | null {
    const d = normalizeDomain(domain);
    return (d && this.ctx.dbs.dkim.get(d)) || null;
  }

  // Stores keys for a local domain. replace=false keeps (and returns) keys that exist; new keys
  // get selectors distinct from the ones they replace (a suffix "x"), so old and new TXT records
  // can be published side by side.
  save(domain: string, keys: DkimKey[], replace: boolean): Promise<DkimDomainRecord> {
    const d = normalizeDomain(domain);
    if (!d || !this.ctx.dbs.domains.get(d)) return Promise.reject(new StoreError('not-found', `no domain ${domain}`));
    return this.ctx.write(() => {
      const current = this.ctx.dbs.dkim.get(d);
      if (current && !replace) return current;
      const taken = new Set(current?.keys.map((k) => k.selector) ?? []);
      const fresh = keys.map((k) => ({ ...k }));
      for (const k of fresh) while (taken.has(k.selector)) k.selector += 'x';
      const rec: DkimDomainRecord = { domain: d, keys: fresh };
      this.ctx.dbs.dkim.putSync(d, rec);
      return rec;
    });
  }
}
