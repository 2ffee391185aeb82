// make image-test and make image-smoke: the image a user would flash (dist/homepost-VERSION-
// arm64.img, or IMAGE), booted in QEMU (test/image/qemu.ts: IMAGE_MACHINE=raspi3b, the emulated
// Raspberry Pi 3, for make image-test; IMAGE_MACHINE=virt, QEMU's generic arm64 machine, several
// times faster, for make image-smoke) and used from the host as a user would: the setup code read
// from the serial console, first boot finished on the setup page in Chromium, a domain and an
// account made there, a message sent over SMTP to port 25 and read back over IMAPS, then a reboot
// and the message read again; a FAT USB stick (plugged in from the start) mounted by the firmware
// and written to by the daemon; Debian's security updates turned on and off through the page's
// API. On the serial line, a root shell answers for the device side (the
// service, its watchdog, the firewall, journald, first boot's resize): systemd's debug shell,
// which the kernel command line the test passes asks for (`systemd.debug_shell=` the machine's
// serial line, with its serial getty masked so that the two do not share the line); the image
// itself has no such shell. Not part of `make test` (11 minutes on the Pi 3, 5 on virt, under
// emulation); run as root.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { appendFileSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { freePort, waitForPort } from '../support/ports.ts';
import { tempDir } from '../support/temp-store.ts';
import { bootFiles, diskCopy, EmulatedDevice, findImage, machineFromEnv, type Forward } from './qemu.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');
const MACHINE = machineFromEnv();
const BOOT_MS = 15 * 60_000;
const IDLE_BUDGET_MIB_PER_DAY = 256;
const ADMIN_PASSWORD = 'image test admin password';
const ACCOUNT = { address: 'alice@pi.test', password: 'alice password 1' };
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
// SERIAL_LOG=FILE: the serial console, as it comes, appended to FILE.
const log = process.env.SERIAL_LOG ? (s: string) => appendFileSync(process.env.SERIAL_LOG!, s) : undefined;

// One message to port 25 (python3 smtplib, a client nobody here wrote).
const SMTP_SEND = `
import smtplib, sys
port, rcpt, subject = sys.argv[1:4]
with smtplib.SMTP('127.0.0.1', int(port), timeout=120) as s:
    s.ehlo('client.example.org')
    s.sendmail('bob@example.org', [rcpt], f'From: bob@example.org\\r\\nTo: {rcpt}\\r\\nSubject: {subject}\\r\\n\\r\\nHello from the host.\\r\\n')
print('sent')
`;

// The subjects in INBOX over implicit TLS (the device's certificate is self-signed: not verified).
const IMAP_SUBJECTS = `
import imaplib, ssl, sys
port, user, password = sys.argv[1:4]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
m = imaplib.IMAP4_SSL('127.0.0.1', int(port), ssl_context=ctx, timeout=120)
m.login(user, password)
m.select('INBOX')
typ, data = m.fetch('1:*', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
print('\\n'.join(x[1].decode().strip() for x in data if isinstance(x, tuple)))
m.logout()
`;

// A setup page API method, as the page calls it after a login (the certificate is not verified).
const PAGE_CALL = `
import http.cookiejar, json, ssl, sys, urllib.request
port, password, method, params = sys.argv[1:5]
ctx = ssl.create_default_context(); ctx.check_hostname = False; ctx.verify_mode = ssl.CERT_NONE
opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=ctx), urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
def post(path, body):
    req = urllib.request.Request(f'https://127.0.0.1:{port}{path}', data=json.dumps(body).encode(), headers={'Content-Type': 'application/json'})
    return json.load(opener.open(req, timeout=120))
post('/api/login', {'password': password})
print(json.dumps(post('/api/call/' + method, json.loads(params))['result']))
`;

const py = (script: string, args: (string | number)[]) =>
  promisify(execFile)('python3', ['-c', script, ...args.map(String)], { timeout: 300_000 }).then((r) => r.stdout.trim());

describe(`the flashable image, booted in ${MACHINE.title}`, { timeout: 60 * 60_000 }, () => {
  const tmp = tempDir('homepost-image-test-');
  const image = findImage(ROOT);
  let disk = '';
  // A FAT USB stick, plugged in from the start (firmware's homepost-usb).
  let usbDrive = '';
  let ports: Record<'smtp' | 'imaps' | 'https' | 'http', number>;
  let pi: EmulatedDevice | null = null;
  let browser: Browser | null = null;

  const boot = async (): Promise<EmulatedDevice> => {
    const forwards: Forward[] = [
      { host: ports.smtp, guest: 25 },
      { host: ports.imaps, guest: 993 },
      { host: ports.https, guest: 443 },
      { host: ports.http, guest: 80 },
    ];
    const append = [`systemd.debug_shell=${MACHINE.console}`, `systemd.mask=serial-getty@${MACHINE.console}.service`];
    const p = EmulatedDevice.start(MACHINE, { image: disk, forwards, append, log, usbDrive }, tmp);
    const started = Date.now();
    // Nothing is typed before the kernel's serial driver is up: virt's PL011 receives nothing more
    // once something arrived before the driver took it over. What is typed before the shell reads
    // is lost: ask until it answers.
    await p.waitFor(/Run \/init as init process/, BOOT_MS);
    for (;;) {
      try {
        await p.sh('true', 20_000);
        break;
      } catch (e) {
        if (Date.now() - started > BOOT_MS) throw e;
      }
    }
    await p.sh('systemctl is-system-running --wait || true', BOOT_MS);
    await waitForPort(ports.smtp, BOOT_MS);
    console.log(`# booted to the SMTP banner in ${Math.round((Date.now() - started) / 1000)} s`);
    return p;
  };

  before(async () => {
    disk = diskCopy(image, tmp);
    usbDrive = path.join(tmp, 'usb-stick.img');
    await promisify(execFile)('mkfs.vfat', ['-n', 'BACKUPS', '-C', usbDrive, String(64 * 1024)]);
    ports = { smtp: await freePort(), imaps: await freePort(), https: await freePort(), http: await freePort() };
  });
  after(async () => {
    await browser?.close();
    await pi?.stop();
    rmSync(tmp, { recursive: true, force: true });
  });

  test('the boot partition: config.txt for arm64 with kernel and initramfs, cmdline.txt with the root by label', () => {
    const b = bootFiles(disk, tmp);
    assert.match(b.configTxt, /^arm_64bit=1$/m);
    const lines = b.configTxt.split('\n');
    assert.ok(lines.includes(`kernel=${path.basename(b.kernel)}`), b.configTxt);
    assert.ok(lines.includes(`initramfs ${path.basename(b.initrd)}`), b.configTxt);
    assert.match(b.cmdline, /(^| )root=LABEL=homepost-root( |$)/);
    assert.match(b.cmdline, /console=tty1/);
  });

  test('first boot: the service runs, the root file system fills the disk, the setup code is on the console', async () => {
    pi = await boot();
    assert.equal((await pi.sh('systemctl is-active homepost')).trim(), 'active');
    // The root partition ends where the card (or virtual disk) ends, and its file system fills it
    // (but for ext4's own tables and journal).
    const part = `${MACHINE.disk}${/\d$/.test(MACHINE.disk) ? 'p' : ''}2`;
    const [start, size] = (await pi.sh(`cat /sys/class/block/${part}/start /sys/class/block/${part}/size`)).trim().split(/\s+/).map(Number);
    const card = Number((await pi.sh(`cat /sys/class/block/${MACHINE.disk}/size`)).trim());
    assert.ok(card > statSync(image).size / 512, 'the test gives first boot room to grow into');
    assert.equal(start! + size!, card, 'partition 2 reaches the end of the disk (512-byte sectors)');
    const fsBytes = Number((await pi.sh('df -B1 --output=size / | tail -1')).trim());
    assert.ok(fsBytes > size! * 512 * 0.9, `a file system of ${fsBytes} bytes in a partition of ${size! * 512}`);
    assert.match(await pi.sh('cat /run/homepost/setup.issue'), /[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}/);
  });

  test('the device: watchdog, hardening, firewall, journald, no sshd', async () => {
    const p = pi!;
    assert.match(await p.sh('systemctl show homepost -p WatchdogUSec -p User -p Type'), /WatchdogUSec=[1-9]/);
    assert.match(await p.sh('systemctl show homepost -p User'), /User=homepost/);
    const rules = await p.sh('nft list ruleset');
    const why = async () => p.sh('systemctl status nftables --no-pager -l || true; journalctl -b -u nftables --no-pager | tail -20');
    assert.match(rules, /policy drop/, rules || (await why()));
    assert.match(rules, /dport .*25/);
    assert.match(await p.sh('systemd-analyze cat-config systemd/journald.conf | grep -E "^(Storage|SystemMaxUse|RuntimeMaxUse)="'), /Storage=/);
    assert.equal((await p.sh('ss -ltn "sport = :22" | tail -n +2 | wc -l')).trim(), '0');
    // No unit failed, even without internet (no NTP answer reaches QEMU's user network).
    assert.equal((await p.sh('systemctl list-units --failed --plain --no-legend | wc -l')).trim(), '0', await p.sh('systemctl --failed --no-pager'));
  });

  test('setup page, account, SMTP in, IMAPS out; the message survives a reboot', async () => {
    const p = pi!;
    const code = /([2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4})/.exec(await p.sh('cat /run/homepost/setup.issue'))![1]!;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(120_000);
    await page.goto(`https://127.0.0.1:${ports.https}/`);
    await page.getByLabel('Setup code').fill(code);
    await page.getByLabel('New admin password').fill(ADMIN_PASSWORD);
    await page.getByLabel('Repeat the password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Set up' }).click();
    // First boot ends on the setup wizard's first step.
    await page.getByRole('heading', { name: 'Name and domain' }).waitFor();
    await page.getByRole('link', { name: 'Accounts', exact: true }).click();
    await page.getByLabel('Domain', { exact: true }).fill('pi.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('cell', { name: 'pi.test', exact: true }).waitFor();
    await page.getByLabel('Address', { exact: true }).fill(ACCOUNT.address);
    await page.getByLabel('Password', { exact: true }).fill(ACCOUNT.password);
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('cell', { name: ACCOUNT.address, exact: true }).waitFor();
    await browser.close();
    browser = null;

    assert.equal(await py(SMTP_SEND, [ports.smtp, ACCOUNT.address, 'over the emulated device']), 'sent');
    assert.match(await py(IMAP_SUBJECTS, [ports.imaps, ACCOUNT.address, ACCOUNT.password]), /Subject: over the emulated device/);

    p.type('systemctl reboot');
    await p.exited; // -no-reboot: QEMU ends where the device would restart
    pi = await boot();
    assert.match(await py(IMAP_SUBJECTS, [ports.imaps, ACCOUNT.address, ACCOUNT.password]), /Subject: over the emulated device/);
  });

  test('a USB drive plugged in is mounted for homepost; a backup through the daemon lands on it', async () => {
    const p = pi!;
    const folder = '/media/homepost-usb/homepost-backups';
    // One short line each: the serial console wraps long ones.
    const why = () => p.sh('journalctl -b -u "homepost-usb@*" --no-pager | tail -20');
    assert.equal((await p.sh('findmnt -no FSTYPE /media/homepost-usb')).trim(), 'vfat', await why());
    const options = await p.sh("findmnt -no OPTIONS /media/homepost-usb | tr , '\\n' | grep -x -e nodev -e nosuid -e noexec -e noatime | sort | tr '\\n' ' '");
    assert.equal(options.trim(), 'noatime nodev noexec nosuid');
    // As root on the device: the CLI becomes homepost and asks the daemon, which writes the file
    // from inside its sandbox. Both orders: the drive mounted before homepost started (its
    // sandbox made it read-only but for ReadWritePaths=), then mounted again while it runs.
    const backup = async () => {
      const made = await p.sh(`homepost backup --to ${folder} 2>&1`, 300_000);
      assert.match(made, /backup written: \/media\/homepost-usb\/homepost-backups\/homepost-backup-\d{8}-\d{6}(-\d+)?\.tar/, made);
    };
    await p.sh('systemctl restart homepost', 300_000);
    await waitForPort(ports.smtp, BOOT_MS);
    await backup();
    const unit = (await p.sh("systemctl list-units 'homepost-usb@*' --plain --no-legend | cut -d' ' -f1")).trim();
    assert.match(unit, /^homepost-usb@\w+\.service$/);
    await p.sh(`systemctl stop ${unit}; systemctl start ${unit}`);
    assert.equal((await p.sh('findmnt -no FSTYPE /media/homepost-usb')).trim(), 'vfat');
    await backup();
    assert.match(await p.sh(`stat -c '%U %s' ${folder}/homepost-backup-*.tar | sort -u | head -1`), /^homepost [1-9]\d*$/m);
    assert.equal((await p.sh(`ls ${folder} | grep -c 'tar$'`)).trim(), '2');
    // With no drive, the mount point is root's: homepost cannot write a backup onto the card.
    assert.match(
      await p.sh('systemctl stop "homepost-usb@*.service"; stat -c %U /media/homepost-usb; mountpoint /media/homepost-usb || true'),
      /^root\n.*is not a mountpoint/m,
    );
  });

  test("Debian's security updates turned on and off on the page; unattended-upgrades takes the security suite only", async () => {
    const p = pi!;
    const page = (mode: string) => py(PAGE_CALL, [ports.https, ADMIN_PASSWORD, 'update.security-updates', JSON.stringify({ mode })]);
    // The timers and APT::Periodic, as homepost-security-updates.service leaves them (it writes the
    // file first and starts the timers last).
    const state = () =>
      p.sh(
        'systemctl is-enabled apt-daily.timer apt-daily-upgrade.timer; systemctl is-active apt-daily.timer apt-daily-upgrade.timer; cat /etc/apt/apt.conf.d/20auto-upgrades 2>&1; true',
      );
    assert.match(await p.sh('test -x /usr/bin/unattended-upgrade && echo installed'), /installed/);
    const origins = await p.sh('apt-config dump Unattended-Upgrade::Origins-Pattern');
    assert.deepEqual(
      [...origins.matchAll(/"(origin=[^"]+)"/g)].map((m) => m[1]),
      ['origin=Debian,codename=$' + '{distro_codename}-security,label=Debian-Security'],
      origins,
    );

    assert.equal(await page('automatic'), '{"securityUpdates": "automatic"}');
    let s = '';
    for (let i = 0; i < 30 && !/enabled\nenabled\nactive\nactive/.test(s); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      s = await state();
    }
    assert.match(s, /enabled\nenabled\nactive\nactive\nAPT::Periodic::Update-Package-Lists "1";\nAPT::Periodic::Unattended-Upgrade "1";/, s);

    // Back to manual: the idle-writes test below measures the device as it ships.
    assert.equal(await page('manual'), '{"securityUpdates": "manual"}');
    for (let i = 0; i < 30 && !/masked\nmasked\ninactive\ninactive/.test(s); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      s = await state();
    }
    assert.match(s, /masked\nmasked\ninactive\ninactive\nAPT::Periodic::Update-Package-Lists "0";\nAPT::Periodic::Unattended-Upgrade "0";/, s);
  });

  // The card's wear while nobody uses the device: sectors written (/sys/block/DISK/stat, field 7)
  // over IDLE_MINUTES (default 5) of the second boot, once it settled (the first boot's one-time
  // work, growing the file system and its lazy inode-table initialisation, is over), printed per
  // day: a figure for the README. ext4 commits every 10 minutes on the device (fstab commit=600)
  // and journald syncs every 5: a window of 5 minutes held one commit or none, and the figure
  // doubled from one run to the next. A sync at both ends counts what the window wrote, whatever
  // the commits' timing.
  test('idle writes to the disk, per day', async () => {
    const p = pi!;
    const written = async () => {
      await p.sh('sync');
      return Number((await p.sh(`cat /sys/block/${MACHINE.disk}/stat`)).trim().split(/\s+/)[6]) * 512;
    };
    const minutes = Number(process.env.IDLE_MINUTES ?? 5);
    const before = await written();
    await new Promise((r) => setTimeout(r, minutes * 60_000));
    const bytes = (await written()) - before;
    const perDay = (bytes * (24 * 60)) / minutes / 1024 / 1024;
    console.log(`# idle writes: ${bytes} bytes in ${minutes} min, about ${Math.round(perDay)} MiB a day`);
    // About 90 MiB a day was measured (README); a unit that starts writing for itself (a chatty
    // log, a timer, swap) shows as several times that.
    assert.ok(perDay < IDLE_BUDGET_MIB_PER_DAY, `${Math.round(perDay)} MiB a day written while idle`);
  });
});
