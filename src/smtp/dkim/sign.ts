// DKIM signing of outbound mail (RFC 6376) with mailauth: a message whose From domain is a local
// domain (or a subdomain of one) is signed with that domain's keys from the store (store.dkim,
// generated on first use): rsa-sha256 with 2048 bits, then ed25519-sha256 as a second signature
// (RFC 8463 6: verifiers that do not know Ed25519 ignore it and use the RSA one). relaxed/relaxed
// canonicalization survives the header refolding and trailing-space changes relays make
// (RFC 6376 3.4). The signature covers the bytes as they are sent, after any 8BITMIME downgrade
// (RFC 6376 5.3), so signing happens per transmission.
import type { Logger } from '../../log/log.ts';
import { headerInfo } from '../message.ts';
import type { Store } from '../../store/index.ts';
import { loadMailauth } from '../mailauth.ts';

// RFC 6376 5.4.1 recommends these; From is signed twice ("over-signed", 8.15) so that a second
// From cannot be added without breaking the signature.
const HEADER_LIST = [
  'From', 'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc',
  'MIME-Version', 'Content-Type', 'Content-Transfer-Encoding', 'Content-ID', 'Content-Description',
  'Resent-Date', 'Resent-From', 'Resent-Sender', 'Resent-To', 'Resent-Cc', 'Resent-Message-ID',
  'In-Reply-To', 'References', 'List-Id', 'List-Help', 'List-Unsubscribe', 'List-Subscribe',
  'List-Post', 'List-Owner', 'List-Archive',
];

export class DkimSigner {
  private store: Store;
  private log: Logger;

  constructor(store: Store, log: Logger) {
    this.store = store;
    this.log = log;
  }

  // The local domain that signs mail from this header From domain: itself, or the closest local
  // parent (mail.example.org signs as example.org), or null.
  signingDomain(raw: Buffer): string | null {
    const from = headerInfo(raw).from[0];
    if (!from) return null;
    let domain = from.slice(from.lastIndexOf('@') + 1).toLowerCase();
    for (;;) {
      if (this.store.accounts.isLocalDomain(domain)) return domain;
      const dot = domain.indexOf('.');
      if (dot < 0) return null;
      domain = domain.slice(dot + 1);
    }
  }

  // The message with DKIM-Signature fields on top; unchanged when its From is not ours or
  // signing failed (it is then sent unsigned, and the failure logged).
  async sign(raw: Buffer): Promise<Buffer> {
    const domain = this.signingDomain(raw);
    if (!domain) return raw;
    try {
      const { keys } = await this.store.dkim.ensure(domain);
      const { dkimSign } = await loadMailauth();
      const result = await dkimSign(raw, {
        signingDomain: domain,
        selector: keys[0].selector,
        privateKey: keys[0].privateKey,
        canonicalization: 'relaxed/relaxed',
        headerList: HEADER_LIST,
        signatureData: keys.map((k) => ({ signingDomain: domain, selector: k.selector, privateKey: k.privateKey, algorithm: k.algorithm, canonicalization: 'relaxed/relaxed' })),
      });
      if (result.errors?.length) this.log.warn('dkim.sign_failed', { domain, errors: result.errors.map((e) => String((e as { message?: string }).message ?? e)) });
      return result.signatures ? Buffer.concat([Buffer.from(result.signatures), raw]) : raw;
    } catch (e) {
      this.log.warn('dkim.sign_failed', { domain, error: e as Error });
      return raw;
    }
  }
}
