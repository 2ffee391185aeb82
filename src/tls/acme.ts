// A certificate from an ACME CA (RFC 8555; Let's Encrypt by default) through the acme-client
// package: account, order, HTTP-01 challenges answered by the plain HTTP listener
// (acme-challenge.ts), finalize with a new key, then the pair is written over the files every
// listener uses and reloaded (TlsManager.install). While tls.source is acme it is renewed at two
// thirds of its lifetime (acme.renewBefore), and a failed attempt is tried again after
// acme.retryDelay, doubling up to a day. Timers are unref'd and cleared on close.
//
// Names requested: the server's host name only. It is the one name mail clients and other servers
// are told to connect to (MX, IMAP/SMTP settings, the setup page); every name asked for must pass
// HTTP-01 on port 80 of the address it resolves to, so adding the domains, mail.<domain> or
// autoconfig.<domain> would make the whole order fail as soon as one of them points elsewhere (a
// domain's own A record usually points at its web host). Those names keep the self-signed fallback.
import { generateKeyPair } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import https from 'node:https';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from '../log/log.ts';
import { readSetting } from '../settings/define.ts';
import type { Store } from '../store/index.ts';
import { createCsr } from './certificate.ts';
import type { TlsManager } from './manager.ts';
import { ACME_SETTINGS, TLS_SETTINGS, acmeAccountKeyFile } from './settings.ts';

// setTimeout's longest wait; a later renewal is reached in steps.
const MAX_TIMER_MS = 2 ** 31 - 1;
const MAX_RETRY_MS = 86_400_000;
// Nothing a CA sends is read past this (a certificate chain is a few kilobytes).
const MAX_RESPONSE_BYTES = 1 << 20;
const REQUEST_TIMEOUT_MS = 30_000;

export type AcmeStep = 'account' | 'order' | 'validation' | 'finalize' | 'install';

export interface AcmeAttempt {
  at: string;
  ok: boolean;
  // In plain words, for the setup page.
  error?: string;
}

export interface AcmeState {
  names: string[];
  directoryUrl: string;
  email: string | null;
  // The step of the order under way, null when none runs.
  step: AcmeStep | null;
  lastAttempt: AcmeAttempt | null;
  // Attempts that failed in a row.
  failures: number;
  // When the next attempt starts by itself (a renewal or a retry); null when none is planned.
  nextAttempt: string | null;
}

const generateKeyPairAsync = promisify(generateKeyPair);

async function newKeyPem(): Promise<string> {
  const { privateKey } = await generateKeyPairAsync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

type AcmeClient = typeof import('acme-client');
let loaded: Promise<AcmeClient> | null = null;

// acme-client (with axios and node-forge) is loaded when the first order starts, not with the
// daemon: most devices never use it, and it costs a second and tens of MB at start on a Pi.
function acmeClient(): Promise<AcmeClient> {
  loaded ??= import('acme-client').then((m) => {
    const acme = ((m as { default?: AcmeClient }).default ?? m) as AcmeClient;
    acme.axios.defaults.timeout = REQUEST_TIMEOUT_MS;
    acme.axios.defaults.maxContentLength = MAX_RESPONSE_BYTES;
    acme.axios.defaults.maxRedirects = 0;
    // No retries of its own on network errors and 5xx (75 s of timers that would hold the
    // process at shutdown): a failed attempt is tried again by this file's schedule.
    (acme.axios.defaults as unknown as { acmeSettings: { retryMaxAttempts: number } }).acmeSettings.retryMaxAttempts = 0;
    return acme;
  });
  return loaded;
}

export class AcmeRenewer {
  private o: { store: Store; tls: TlsManager; dataDir: string; hostname: () => string; log: Logger };
  private tokens = new Map<string, string>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private closed = false;
  private step: AcmeStep | null = null;
  private lastAttempt: AcmeAttempt | null = null;
  private failures = 0;
  private nextAt: number | null = null;

  constructor(o: { store: Store; tls: TlsManager; dataDir: string; hostname: () => string; log: Logger }) {
    this.o = o;
  }

  // The key authorization for a token of a challenge under way (acme-challenge.ts).
  keyAuthorization(token: string): string | undefined {
    return this.tokens.get(token);
  }

  state(): AcmeState {
    const s = this.o.store.settings;
    return {
      names: [this.o.hostname()],
      directoryUrl: readSetting(s, ACME_SETTINGS.directoryUrl),
      email: readSetting(s, ACME_SETTINGS.email),
      step: this.step,
      lastAttempt: this.lastAttempt,
      failures: this.failures,
      nextAttempt: this.nextAt === null ? null : new Date(this.nextAt).toISOString(),
    };
  }

  // Plans the next attempt from the certificate in use; called at start and after each change.
  schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = null;
    if (this.closed || readSetting(this.o.store.settings, TLS_SETTINGS.source) !== 'acme') return;
    const retryDelay = readSetting(this.o.store.settings, ACME_SETTINGS.retryDelay);
    this.nextAt = this.failures > 0 ? Date.parse(this.lastAttempt!.at) + Math.min(retryDelay * 2 ** (this.failures - 1), MAX_RETRY_MS) : this.renewalDue();
    this.arm();
  }

  // Starts an order unless one runs; resolves when it has ended (the result is in state()).
  request(): Promise<void> {
    this.running ??= this.order().finally(() => {
      this.running = null;
      this.schedule();
    });
    return this.running;
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.tokens.clear();
  }

  private arm(): void {
    const wait = Math.max(0, this.nextAt! - Date.now());
    this.timer = setTimeout(() => (Date.now() >= this.nextAt! ? void this.request() : this.arm()), Math.min(wait, MAX_TIMER_MS)).unref();
  }

  // When the certificate in use should be replaced: now when it is not the CA's for this host name
  // (self-signed, or made for another name), otherwise acme.renewBefore (by default a third of
  // its lifetime) before it expires. A renewBefore as long as the lifetime would renew without end,
  // so the default applies then.
  private renewalDue(): number {
    const info = this.o.tls.info();
    if (info.selfSigned || !this.o.tls.covers(this.o.hostname())) return Date.now();
    const notBefore = Date.parse(info.validFrom);
    const notAfter = Date.parse(info.validTo);
    const lifetime = notAfter - notBefore;
    const before = readSetting(this.o.store.settings, ACME_SETTINGS.renewBefore);
    return notAfter - (before > 0 && before < lifetime ? before : Math.round(lifetime / 3));
  }

  private async order(): Promise<void> {
    const { store, tls, log } = this.o;
    const hostname = this.o.hostname();
    const started = Date.now();
    const at = (step: AcmeStep) => {
      if (this.closed) throw new Error('homepost is stopping');
      this.step = step;
    };
    try {
      at('account');
      const acme = await acmeClient();
      const client = new acme.Client({
        directoryUrl: readSetting(store.settings, ACME_SETTINGS.directoryUrl),
        accountKey: await this.accountKey(),
        // Polling the order while the CA validates: short waits, so a shutdown is not held long.
        backoffAttempts: 15,
        backoffMin: 1000,
        backoffMax: 4000,
      });
      const caFile = readSetting(store.settings, ACME_SETTINGS.caFile);
      const agent = caFile ? new https.Agent({ ca: await readFile(caFile, 'utf8') }) : undefined;
      acme.axios.defaults.httpsAgent = agent;
      // acme-client reports a CA it cannot reach as a TypeError of its own: asked here first.
      await reachable(readSetting(store.settings, ACME_SETTINGS.directoryUrl), agent);
      const email = readSetting(store.settings, ACME_SETTINGS.email);
      await client.createAccount({ termsOfServiceAgreed: true, contact: email ? [`mailto:${email}`] : [] });
      at('order');
      const order = await client.createOrder({ identifiers: [{ type: 'dns', value: hostname }] });
      at('validation');
      for (const authz of await client.getAuthorizations(order)) {
        if (authz.status === 'valid') continue;
        const challenge = authz.challenges.find((c) => c.type === 'http-01');
        if (!challenge) throw new Error(`the CA offers no HTTP-01 challenge for ${authz.identifier.value}`);
        this.tokens.set(challenge.token, await client.getChallengeKeyAuthorization(challenge));
        try {
          await client.completeChallenge(challenge);
          await client.waitForValidStatus(challenge);
        } catch (e) {
          throw new Error(
            `the CA could not check ${authz.identifier.value} over http://${authz.identifier.value}/ (port 80 must reach this server): ${message(e)}`,
          );
        } finally {
          this.tokens.delete(challenge.token);
        }
      }
      at('finalize');
      const keyPem = await newKeyPem();
      const finalized = await client.finalizeOrder(order, createCsr(keyPem, [hostname]));
      const certPem = await client.getCertificate(finalized);
      at('install');
      const info = tls.install(certPem, keyPem);
      this.failures = 0;
      this.lastAttempt = { at: new Date(started).toISOString(), ok: true };
      log.info('acme.issued', { names: [hostname], issuer: info.issuer, validTo: info.validTo, ms: Date.now() - started });
    } catch (e) {
      this.failures++;
      this.lastAttempt = { at: new Date(started).toISOString(), ok: false, error: message(e) };
      log.warn('acme.failed', { step: this.step, names: [hostname], failures: this.failures, error: this.lastAttempt.error });
    } finally {
      this.step = null;
    }
  }

  // The account's key, made on first use (ECDSA P-256), kept beside the certificate, mode 0600.
  private async accountKey(): Promise<string> {
    const file = acmeAccountKeyFile(this.o.dataDir);
    try {
      return await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const pem = await newKeyPem();
    await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
    await writeFile(`${file}.new`, pem, { mode: 0o600 });
    await rename(`${file}.new`, file);
    return pem;
  }
}

// Any HTTP answer from the directory's URL; otherwise the error, with its code.
function reachable(url: string, agent: https.Agent | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = https.get(url, { agent, timeout: REQUEST_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve();
    });
    req.once('timeout', () => req.destroy(Object.assign(new Error(`no answer within ${REQUEST_TIMEOUT_MS / 1000} s`), { code: 'ETIMEDOUT' })));
    req.once('error', reject);
  });
}

const NETWORK = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNABORTED', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH']);

// An error in plain words: acme-client's carry the CA's problem detail (RFC 8555 6.7); failures to
// reach the CA at all are named as such.
function message(e: unknown): string {
  const code = (e as { code?: unknown }).code;
  const text = e instanceof Error ? e.message : String(e);
  const plain =
    typeof code === 'string' && NETWORK.has(code)
      ? `could not reach the CA (${text})`
      : /CERT/i.test(String(code))
        ? `the CA's HTTPS certificate is not trusted (${text})`
        : text;
  return plain.length > 500 ? `${plain.slice(0, 500)}…` : plain;
}
