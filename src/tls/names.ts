// The DNS names a generated certificate carries: the server's host name first, then for each local
// domain the domain itself, mail.<domain> (the usual MX and client setting) and autoconfig.<domain>
// (Thunderbird's client-configuration lookup), and localhost. Addresses are added at generation.
import type { X509Certificate } from 'node:crypto';

export interface CertificateNames {
  hostname: string;
  domains: string[];
}

export function dnsNames({ hostname, domains }: CertificateNames): string[] {
  const names = [hostname, ...domains.flatMap((d) => [d, `mail.${d}`, `autoconfig.${d}`]), 'localhost'];
  return [...new Set(names.map((n) => n.toLowerCase()))];
}

// The certificate's DNS subject alternative names (RFC 5280 4.2.1.6), lower case.
export function certificateDnsNames(cert: X509Certificate): string[] {
  return (cert.subjectAltName ?? '')
    .split(', ')
    .filter((n) => n.startsWith('DNS:'))
    .map((n) => n.slice(4).toLowerCase());
}

// True when the certificate names exactly these, no more and no fewer (a removed domain counts too).
export function namesMatch(cert: X509Certificate, wanted: CertificateNames): boolean {
  const have = new Set(certificateDnsNames(cert));
  const want = dnsNames(wanted);
  return have.size === want.length && want.every((n) => have.has(n));
}
