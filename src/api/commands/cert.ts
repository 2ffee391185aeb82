// `homepost cert show|status|generate|acme|upload`: the one certificate every listener presents,
// where it comes from (tls.source), and the ACME client's progress.
import os from 'node:os';
import type { AcmeState } from '../../tls/acme.ts';
import type { CertificateInfo } from '../../tls/manager.ts';
import { ACME_SETTINGS, TLS_SETTINGS, type CertificateSource } from '../../tls/settings.ts';
import { checkUpload, UploadError } from '../../tls/upload.ts';
import { serverHostname } from '../../settings/hostname.ts';
import { readSetting } from '../../settings/define.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, flag, method, noParams, optStr, str, type ApiContext } from '../method.ts';

export interface CertStatus {
  source: CertificateSource;
  hostname: string;
  certificate: CertificateInfo;
  // Whether clients connecting by the host name accept the certificate's names.
  coversHostname: boolean;
  // The ACME client's state; null offline (it runs in the daemon).
  acme: AcmeState | null;
}

function hostname(ctx: ApiContext): string {
  return serverHostname(ctx.store.settings, ctx.daemon?.options.hostname ?? os.hostname());
}

function status(ctx: ApiContext): CertStatus {
  const tls = ctx.tls();
  const name = hostname(ctx);
  return {
    source: readSetting(ctx.store.settings, TLS_SETTINGS.source),
    hostname: name,
    certificate: tls.info(),
    coversHostname: tls.covers(name),
    acme: tls.acme?.state() ?? null,
  };
}

const show = method({
  offline: true,
  write: false,
  params: noParams,
  run: (ctx): CertificateInfo => ctx.tls().info(),
});

const statusMethod = method({
  offline: true,
  write: false,
  params: noParams,
  run: status,
});

// A new self-signed pair over the current files; the daemon's listeners take it for new
// connections at once (TlsManager.regenerate reloads). A certificate from a CA is only replaced
// with --force: its files may be another tool's (certbot's), and a self-signed one is a step back.
// The source becomes self-signed: from then on the certificate follows the names.
const generate = method({
  offline: true,
  write: true,
  params: (raw) => ({ force: flag(raw, 'force') }),
  run: async (ctx, p): Promise<CertificateInfo> => {
    const tls = ctx.tls({ create: true });
    const current = tls.info();
    if (!current.selfSigned && !p.force) {
      throw new ApiError('forbidden', `the current certificate (${current.subject}) is not self-signed; --force replaces it`);
    }
    await ctx.store.settings.set(TLS_SETTINGS.source.key, 'self-signed');
    return tls.regenerate();
  },
});

// The source becomes acme and an order starts: the daemon answers the CA's HTTP-01 challenge on
// port 80, so it must be running. Returns at once with the state (cert.status shows the progress),
// or with wait when the attempt has ended. A failed attempt is tried again by itself.
const acme = method({
  offline: false,
  write: true,
  params: (raw) => ({ email: optStr(raw, 'email'), wait: flag(raw, 'wait') }),
  run: async (ctx, p): Promise<CertStatus> => {
    const renewer = ctx.tls().acme;
    if (!renewer) throw new ApiError('needs-daemon', 'the ACME client runs in the daemon');
    if (p.email !== undefined) {
      if (ACME_SETTINGS.email.check(p.email) === undefined) throw new ApiError('invalid', `not an email address: ${p.email}`);
      await ctx.store.settings.set(ACME_SETTINGS.email.key, p.email);
    }
    await ctx.store.settings.set(TLS_SETTINGS.source.key, 'acme');
    const done = renewer.request();
    if (p.wait) await done;
    return status(ctx);
  },
});

// PEM text of the chain (the server's certificate first) and of its key; checked (upload.ts),
// written over the files with the key mode 0600, and in use at once. The source becomes uploaded:
// neither the self-signed follower nor the ACME client replaces it.
const upload = method({
  offline: true,
  write: true,
  params: (raw) => ({ certificate: str(raw, 'certificate'), key: str(raw, 'key') }),
  run: async (ctx, p): Promise<CertificateInfo> => {
    try {
      checkUpload(p.certificate, p.key, hostname(ctx));
    } catch (e) {
      if (e instanceof UploadError) throw new ApiError('invalid', e.message);
      throw e;
    }
    const info = ctx.tls({ create: true }).install(p.certificate, p.key);
    await ctx.store.settings.set(TLS_SETTINGS.source.key, 'uploaded');
    return info;
  },
});

function describe(c: CertificateInfo): string {
  const rows: [string, string][] = [
    ['subject', c.subject.replace(/\n/g, ', ')],
    ['issuer', c.issuer.replace(/\n/g, ', ')],
    ['names', c.altNames.join(', ')],
    ['valid from', c.validFrom],
    ['valid to', c.validTo],
    ['sha-256', c.fingerprint256],
    ['self-signed', c.selfSigned ? 'yes' : 'no'],
    ['certificate', c.certFile],
    ['key', c.keyFile],
  ];
  return `${rows.map(([k, v]) => `${k.padEnd(12)} ${v}`).join('\n')}\n`;
}

function describeStatus(s: CertStatus): string {
  const a = s.acme;
  const rows: [string, string][] = [
    ['source', s.source],
    ['host name', s.hostname + (s.coversHostname ? '' : ' (NOT named by the certificate)')],
    ...(a
      ? ([
          ['acme names', a.names.join(', ')],
          ['acme CA', a.directoryUrl],
          ['in progress', a.step ?? 'no'],
          ['last attempt', a.lastAttempt ? `${a.lastAttempt.at} ${a.lastAttempt.ok ? 'succeeded' : `failed: ${a.lastAttempt.error}`}` : 'none'],
          ['next attempt', a.nextAttempt ?? 'none planned'],
        ] as [string, string][])
      : []),
  ];
  return `${rows.map(([k, v]) => `${k.padEnd(12)} ${v}`).join('\n')}\n${describe(s.certificate)}`;
}

export const certGroup: CommandGroup = {
  name: 'cert',
  summary: 'the TLS certificate',
  entries: [
    entry('show', show, { summary: 'show the certificate in use', text: describe }),
    entry('status', statusMethod, { summary: "the certificate, where it comes from, and the ACME client's progress", text: describeStatus }),
    entry('generate', generate, {
      summary: 'replace the certificate with a new self-signed one (the daemon uses it at once)',
      options: [{ flag: '--force', param: 'force', kind: 'boolean', help: 'also replace a certificate issued by a CA' }],
      text: (c) => `new self-signed certificate\n${describe(c)}`,
    }),
    entry('acme', acme, {
      summary: "get a certificate for the host name from an ACME CA (Let's Encrypt) and keep it renewed; port 80 must reach this server",
      options: [
        { flag: '--email', param: 'email', kind: 'string', value: 'ADDRESS', help: 'where the CA writes about expiring certificates' },
        { flag: '--wait', param: 'wait', kind: 'boolean', help: 'return when the attempt has ended (otherwise see homepost cert status)' },
      ],
      text: (s) => (s.acme?.step ? 'ACME order started; homepost cert status shows its progress\n' : '') + describeStatus(s),
    }),
    entry('upload', upload, {
      summary: 'use a certificate and key from elsewhere (PEM; the chain after the certificate); the daemon uses it at once',
      args: ['certificate', 'key'],
      files: ['certificate', 'key'],
      text: (c) => `certificate installed\n${describe(c)}`,
    }),
  ],
};
