// A temporary root file system for the firmware tests: firmware/rootfs copied in, the host's
// targets (sysinit.target, network-online.target ...), a stand-in for each unit the image's
// packages bring (wpasupplicant, nftables, systemd-resolved ...), so the results depend on
// firmware/ and systemd alone, not on what this machine has installed, and a stub executable at
// each path the units run.
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const FIRMWARE = path.resolve(import.meta.dirname, '../../firmware');
export const ROOTFS = path.join(FIRMWARE, 'rootfs');
export const UNIT_DIR = 'etc/systemd/system';

// The units firmware/ names but does not ship, as the image's packages would install them.
const STAND_INS: Record<string, string> = {
  'systemd-networkd.service': '/usr/lib/systemd/systemd-networkd',
  'systemd-networkd-wait-online.service': '/usr/lib/systemd/systemd-networkd-wait-online',
  'systemd-resolved.service': '/usr/lib/systemd/systemd-resolved',
  'systemd-timesyncd.service': '/usr/lib/systemd/systemd-timesyncd',
  'systemd-time-wait-sync.service': '/usr/lib/systemd/systemd-time-wait-sync',
  'wpa_supplicant@.service': '/usr/sbin/wpa_supplicant',
  'nftables.service': '/usr/sbin/nft',
  'fstrim.service': '/usr/sbin/fstrim',
};

// Executables the units of firmware/ run that are not in firmware/.
const EXECUTABLES = ['/usr/local/bin/homepost', '/usr/sbin/agetty', ...Object.values(STAND_INS)];

export function lines(file: string): string[] {
  return readFileSync(path.join(FIRMWARE, file), 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'));
}

export function makeRoot(): { root: string; cleanup(): void } {
  const root = mkdtempSync(path.join(tmpdir(), 'homepost-firmware-'));
  const lib = path.join(root, 'usr/lib/systemd/system');
  mkdirSync(lib, { recursive: true });
  for (const f of readdirSync('/usr/lib/systemd/system')) {
    if (f.endsWith('.target')) copyFileSync(path.join('/usr/lib/systemd/system', f), path.join(lib, f));
  }
  for (const [unit, exec] of Object.entries(STAND_INS)) {
    const install = unit === 'fstrim.service' ? '' : '\n[Install]\nWantedBy=multi-user.target\n';
    writeFileSync(path.join(lib, unit), `[Unit]\nDescription=stand-in\n\n[Service]\nExecStart=${exec}\n${install}`);
  }
  writeFileSync(path.join(lib, 'fstrim.timer'), '[Unit]\nDescription=stand-in\n\n[Timer]\nOnCalendar=weekly\n\n[Install]\nWantedBy=timers.target\n');
  cpSync(ROOTFS, root, { recursive: true, verbatimSymlinks: true });
  for (const exec of EXECUTABLES) {
    const file = path.join(root, exec);
    if (existsSync(file)) continue;
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, 0o755);
  }
  return { root, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

// Runs a command: its standard output and error together when it exits 0, else throws with both.
export function run(program: string, args: string[], o: { input?: string; env?: NodeJS.ProcessEnv } = {}): string {
  const r = spawnSync(program, args, { encoding: 'utf8', input: o.input, env: o.env });
  const out = (r.stdout ?? '') + (r.stderr ?? '');
  if (r.status !== 0) throw new Error(`${program} ${args.join(' ')} exited ${r.status ?? r.signal ?? r.error?.message}:\n${out}`);
  return out;
}
