// /usr/local/sbin/homepost-firstboot on a fixture root (ROOT=): the root partition of a disk image
// grown to its end by the real sfdisk, the host name, and the Wi-Fi file turned into a
// wpa_supplicant configuration (0600) and deleted, with names and passwords that would break
// naive quoting. findmnt, partx and resize2fs are stubs that record their arguments: the image is a
// file, not a mounted disk.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { makeRoot, run } from './support.ts';

const SCRIPT = '/usr/local/sbin/homepost-firstboot';
const MiB = 1024 * 1024;

let root: string;
let cleanup: () => void;
let calls: string;
let env: NodeJS.ProcessEnv;

before(() => {
  ({ root, cleanup } = makeRoot());
  const bin = path.join(root, 'test-bin');
  calls = path.join(root, 'calls');
  mkdirSync(bin);
  const stub = (name: string, body = '') => {
    writeFileSync(path.join(bin, name), `#!/bin/sh\necho "${name} $*" >>${calls}\n${body}`);
    chmodSync(path.join(bin, name), 0o755);
  };
  stub('findmnt', 'echo /dev/mmcblk0p2\n');
  stub('partx');
  stub('resize2fs');
  env = { ...process.env, ROOT: root, PATH: `${bin}:${process.env.PATH}` };
  // A 64 MiB card holding a 16 MiB image: boot partition, then root up to 24 MiB.
  mkdirSync(path.join(root, 'dev'));
  const disk = path.join(root, 'dev/mmcblk0');
  writeFileSync(disk, '');
  run('truncate', ['-s', `${64 * MiB}`, disk]);
  run('sfdisk', ['--quiet', disk], { input: 'label: dos\nstart=2048, size=16384, type=c\nstart=18432, size=30720, type=83\n' });
  // sysfs as the kernel shows the card's second partition.
  const dev = path.join(root, 'sys/devices/platform/mmc/mmcblk0/mmcblk0p2');
  mkdirSync(dev, { recursive: true });
  writeFileSync(path.join(dev, 'partition'), '2\n');
  mkdirSync(path.join(root, 'sys/class/block'), { recursive: true });
  symlinkSync('../../devices/platform/mmc/mmcblk0/mmcblk0p2', path.join(root, 'sys/class/block/mmcblk0p2'));
  mkdirSync(path.join(root, 'proc/sys/kernel'), { recursive: true });
  writeFileSync(path.join(root, 'proc/sys/kernel/hostname'), 'localhost\n');
  writeFileSync(path.join(root, 'etc/hostname'), '');
  mkdirSync(path.join(root, 'boot/firmware'), { recursive: true });
});
after(() => cleanup());

const wifiFile = () => path.join(root, 'boot/firmware/homepost-wifi.txt');
const wpaConf = () => path.join(root, 'etc/wpa_supplicant/wpa_supplicant-wlan0.conf');
const hex = (s: string) => Buffer.from(s).toString('hex');

test('first boot: root partition grown to the end of the card, file system resized, host name set, stamp written', () => {
  run(path.join(root, SCRIPT), [], { env });
  const table = JSON.parse(run('sfdisk', ['--json', path.join(root, 'dev/mmcblk0')])).partitiontable;
  assert.deepEqual(
    table.partitions.map((p: { start: number; size: number }) => [p.start, p.size]),
    [
      [2048, 16384],
      [18432, (64 * MiB) / 512 - 18432],
    ],
  );
  assert.equal(readFileSync(calls, 'utf8'), `findmnt -no SOURCE /\npartx -u --nr 2 ${root}/dev/mmcblk0\nresize2fs ${root}/dev/mmcblk0p2\n`);
  assert.equal(readFileSync(path.join(root, 'etc/hostname'), 'utf8'), 'homepost\n');
  assert.equal(readFileSync(path.join(root, 'proc/sys/kernel/hostname'), 'utf8'), 'homepost\n');
  assert.ok(existsSync(path.join(root, 'var/lib/homepost-firstboot.done')));
  // Once only.
  run(path.join(root, SCRIPT), [], { env });
  assert.equal(readFileSync(calls, 'utf8').split('\n').length, 4);
});

test('the Wi-Fi file becomes wlan0 configuration (0600) and is deleted; odd names and passwords stay intact', () => {
  const ssid = `Café "net" #1 \\ $HOME 'x'`;
  const password = `pa"ss\\n#word $(id) 'q' `;
  // As a Windows editor saves it: byte order mark, CRLF, no final newline.
  writeFileSync(wifiFile(), `\ufeff# my network\r\nssid=${ssid}\r\npassword=${password}\r\ncountry=de`);
  run(path.join(root, SCRIPT), [], { env });
  assert.equal(existsSync(wifiFile()), false, 'deleted from the boot partition');
  assert.equal(statSync(wpaConf()).mode & 0o777, 0o600);
  const conf = readFileSync(wpaConf(), 'utf8');
  assert.match(conf, /^country=DE$/m);
  assert.match(conf, new RegExp(`^\\tssid=${hex(ssid)}$`, 'm'));
  // wpa_supplicant takes what lies between the first and the last quote of the line.
  const psk = conf.split('\n').find((l) => l.startsWith('\tpsk='))!;
  assert.equal(psk.slice('\tpsk="'.length, psk.lastIndexOf('"')), password);
  assert.equal(psk.at(-1), '"');
  assert.match(conf, /^\tkey_mgmt=WPA-PSK WPA-PSK-SHA256 SAE$/m);
  assert.ok(conf.trimEnd().endsWith('}'));
});

test('an open network, a raw 64-digit key, and a password WPA does not allow', () => {
  writeFileSync(wifiFile(), 'ssid=open cafe\n');
  run(path.join(root, SCRIPT), [], { env });
  assert.match(readFileSync(wpaConf(), 'utf8'), /^\tkey_mgmt=NONE$/m);
  assert.doesNotMatch(readFileSync(wpaConf(), 'utf8'), /psk=|country=/);

  const key = 'a'.repeat(64);
  writeFileSync(wifiFile(), `ssid=x\npassword=${key}\n`);
  run(path.join(root, SCRIPT), [], { env });
  assert.match(readFileSync(wpaConf(), 'utf8'), new RegExp(`^\\tpsk=${key}$`, 'm'));

  const before = readFileSync(wpaConf(), 'utf8');
  writeFileSync(wifiFile(), 'ssid=y\npassword=short\n');
  const out = run(path.join(root, SCRIPT), [], { env });
  assert.match(out, /not 8 to 63 printable ASCII characters/);
  assert.equal(existsSync(wifiFile()), false);
  assert.equal(readFileSync(wpaConf(), 'utf8'), before, 'the configuration that was there stays');
});
