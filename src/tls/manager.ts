// The one TLS policy and certificate for every listener (SMTP, IMAP, POP3, the setup page).
// - First start without a certificate: generate a self-signed one (certificate.ts), key mode 0600.
// - TLS 1.2 and 1.3 only (RFC 8996 retires 1.0 and 1.1; RFC 8314 4.1 asks for current versions),
//   TLS 1.2 with ECDHE and AEAD cipher suites only (RFC 9325 4.2).
// - Hot reload: the files are polled; a changed, valid pair replaces the current context for new
//   connections and STARTTLS upgrades, while open sessions keep theirs. A broken pair is logged
//   and ignored.
// - A self-signed certificate that starts in the future was made while the clock was wrong (a
//   device without a battery clock, or one set ahead): clients refuse it as not yet valid (RFC 5280
//   4.1.2.5). Once the clock is set (clock.ts) it is made again: at start and every minute.
// - A generated certificate follows the names (names.ts): when the host name or the domains change,
//   a self-signed one that no longer names exactly them is made again, unless the owner chose
//   another source (mayGenerate: an ACME or uploaded certificate is never replaced by this).
import { X509Certificate, createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, unwatchFile, watchFile, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { Logger } from '../log/log.ts';
import type { AcmeRenewer } from './acme.ts';
import { createSelfSigned, keyMatches } from './certificate.ts';
import { clockSynchronized } from './clock.ts';
import { dnsNames, namesMatch, type CertificateNames } from './names.ts';

// Every listener's TLS options (smtp-server takes them as they are, the others through serverOptions()).
export const TLS_POLICY = {
  minVersion: 'TLSv1.2',
  maxVersion: 'TLSv1.3',
  ciphers: [
    // TLS 1.3: every suite is AEAD with ephemeral key exchange (RFC 8446 9.1); Node's order.
    'TLS_AES_256_GCM_SHA384',
    'TLS_CHACHA20_POLY1305_SHA256',
    'TLS_AES_128_GCM_SHA256',
    // TLS 1.2: RFC 9325 4.2's four ECDHE AES-GCM suites, and ChaCha20-Poly1305 (RFC 7905) for CPUs
    // without AES instructions (a Raspberry Pi's). No CBC, no RSA key exchange, no finite-field DHE (RFC 9325 4.1).
    'ECDHE-ECDSA-AES128-GCM-SHA256',
    'ECDHE-RSA-AES128-GCM-SHA256',
    'ECDHE-ECDSA-AES256-GCM-SHA384',
    'ECDHE-RSA-AES256-GCM-SHA384',
    'ECDHE-ECDSA-CHACHA20-POLY1305',
    'ECDHE-RSA-CHACHA20-POLY1305',
  ].join(':'),
} as const;

export interface CertificateInfo {
  subject: string;
  issuer: string;
  altNames: string[];
  validFrom: string;
  validTo: string;
  fingerprint256: string;
  selfSigned: boolean;
  certFile: string;
  keyFile: string;
}

export interface TlsManagerOptions {
  certFile: string;
  keyFile: string;
  // Names for a generated certificate: the host name first.
  hostname: string;
  domains: string[];
  // The current names, when they can change while running (the daemon's store); checked every pollMs.
  names?: () => CertificateNames;
  // Whether a self-signed certificate may be made over the current one (false when the owner chose
  // an ACME or an uploaded certificate).
  mayGenerate?: () => boolean;
  log: Logger;
  pollMs?: number;
  // How often the certificate's start is checked against the clock, and whether the clock is set.
  clockCheckMs?: number;
  clockSynchronized?: () => boolean;
}

export class TlsManager {
  private o: TlsManagerOptions;
  private current!: { context: tls.SecureContext; keyPem: string; certPem: string; cert: X509Certificate };
  private listeners = new Set<() => void>();
  private lastStamp = '';
  private clockTimer: NodeJS.Timeout | null = null;
  private namesTimer: NodeJS.Timeout | null = null;
  // The daemon's ACME client (acme.ts), when it runs one: it answers HTTP-01 challenges.
  acme: AcmeRenewer | null = null;
  private closers: (() => void)[] = [];

  constructor(o: TlsManagerOptions) {
    this.o = o;
    if (!existsSync(o.certFile) || !existsSync(o.keyFile)) this.generate();
    const loaded = this.load();
    if (loaded instanceof Error) throw loaded;
    this.renewIfNotYetValid();
    if (o.names) this.followNames();
  }

  // For new connections and STARTTLS upgrades.
  get context(): tls.SecureContext {
    return this.current.context;
  }

  // PEM strings, for libraries that take their own key/cert options (smtp-server).
  get pem(): { key: string; cert: string } {
    return { key: this.current.keyPem, cert: this.current.certPem };
  }

  // Options for tls.createServer / new tls.TLSSocket: the policy and the current context.
  serverOptions(): tls.TlsOptions {
    return { ...TLS_POLICY, secureContext: this.current.context };
  }

  // Called after each successful reload (listeners then update their servers' default context).
  onReload(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  info(): CertificateInfo {
    const c = this.current.cert;
    return {
      subject: c.subject,
      issuer: c.issuer,
      altNames: (c.subjectAltName ?? '').split(', ').filter(Boolean),
      validFrom: c.validFrom,
      validTo: c.validTo,
      fingerprint256: c.fingerprint256,
      // Not checkIssued(c): OpenSSL's issuer check wants keyCertSign, which a leaf does not have.
      selfSigned: c.issuer === c.subject && c.verify(c.publicKey),
      certFile: this.o.certFile,
      keyFile: this.o.keyFile,
    };
  }

  // Whether the certificate in use is valid for this host name (RFC 6125 6.4).
  covers(hostname: string): boolean {
    return this.current.cert.checkHost(hostname) !== undefined;
  }

  // Re-reads the files; true when a new valid pair is now in use.
  reload(): boolean {
    const r = this.load();
    if (r instanceof Error) {
      this.o.log.error('tls.reload_failed', { error: r, certFile: this.o.certFile });
      return false;
    }
    if (!r) return false;
    this.o.log.info('tls.reloaded', { subject: this.current.cert.subject, validTo: this.current.cert.validTo });
    for (const l of this.listeners) l();
    return true;
  }

  // Writes a new self-signed pair over the current files, then loads it.
  regenerate(): CertificateInfo {
    this.generate();
    this.reload();
    return this.info();
  }

  // Writes a pair from elsewhere (an ACME order, an upload) over the current files, then loads it.
  install(certPem: string, keyPem: string): CertificateInfo {
    if (!keyMatches(keyPem, new X509Certificate(certPem))) throw new Error('the key does not belong to the certificate');
    this.write(certPem, keyPem);
    this.reload();
    return this.info();
  }

  // A self-signed certificate that does not name exactly the current names is made again; true when it was.
  followNames(): boolean {
    if (this.o.names) Object.assign(this.o, this.o.names());
    if (!(this.o.mayGenerate?.() ?? true) || !this.info().selfSigned || namesMatch(this.current.cert, this.o)) return false;
    this.o.log.info('tls.names_changed', { hostname: this.o.hostname, domains: this.o.domains.length });
    this.regenerate();
    return true;
  }

  // A self-signed certificate whose notBefore lies ahead of a set clock is made again; true when it was.
  renewIfNotYetValid(): boolean {
    const c = this.current.cert;
    if (c.validFromDate.getTime() <= Date.now() || !this.info().selfSigned) return false;
    if (!(this.o.clockSynchronized ?? clockSynchronized)()) return false;
    this.o.log.warn('tls.not_yet_valid', { validFrom: c.validFrom, fingerprint256: c.fingerprint256 });
    this.regenerate();
    return true;
  }

  watch(): void {
    const check = () => this.reload();
    watchFile(this.o.certFile, { interval: this.o.pollMs ?? 5000, persistent: false }, check);
    watchFile(this.o.keyFile, { interval: this.o.pollMs ?? 5000, persistent: false }, check);
    this.clockTimer = setInterval(() => this.renewIfNotYetValid(), this.o.clockCheckMs ?? 60_000).unref();
    if (this.o.names) this.namesTimer = setInterval(() => this.followNames(), this.o.pollMs ?? 5000).unref();
  }

  // fn runs on close (what was started alongside: the ACME client, settings watches).
  onClose(fn: () => void): void {
    this.closers.push(fn);
  }

  close(): void {
    if (this.clockTimer) clearInterval(this.clockTimer);
    if (this.namesTimer) clearInterval(this.namesTimer);
    for (const fn of this.closers) fn();
    this.closers = [];
    unwatchFile(this.o.certFile);
    unwatchFile(this.o.keyFile);
    this.listeners.clear();
  }

  // Loads the pair if it changed since the last load: true when loaded, false when unchanged.
  private load(): boolean | Error {
    try {
      const stamp = [this.o.certFile, this.o.keyFile].map((f) => `${statSync(f).mtimeMs}:${statSync(f).size}`).join('|');
      if (stamp === this.lastStamp) return false;
      const certPem = readFileSync(this.o.certFile, 'utf8');
      const keyPem = readFileSync(this.o.keyFile, 'utf8');
      const cert = new X509Certificate(certPem);
      if (!keyMatches(keyPem, cert)) return new Error('the key does not belong to the certificate');
      const context = tls.createSecureContext({ key: keyPem, cert: certPem, ...TLS_POLICY });
      this.current = { context, keyPem, certPem, cert };
      this.lastStamp = stamp;
      return true;
    } catch (e) {
      return e as Error;
    }
  }

  private generate(): void {
    const addresses = Object.values(os.networkInterfaces()).flatMap((l) => (l ?? []).map((a) => a.address));
    const pair = createSelfSigned({ commonName: this.o.hostname, dnsNames: dnsNames(this.o), ipAddresses: ['127.0.0.1', '::1', ...addresses] });
    this.write(pair.certPem, pair.keyPem);
    const fp = createHash('sha256').update(pair.certPem).digest('hex').slice(0, 16);
    this.o.log.info('tls.generated', { certFile: this.o.certFile, subject: this.o.hostname, id: fp });
  }

  private write(certPem: string, keyPem: string): void {
    mkdirSync(path.dirname(this.o.keyFile), { recursive: true, mode: 0o700 });
    mkdirSync(path.dirname(this.o.certFile), { recursive: true, mode: 0o700 });
    // Written beside and renamed, so a reader never sees half a file.
    const tmpKey = `${this.o.keyFile}.new`;
    writeFileSync(tmpKey, keyPem, { mode: 0o600 });
    chmodSync(tmpKey, 0o600);
    writeFileSync(`${this.o.certFile}.new`, certPem, { mode: 0o644 });
    renameSync(tmpKey, this.o.keyFile);
    renameSync(`${this.o.certFile}.new`, this.o.certFile);
  }
}
