// A self-signed ECDSA P-256 certificate for first start (RFC 5280 profile): what the device uses
// until its owner installs one from a CA. Subject alternative names cover the host name, the
// configured mail domains and the machine's addresses, so clients can pin it for each.
// Also the certificate signing request an ACME order is finalized with (RFC 2986).
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { bitString, boolean, explicit, implicit, integer, octetString, oid, sequence, set, time, utf8String } from './der.ts';

const ECDSA_WITH_SHA256 = sequence(oid('1.2.840.10045.4.3.2'));
const VALID_DAYS = 3650;

export interface SelfSignedOptions {
  commonName: string;
  dnsNames: string[];
  ipAddresses: string[];
  now?: Date;
}

export interface KeyAndCertificate {
  keyPem: string;
  certPem: string;
}

function ipBytes(ip: string): Buffer | null {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  if (isIP(ip) !== 6 || ip.includes('.')) return null;
  const [head, tail = ''] = ip.split('::');
  const words = (s: string) => (s ? s.split(':') : []);
  const h = words(head);
  const t = words(tail);
  const all = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  const b = Buffer.alloc(16);
  all.forEach((w, i) => {
    b.writeUInt16BE(parseInt(w, 16), i * 2);
  });
  return b;
}

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), boolean(true), octetString(value)) : sequence(oid(id), octetString(value));
}

function subjectName(commonName: string): Buffer {
  return sequence(set(sequence(oid('2.5.4.3'), utf8String(commonName))));
}

function dnsAltNames(names: string[]): Buffer[] {
  return [...new Set(names)].map((d) => implicit(2, Buffer.from(d, 'ascii')));
}

// A PKCS#10 request (RFC 2986 4) for these DNS names, the first as the common name, signed with
// the ECDSA key; its subjectAltName asked for in an extensionRequest attribute (RFC 2985 5.4.2).
export function createCsr(keyPem: string, dnsNames: string[]): string {
  const key = createPrivateKey(keyPem);
  const extensions = sequence(extension('2.5.29.17', false, sequence(...dnsAltNames(dnsNames))));
  const info = sequence(
    integer(Buffer.from([0])),
    subjectName(dnsNames[0]),
    createPublicKey(key).export({ type: 'spki', format: 'der' }),
    explicit(0, sequence(oid('1.2.840.113549.1.9.14'), set(extensions))),
  );
  return pem('CERTIFICATE REQUEST', sequence(info, ECDSA_WITH_SHA256, bitString(sign('sha256', info, key))));
}

function pem(label: string, der: Buffer): string {
  const b64 = der.toString('base64').replace(/.{64}/g, '$&\n').replace(/\n?$/, '\n');
  return `-----BEGIN ${label}-----\n${b64}-----END ${label}-----\n`;
}

export function createSelfSigned(opts: SelfSignedOptions): KeyAndCertificate {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60 * 60_000);
  const notAfter = new Date(now.getTime() + VALID_DAYS * 86_400_000);
  const name = subjectName(opts.commonName);
  const altNames = [
    ...dnsAltNames(opts.dnsNames),
    ...[...new Set(opts.ipAddresses)]
      .map(ipBytes)
      .filter((b): b is Buffer => b !== null)
      .map((b) => implicit(7, b)),
  ];
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const tbs = sequence(
    explicit(0, integer(Buffer.from([2]))), // v3
    integer(serial),
    ECDSA_WITH_SHA256,
    name,
    sequence(time(notBefore), time(notAfter)),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        extension('2.5.29.19', true, sequence()), // basicConstraints: not a CA
        extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7)), // keyUsage: digitalSignature
        extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))), // extKeyUsage: serverAuth
        extension('2.5.29.17', false, sequence(...altNames)), // subjectAltName
      ),
    ),
  );
  const signature = sign('sha256', tbs, privateKey as KeyObject);
  return {
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    certPem: pem('CERTIFICATE', sequence(tbs, ECDSA_WITH_SHA256, bitString(signature))),
  };
}

// True when the key is the private half of the certificate's public key.
export function keyMatches(keyPem: string, cert: import('node:crypto').X509Certificate): boolean {
  return cert.checkPrivateKey(createPrivateKey(keyPem));
}
