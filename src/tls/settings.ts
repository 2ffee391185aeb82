// Where the certificate and its key are (src/settings/registry.ts lists every setting).
import path from 'node:path';
import { readSetting, text, type SettingsSource } from '../settings/define.ts';

const absolute = (s: string) => path.isAbsolute(s);

export const TLS_SETTINGS = {
  certFile: text({ key: 'tls.certFile', default: null, defaultText: 'tls/cert.pem in the data folder', rule: 'an absolute path', test: absolute, restart: true, description: 'the certificate (PEM, the chain after it) every TLS listener uses' }),
  keyFile: text({ key: 'tls.keyFile', default: null, defaultText: 'tls/key.pem in the data folder', rule: 'an absolute path', test: absolute, restart: true, description: "the certificate's private key (PEM)" }),
} as const;

export function certificatePaths(s: SettingsSource, dataDir: string): { certFile: string; keyFile: string } {
  return {
    certFile: readSetting(s, TLS_SETTINGS.certFile) ?? path.join(dataDir, 'tls', 'cert.pem'),
    keyFile: readSetting(s, TLS_SETTINGS.keyFile) ?? path.join(dataDir, 'tls', 'key.pem'),
  };
}
