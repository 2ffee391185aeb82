// Checks a certificate and key someone uploads (their own CA's, or one bought) before it replaces
// the one every listener uses. Each refusal says what is wrong in words a person can act on.
// A certificate that does not name the server's host name is refused, not accepted with a
// warning: mail clients and other servers connect by that name (RFC 6125 6.4), so every one of them
// would reject it, which is worse than the self-signed one it would replace.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
// A leaf and a few intermediates; anything longer is not a server's chain.
const MAX_CHAIN = 8;
export const MAX_PEM_BYTES = 64 * 1024;

export class UploadError extends Error {}

const describe = (c: X509Certificate) => c.subject.replace(/\n/g, ', ');

// The certificates in order, leaf first; throws UploadError.
export function checkUpload(certPem: string, keyPem: string, hostname: string, now = Date.now()): X509Certificate[] {
  if (certPem.length > MAX_PEM_BYTES || keyPem.length > MAX_PEM_BYTES)
    throw new UploadError(`a certificate or key over ${MAX_PEM_BYTES / 1024} KiB is not a server's`);
  const blocks = certPem.match(PEM_CERT) ?? [];
  if (blocks.length === 0) throw new UploadError('no certificate found: give the PEM text (-----BEGIN CERTIFICATE----- ...)');
  if (blocks.length > MAX_CHAIN) throw new UploadError(`the chain has ${blocks.length} certificates; at most ${MAX_CHAIN} are taken`);
  const chain = blocks.map((b, i) => {
    try {
      return new X509Certificate(b);
    } catch {
      throw new UploadError(`certificate ${i + 1} in the file is not a valid X.509 certificate`);
    }
  });
  let key: KeyObject;
  try {
    key = createPrivateKey(keyPem);
  } catch {
    throw new UploadError('the key is not a PEM private key (an encrypted key must be decrypted first: openssl pkey -in KEY -out PLAIN)');
  }
  const leaf = chain[0];
  if (!leaf.checkPrivateKey(key))
    throw new UploadError(`the key does not belong to the certificate (${describe(leaf)}); the server's own certificate must come first in the file`);
  // RFC 5246 7.4.2 / RFC 8446 4.4.2: each certificate is followed by the one that signed it.
  for (let i = 0; i + 1 < chain.length; i++) {
    if (chain[i].issuer !== chain[i + 1].subject || !chain[i].verify(chain[i + 1].publicKey)) {
      throw new UploadError(
        `the chain is out of order: certificate ${i + 2} (${describe(chain[i + 1])}) did not sign certificate ${i + 1} (${describe(chain[i])}); list the server's certificate first, then each issuer`,
      );
    }
  }
  // RFC 5280 4.1.2.5: every certificate of the chain must be valid now.
  for (const [i, c] of chain.entries()) {
    const which = i === 0 ? 'the certificate' : `certificate ${i + 1} of the chain (${describe(c)})`;
    if (c.validToDate.getTime() < now) throw new UploadError(`${which} expired on ${c.validToDate.toISOString()}`);
    if (c.validFromDate.getTime() > now)
      throw new UploadError(`${which} is not valid before ${c.validFromDate.toISOString()} (or this device's clock is wrong)`);
  }
  if (leaf.checkHost(hostname) === undefined) {
    throw new UploadError(
      `the certificate does not name this server's host name ${hostname} (it names ${leaf.subjectAltName ?? describe(leaf)}); set server.hostname first if it is to change`,
    );
  }
  return chain;
}
