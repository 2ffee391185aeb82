// `homepost cert show|generate`: the one certificate every listener presents.
import type { CertificateInfo } from '../../tls/manager.ts';
import { entry, type CommandGroup } from '../group.ts';
import { ApiError, flag, method, noParams } from '../method.ts';

const show = method({
  offline: true,
  write: false,
  params: noParams,
  run: (ctx): CertificateInfo => ctx.tls().info(),
});

// A new self-signed pair over the current files; the daemon's listeners take it for new
// connections at once (TlsManager.regenerate reloads). A certificate from a CA is only replaced
// with --force: its files may be another tool's (certbot's), and a self-signed one is a step back.
const generate = method({
  offline: true,
  write: true,
  params: (raw) => ({ force: flag(raw, 'force') }),
  run: (ctx, p): CertificateInfo => {
    const tls = ctx.tls({ create: true });
    const current = tls.info();
    if (!current.selfSigned && !p.force) {
      throw new ApiError('forbidden', `the current certificate (${current.subject}) is not self-signed; --force replaces it`);
    }
    return tls.regenerate();
  },
});

function describe(c: CertificateInfo): string {
  const rows: [string, string][] = [
    ['subject', c.subject.replace(/\n/g, ', ')],
    ['names', c.altNames.join(', ')],
    ['valid from', c.validFrom],
    ['valid to', c.validTo],
    ['sha-256', c.fingerprint256],
    ['self-signed', c.selfSigned ? 'yes' : 'no'],
    ['certificate', c.certFile],
    ['key', c.keyFile],
  ];
  return rows.map(([k, v]) => `${k.padEnd(12)} ${v}`).join('\n') + '\n';
}

export const certGroup: CommandGroup = {
  name: 'cert',
  summary: 'the TLS certificate',
  entries: [
    entry('show', show, { summary: 'show the certificate in use', text: describe }),
    entry('generate', generate, {
      summary: 'replace the certificate with a new self-signed one (the daemon uses it at once)',
      options: [{ flag: '--force', param: 'force', kind: 'boolean', help: 'also replace a certificate issued by a CA' }],
      text: (c) => 'new self-signed certificate\n' + describe(c),
    }),
  ],
};
