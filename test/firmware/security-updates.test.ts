// firmware's homepost-security-updates on a fixture root (ROOT=DIR, systemctl --root): the choice
// homepost writes turns apt's daily timers and APT::Periodic on or off; anything else changes
// nothing. The same units on the booted image: test/image/boot.ts.
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { makeRoot, run } from './support.ts';

let root: string;
let cleanup: () => void;
const TIMERS = ['apt-daily.timer', 'apt-daily-upgrade.timer'];
const SCRIPT = 'usr/local/sbin/homepost-security-updates';

before(() => {
  ({ root, cleanup } = makeRoot());
  // What the apt package installs, and the state the image ships (mask.txt).
  for (const t of TIMERS) {
    writeFileSync(
      path.join(root, 'usr/lib/systemd/system', t),
      '[Unit]\nDescription=stand-in\n\n[Timer]\nOnCalendar=daily\n\n[Install]\nWantedBy=timers.target\n',
    );
    run('systemctl', [`--root=${root}`, 'mask', t]);
  }
  mkdirSync(path.join(root, 'var/lib/homepost/system'), { recursive: true });
});
after(() => cleanup());

const choose = (text: string) => writeFileSync(path.join(root, 'var/lib/homepost/system/security-updates'), text);
const state = (t: string) => {
  try {
    return run('systemctl', [`--root=${root}`, 'is-enabled', t]).trim();
  } catch (e) {
    return /masked/.test(String(e)) ? 'masked' : String(e);
  }
};
const periodic = () => readFileSync(path.join(root, 'etc/apt/apt.conf.d/20auto-upgrades'), 'utf8');

test('automatic: the timers enabled and APT::Periodic on; manual: masked and off again', () => {
  choose('automatic\n');
  assert.match(run(path.join(root, SCRIPT), [], { env: { ...process.env, ROOT: root } }), /security updates automatic/);
  assert.deepEqual(TIMERS.map(state), ['enabled', 'enabled']);
  assert.equal(periodic(), 'APT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";\n');

  choose('manual\n');
  run(path.join(root, SCRIPT), [], { env: { ...process.env, ROOT: root } });
  assert.deepEqual(TIMERS.map(state), ['masked', 'masked']);
  assert.equal(periodic(), 'APT::Periodic::Update-Package-Lists "0";\nAPT::Periodic::Unattended-Upgrade "0";\n');
});

test('anything else in the file is refused and changes nothing', () => {
  for (const bad of ['automatically\n', '', 'automatic; rm -rf /\n', `${'a'.repeat(100)}\n`]) {
    choose(bad);
    assert.throws(() => run(path.join(root, SCRIPT), [], { env: { ...process.env, ROOT: root } }), /neither automatic nor manual/, JSON.stringify(bad));
    assert.deepEqual(TIMERS.map(state), ['masked', 'masked']);
    assert.match(periodic(), /"0";/);
  }
});

// apt's own ${distro_codename}, kept as written in the files.
const CODENAME = '$' + '{distro_codename}';

test("unattended-upgrades' origins: Debian's security suite only, whatever the package's own file says (apt-config)", () => {
  const parts = path.join(root, 'etc/apt/apt.conf.d');
  // Debian's 50unattended-upgrades lists the main suite and the point releases too.
  writeFileSync(
    path.join(parts, '50unattended-upgrades'),
    `Unattended-Upgrade::Origins-Pattern {\n "origin=Debian,codename=${CODENAME},label=Debian";\n "origin=Debian,codename=${CODENAME}-security,label=Debian-Security";\n};\n`,
  );
  const config = path.join(root, 'apt.conf');
  writeFileSync(config, `Dir::Etc "${path.join(root, 'etc/apt')}";\nDir::Etc::parts "apt.conf.d";\n`);
  const dump = run('apt-config', ['dump', 'Unattended-Upgrade'], { env: { ...process.env, APT_CONFIG: config } });
  const origins = [...dump.matchAll(/^Unattended-Upgrade::Origins-Pattern:: "([^"]+)";$/gm)].map((m) => m[1]);
  assert.deepEqual(origins, [`origin=Debian,codename=${CODENAME}-security,label=Debian-Security`], dump);
  assert.match(dump, /^Unattended-Upgrade::Automatic-Reboot "false";$/m);
});
