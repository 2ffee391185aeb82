// The units of firmware/ as the image builder installs them (firmware/README.md): each passes
// `systemd-analyze verify` in a temporary root, homepost.service's sandbox keeps its exposure
// score low, `systemctl enable` and `mask` take the names in enable.txt and mask.txt, and the
// sysusers.d file creates the user homepost.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { lines, makeRoot, ROOTFS, run, UNIT_DIR } from './support.ts';

let root: string;
let cleanup: () => void;
before(() => ({ root, cleanup } = makeRoot()));
after(() => cleanup());

const OWN_UNITS = readdirSync(path.join(ROOTFS, UNIT_DIR)).filter((f) => /\.(service|path|timer)$/.test(f));
// Units of packages that firmware/ changes with a drop-in.
const DROP_INS = readdirSync(path.join(ROOTFS, UNIT_DIR))
  .filter((f) => f.endsWith('.d'))
  .map((d) => d.slice(0, -2));

test('every unit and every unit with a drop-in passes systemd-analyze verify', () => {
  assert.ok(OWN_UNITS.includes('homepost.service') && DROP_INS.includes('systemd-time-wait-sync.service'));
  for (const unit of OWN_UNITS) {
    assert.equal(run('systemd-analyze', ['verify', `--root=${root}`, path.join(root, UNIT_DIR, unit)]), '', unit);
  }
  for (const unit of DROP_INS) assert.equal(run('systemd-analyze', ['verify', `--root=${root}`, unit]), '', unit);
});

test("homepost.service: its sandbox's exposure is 2.0 or less (systemd-analyze security)", () => {
  const out = run('systemd-analyze', ['security', '--offline=true', `--root=${root}`, '--threshold=20', path.join(root, UNIT_DIR, 'homepost.service')]);
  const level = Number(/Overall exposure level for homepost\.service: ([\d.]+)/.exec(out)?.[1]);
  assert.ok(level <= 2, `exposure ${level}`);
  const unit = readFileSync(path.join(ROOTFS, UNIT_DIR, 'homepost.service'), 'utf8');
  assert.doesNotMatch(unit, /^MemoryDenyWriteExecute=/m, "V8's JIT needs writable code");
  assert.match(unit, /^ExecStart=\/usr\/local\/bin\/homepost serve --data \/var\/lib\/homepost /m);
});

test('systemctl enables the units of enable.txt and masks those of mask.txt', () => {
  const enable = lines('enable.txt');
  const mask = lines('mask.txt');
  assert.ok(enable.includes('homepost.service') && enable.includes('fstrim.timer') && mask.includes('apt-daily.timer'));
  run('systemctl', [`--root=${root}`, 'enable', ...enable]);
  run('systemctl', [`--root=${root}`, 'mask', ...mask]);
  for (const unit of enable) assert.equal(run('systemctl', [`--root=${root}`, 'is-enabled', unit]).trim(), 'enabled', unit);
  for (const unit of mask) assert.equal(readlinkSync(path.join(root, UNIT_DIR, unit)), '/dev/null', unit);
  assert.equal(readlinkSync(path.join(root, UNIT_DIR, 'sysinit.target.wants/homepost-firstboot.service')), '/etc/systemd/system/homepost-firstboot.service');
  // Wi-Fi is wanted by the wlan0 device, not by a target that would wait for it.
  const wifi = 'sys-subsystem-net-devices-wlan0.device.wants/wpa_supplicant@wlan0.service';
  assert.equal(readlinkSync(path.join(ROOTFS, UNIT_DIR, wifi)), '/usr/lib/systemd/system/wpa_supplicant@.service');
  assert.ok(!enable.some((u) => u.startsWith('wpa_supplicant')), 'not enabled for multi-user.target');
});

test('the sysusers.d file creates the system user and group homepost', () => {
  run('systemd-sysusers', [`--root=${root}`, path.join(root, 'usr/lib/sysusers.d/homepost.conf')]);
  const user = readFileSync(path.join(root, 'etc/passwd'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('homepost:'));
  assert.ok(user, 'a passwd entry');
  const [, , uid, gid, , home, shell] = user.split(':');
  assert.ok(Number(uid) > 0 && Number(uid) < 1000, `a system uid: ${uid}`);
  assert.equal(gid, uid);
  assert.deepEqual([home, shell], ['/var/lib/homepost', '/usr/sbin/nologin']);
  assert.match(readFileSync(path.join(root, 'etc/group'), 'utf8'), new RegExp(`^homepost:x:${gid}:`, 'm'));
});
