// The certificate's settings: where its files are, where it comes from, and how an ACME CA is
// reached (src/api/registry.ts lists every setting).
import path from 'node:path';
import { choice, duration, readSetting, text, type SettingsSource } from '../settings/define.ts';

const absolute = (s: string) => path.isAbsolute(s);

export const TLS_SETTINGS = {
  certFile: text({
    key: 'tls.certFile',
    default: null,
    defaultText: 'tls/cert.pem in the data folder',
    rule: 'an absolute path',
    test: absolute,
    restart: true,
    description: 'the certificate (PEM, the chain after it) every TLS listener uses',
  }),
  keyFile: text({
    key: 'tls.keyFile',
    default: null,
    defaultText: 'tls/key.pem in the data folder',
    rule: 'an absolute path',
    test: absolute,
    restart: true,
    description: "the certificate's private key (PEM)",
  }),
  // Set by `cert acme` and `cert upload` once they succeed, and by `cert generate`.
  source: choice({
    key: 'tls.source',
    default: 'self-signed',
    values: ['self-signed', 'acme', 'uploaded'] as const,
    description: 'where the certificate comes from: made here (follows the names), from an ACME CA (renewed), or uploaded (left alone)',
  }),
} as const;

export type CertificateSource = 'self-signed' | 'acme' | 'uploaded';

export const LETS_ENCRYPT = 'https://acme-v02.api.letsencrypt.org/directory';

const httpsUrl = (s: string) => URL.canParse(s) && new URL(s).protocol === 'https:';

export const ACME_SETTINGS = {
  directoryUrl: text({
    key: 'acme.directoryUrl',
    default: LETS_ENCRYPT,
    rule: 'an https:// URL',
    test: httpsUrl,
    description: "the ACME CA's directory (RFC 8555 7.1.1); Let's Encrypt by default",
  }),
  email: text({
    key: 'acme.email',
    default: null,
    rule: 'an email address',
    test: (s) => /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(s),
    description: 'the contact the CA writes to about expiring certificates (optional)',
  }),
  caFile: text({
    key: 'acme.caFile',
    default: null,
    defaultText: "the system's CAs",
    rule: 'an absolute path',
    test: absolute,
    description: "CA certificates (PEM) to trust for the ACME directory's HTTPS, for a private or test CA",
  }),
  // 0: a third of the certificate's lifetime, as Let's Encrypt advises (renewal at two thirds).
  renewBefore: duration({
    key: 'acme.renewBefore',
    default: 0,
    defaultText: "a third of the certificate's lifetime",
    min: 0,
    max: 3650 * 86_400_000,
    description: 'how long before it expires an ACME certificate is renewed',
  }),
  retryDelay: duration({
    key: 'acme.retryDelay',
    default: 600_000,
    min: 1000,
    max: 86_400_000,
    description: 'the wait after a failed ACME attempt; it doubles after each further failure, up to a day',
  }),
} as const;

export function certificatePaths(s: SettingsSource, dataDir: string): { certFile: string; keyFile: string } {
  return {
    certFile: readSetting(s, TLS_SETTINGS.certFile) ?? path.join(dataDir, 'tls', 'cert.pem'),
    keyFile: readSetting(s, TLS_SETTINGS.keyFile) ?? path.join(dataDir, 'tls', 'key.pem'),
  };
}

// The ACME account key: in the data folder beside the certificate's, mode 0600, never in settings.
export function acmeAccountKeyFile(dataDir: string): string {
  return path.join(dataDir, 'tls', 'acme-account.pem');
}
