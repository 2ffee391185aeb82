// Debian's security updates on the device (docs/updates.md): the setup page's choice, automatic
// (unattended-upgrades, limited to the security suite) or manual. The daemon cannot change the
// system's configuration: it writes the choice into the data folder's system/security-updates,
// where homepost-security-updates.path sees it and has the root script of the same name apply it
// (firmware/rootfs/usr/local/sbin/homepost-security-updates). Written at every start too, so the
// device follows the store (a restored one, say).
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { choice } from '../settings/define.ts';

export const SECURITY_UPDATE_MODES = ['automatic', 'manual'] as const;
export type SecurityUpdates = (typeof SECURITY_UPDATE_MODES)[number];

export const SECURITY_UPDATES = choice({
  key: 'system.securityUpdates',
  default: 'manual',
  values: SECURITY_UPDATE_MODES,
  internal: true,
  description: "Debian's security updates on the device: installed by themselves each day (unattended-upgrades, security suite only), or by hand",
});

export const securityUpdatesFile = (dataDir: string): string => path.join(dataDir, 'system', 'security-updates');

// Only when it changes: the path unit fires on every write.
export function writeSecurityUpdates(dataDir: string, mode: SecurityUpdates): void {
  const file = securityUpdatesFile(dataDir);
  if (existsSync(file) && readFileSync(file, 'utf8') === `${mode}\n`) return;
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, `${mode}\n`, { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
}

// The device's state, for the page: whether unattended-upgrades is installed (the image has it; a
// development machine not), and whether an installed update waits for a restart of the device
// (Debian's kernel hook of unattended-upgrades, and other packages, create /run/reboot-required).
export const UNATTENDED_UPGRADE = '/usr/bin/unattended-upgrade';
export const REBOOT_REQUIRED = '/run/reboot-required';
