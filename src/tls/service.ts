// The daemon's certificate: the manager over the files, following the names (the server.hostname
// setting and the store's domains) and, when tls.source is acme, renewed by the ACME client.
import type { Logger } from '../log/log.ts';
import { serverHostname, SERVER_HOSTNAME } from '../settings/hostname.ts';
import { readSetting } from '../settings/define.ts';
import type { Store } from '../store/index.ts';
import { AcmeRenewer } from './acme.ts';
import { TlsManager } from './manager.ts';
import type { CertificateNames } from './names.ts';
import { ACME_SETTINGS, certificatePaths, TLS_SETTINGS } from './settings.ts';

// fallbackHostname: --hostname or the machine's, when server.hostname is not set.
export function startTls(store: Store, dataDir: string, fallbackHostname: string, log: Logger): TlsManager {
  const names = (): CertificateNames => ({
    hostname: serverHostname(store.settings, fallbackHostname),
    domains: store.domains.list().map((d) => d.name),
  });
  const tls = new TlsManager({
    ...certificatePaths(store.settings, dataDir),
    ...names(),
    names,
    // An uploaded certificate is left alone even when it is self-signed; an ACME one never is.
    mayGenerate: () => readSetting(store.settings, TLS_SETTINGS.source) !== 'uploaded',
    log,
  });
  tls.watch();
  const acme = new AcmeRenewer({ store, tls, dataDir, hostname: () => names().hostname, log: log.child({ component: 'acme' }) });
  tls.acme = acme;
  // A new host name takes effect at once: a self-signed certificate is made for it, an ACME one ordered.
  const unwatch = [
    store.settings.watch(SERVER_HOSTNAME.key, () => {
      tls.followNames();
      acme.schedule();
    }),
    ...[TLS_SETTINGS.source, ACME_SETTINGS.renewBefore, ACME_SETTINGS.retryDelay].map((d) => store.settings.watch(d.key, () => acme.schedule())),
  ];
  tls.onClose(() => {
    acme.close();
    for (const u of unwatch) u();
  });
  acme.schedule();
  return tls;
}
