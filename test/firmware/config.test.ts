// The configuration files of firmware/rootfs: fstab's fields, the firewall (nft's own syntax check
// and the ports it opens to whom), the raspi-firmware settings that must match fstab, the console's
// issue link, and firmware/README.md naming every file.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { FIRMWARE, ROOTFS, run } from './support.ts';

const read = (file: string) => readFileSync(path.join(ROOTFS, file), 'utf8');

test('fstab: six fields a line; / and /boot/firmware by label; / noatime with 10-minute commits; /tmp in memory; no swap', () => {
  const entries = read('etc/fstab')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => l.trim().split(/\s+/));
  for (const e of entries) assert.equal(e.length, 6, e.join(' '));
  const byMount = Object.fromEntries(
    entries.map(([spec, mount, type, options, dump, pass]) => [mount, { spec, type, options: options.split(','), dump, pass }]),
  );
  assert.deepEqual(Object.keys(byMount).sort(), ['/', '/boot/firmware', '/tmp']);
  assert.deepEqual(byMount['/'].spec, 'LABEL=homepost-root');
  assert.equal(byMount['/'].type, 'ext4');
  for (const o of ['noatime', 'commit=600']) assert.ok(byMount['/'].options.includes(o), o);
  assert.equal(byMount['/'].pass, '1');
  assert.deepEqual([byMount['/boot/firmware'].spec, byMount['/boot/firmware'].type, byMount['/boot/firmware'].pass], ['LABEL=HP-BOOT', 'vfat', '2']);
  assert.ok(byMount['/boot/firmware'].options.includes('umask=0077'), "the Wi-Fi file is root's alone");
  assert.ok(byMount['/boot/firmware'].options.includes('nofail'), 'a boot partition slow to appear does not stop the boot');
  assert.equal(byMount['/tmp'].type, 'tmpfs');
  assert.ok(!entries.some((e) => e[2] === 'swap'));
  // A vfat label has at most 11 characters.
  assert.ok(byMount['/boot/firmware'].spec.slice('LABEL='.length).length <= 11);
});

test("raspi-firmware's kernel command line names the root by fstab's label, with the screen and serial consoles", () => {
  const vars = Object.fromEntries(
    read('etc/default/raspi-firmware')
      .split('\n')
      .filter((l) => /^[A-Z_]+=/.test(l))
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1).replace(/^"(.*)"$/, '$1')]),
  );
  assert.equal(vars.ROOTPART, 'LABEL=homepost-root');
  assert.match(read('etc/fstab'), new RegExp(`^${vars.ROOTPART}\\s+/\\s`, 'm'));
  assert.deepEqual(vars.CONSOLES.split(' '), ['ttyS1,115200', 'tty1']);
});

test('nftables.conf passes nft -c and opens mail to all, the setup page to the LAN only', () => {
  run('nft', ['-c', '-f', path.join(ROOTFS, 'etc/nftables.conf')]);
  const conf = read('etc/nftables.conf');
  assert.match(conf, /type filter hook input priority filter; policy drop;/);
  const rules = conf
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const mail = rules.find((r) => /^tcp dport \{/.test(r));
  assert.equal(mail, 'tcp dport { 25, 110, 143, 465, 587, 993, 995 } accept');
  assert.deepEqual(
    rules.filter((r) => /\b(80|443)\b/.test(r)),
    ['ip saddr @lan4 tcp dport { 80, 443 } accept', 'ip6 saddr @lan6 tcp dport { 80, 443 } accept'],
  );
  assert.match(conf, /elements = \{ 10\.0\.0\.0\/8, 172\.16\.0\.0\/12, 192\.168\.0\.0\/16, 169\.254\.0\.0\/16 \}/);
  assert.match(conf, /elements = \{ fe80::\/10, fc00::\/7 \}/);
  for (const r of [
    'ct state established,related accept',
    'iif lo accept',
    'meta l4proto ipv6-icmp accept',
    'udp dport 5353 accept',
    'udp sport 67 udp dport 68 accept',
  ]) {
    assert.ok(rules.includes(r), r);
  }
});

test('networkd: DHCP, router advertisements and mDNS on wired and Wi-Fi; resolved answers mDNS', () => {
  for (const [file, match] of [
    ['20-wired.network', 'Name=en* eth* usb*'],
    ['30-wlan.network', 'Name=wlan0'],
  ]) {
    const conf = read(`etc/systemd/network/${file}`);
    for (const line of [match, 'DHCP=yes', 'IPv6AcceptRA=yes', 'MulticastDNS=yes'])
      assert.match(conf, new RegExp(`^${line.replace(/\*/g, '\\*')}$`, 'm'), `${file}: ${line}`);
  }
  assert.match(read('etc/systemd/resolved.conf.d/homepost.conf'), /^MulticastDNS=yes$/m);
  assert.equal(read('etc/hostname'), 'homepost\n');
});

test('the console shows the file homepost writes; README lists every file', () => {
  assert.equal(readlinkSync(path.join(ROOTFS, 'etc/issue.d/homepost.issue')), '/run/homepost/setup.issue');
  assert.match(read('etc/systemd/system/homepost.service'), /--issue \/run\/homepost\/setup\.issue/);
  const readme = readFileSync(path.join(FIRMWARE, 'README.md'), 'utf8');
  const files = readdirSync(FIRMWARE, { recursive: true, withFileTypes: true })
    .filter((d) => !d.isDirectory())
    .map((d) => path.relative(FIRMWARE, path.join(d.parentPath, d.name)))
    .filter((f) => f !== 'README.md');
  assert.ok(files.includes('enable.txt') && files.includes('rootfs/etc/issue.d/homepost.issue'), files.join(', '));
  // rootfs/etc/fstab is listed as /etc/fstab, where the image has it.
  for (const f of files) assert.ok(readme.includes(`\`${f.replace(/^rootfs/, '')}\``), `README.md lists ${f}`);
});
