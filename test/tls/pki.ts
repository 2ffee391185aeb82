// A small PKI made with openssl for the certificate tests: a root CA, CAs under it, and server
// certificates with the names given. Files in dir; ECDSA P-256 throughout.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export interface Issued {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function read(certFile: string, keyFile: string): Issued {
  return { certFile, keyFile, cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

function newKey(file: string): void {
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);
}

// A self-signed root.
export function rootCa(dir: string, name: string): Issued {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  newKey(keyFile);
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    keyFile,
    '-out',
    certFile,
    '-days',
    '30',
    '-subj',
    `/CN=${name}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return read(certFile, keyFile);
}

// A certificate signed by issuer: a CA when ca is set, otherwise a server's for the names
// (DNS names or IP addresses).
export function issue(dir: string, issuer: Issued, name: string, o: { names?: string[]; ca?: boolean } = {}): Issued {
  const certFile = path.join(dir, `${name}.crt`);
  const keyFile = path.join(dir, `${name}.key`);
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  newKey(keyFile);
  openssl(['req', '-new', '-key', keyFile, '-out', csr, '-subj', `/CN=${o.ca ? name : (o.names?.[0] ?? name)}`]);
  const san = (o.names ?? []).map((n) => (/^[\d.]+$/.test(n) ? `IP:${n}` : `DNS:${n}`)).join(',');
  writeFileSync(
    ext,
    o.ca
      ? 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n'
      : `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\nsubjectAltName=${san}\n`,
  );
  openssl(['x509', '-req', '-in', csr, '-CA', issuer.certFile, '-CAkey', issuer.keyFile, '-CAcreateserial', '-out', certFile, '-days', '30', '-extfile', ext]);
  return read(certFile, keyFile);
}
