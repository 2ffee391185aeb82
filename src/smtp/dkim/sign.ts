// DKIM signing of outbound mail (RFC 6376), main-thread half: which domain signs and with which
// keys. A message whose From domain is a local domain (or a subdomain of one) is signed with that
// domain's keys (keys.ts: kept in the store, made on first use): rsa-sha256 with 2048 bits,
// then ed25519-sha256 as a second signature (RFC 8463 6: verifiers that do not know Ed25519
// ignore it and use the RSA one). relaxed/relaxed canonicalization survives the header refolding
// and trailing-space changes relays make (RFC 6376 3.4). The signing itself reads the whole
// message, so it runs in a worker (../queue/transmission.ts), per transmission: the signature
// covers the bytes as they are sent, after any 8BITMIME downgrade (RFC 6376 5.3).
import type { MessageStructure } from '../../mime/types.ts';
import type { Store } from '../../store/index.ts';
import { ensureDkimKeys } from './keys.ts';

// RFC 6376 5.4.1 recommends these; From is signed twice ("over-signed", 8.15) so that a second
// From cannot be added without breaking the signature.
const HEADER_LIST = [
  'From',
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'Content-ID',
  'Content-Description',
  'Resent-Date',
  'Resent-From',
  'Resent-Sender',
  'Resent-To',
  'Resent-Cc',
  'Resent-Message-ID',
  'In-Reply-To',
  'References',
  'List-Id',
  'List-Help',
  'List-Unsubscribe',
  'List-Subscribe',
  'List-Post',
  'List-Owner',
  'List-Archive',
];

// What the worker needs to sign: plain data, structured-cloneable.
export interface DkimSignOptions {
  domain: string;
  headerList: string[];
  keys: { selector: string; privateKey: string; algorithm: string }[];
}

export class DkimSigner {
  private store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  // The local domain that signs mail from this header From (the parse's envelope: no header is
  // read again): itself, or the closest local parent (mail.example.org signs as example.org).
  signingDomain(parsed: MessageStructure): string | null {
    const host = parsed.envelope.from?.find((a) => a.host !== null && a.mailbox !== null)?.host;
    if (!host) return null;
    for (let domain = host.toLowerCase(); ; ) {
      if (this.store.domains.isLocal(domain)) return domain;
      const dot = domain.indexOf('.');
      if (dot < 0) return null;
      domain = domain.slice(dot + 1);
    }
  }

  // The signing options for this message, or null when its From is not ours.
  async options(parsed: MessageStructure): Promise<DkimSignOptions | null> {
    const domain = this.signingDomain(parsed);
    if (!domain) return null;
    const { keys } = await ensureDkimKeys(this.store, domain);
    return { domain, headerList: HEADER_LIST, keys: keys.map((k) => ({ selector: k.selector, privateKey: k.privateKey, algorithm: k.algorithm })) };
  }
}
