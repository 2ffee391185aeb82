// The flashable image booted in QEMU (make image-test, make image-smoke), on one of two machines:
//   raspi3b  an emulated Raspberry Pi 3 with a copy of the image as its SD card. QEMU cannot run
//            the Pi's GPU firmware, so the kernel, initrd and device tree come from the image's
//            boot partition (read with mtools, no mount) and are passed directly, with the image's
//            own cmdline.txt (its serial console, ttyS1, is what QEMU connects to standard input
//            and output). Networking behind a USB Ethernet adapter (the Pi 3's Ethernet is on USB
//            too). About 3 minutes to boot under emulation (TCG).
//   virt     QEMU's generic arm64 machine, several times faster to emulate: the same image file as
//            a virtio disk, booted with the same kernel, initrd and cmdline.txt from its boot
//            partition (QEMU makes the device tree), the serial console on its PL011 (ttyAMA0),
//            a virtio network card. What it does not exercise is the Pi's own hardware: its SD
//            controller, device tree, USB Ethernet and serial line.
// Either way networking is QEMU's user-mode stack; the host reaches the device's ports through
// forwards bound to 127.0.0.1 only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';

const BOOT_OFFSET = 4 * 1024 * 1024; // image/build.sh puts the boot partition at 4 MiB
const ECHO_MS = 30_000; // a typed command starts within this, or it was lost (sh)

export interface Forward {
  host: number; // a port on 127.0.0.1
  guest: number;
}

export interface DeviceOptions {
  image: string; // the disk image, used as is (the caller copies it)
  forwards: Forward[];
  // Extra kernel command-line words (for the test's root shell on the serial line).
  append?: string[];
  log?: (chunk: string) => void;
  // A disk image plugged in as a USB drive (usb-storage), from the start.
  usbDrive?: string;
}

type BootFiles = ReturnType<typeof bootFiles>;

export interface Machine {
  name: 'raspi3b' | 'virt';
  title: string;
  disk: string; // the kernel's name for the disk that holds the image
  console: string; // the serial line QEMU connects to standard input and output
  // QEMU's arguments for the machine, its disk and its network card (netdev n0).
  args(boot: BootFiles, image: string): string[];
  // A USB host controller for usb-storage devices, when the machine has none of its own.
  usbController: string[];
}

export const MACHINES: Record<Machine['name'], Machine> = {
  raspi3b: {
    name: 'raspi3b',
    title: 'a Raspberry Pi 3',
    disk: 'mmcblk0',
    console: 'ttyS1',
    args: (boot, image) => [
      '-M',
      'raspi3b',
      '-kernel',
      boot.kernel,
      '-initrd',
      boot.initrd,
      '-dtb',
      boot.dtb,
      '-append',
      boot.cmdline,
      '-drive',
      `if=sd,format=raw,file=${image}`,
      '-device',
      'usb-net,netdev=n0',
      // The PL011 (first) serves Bluetooth on a Pi 3; the GPIO header's serial console is the
      // mini UART (ttyS1), QEMU's second serial line.
      '-serial',
      'null',
      '-serial',
      'stdio',
    ],
    usbController: [], // the Pi's own (dwc2)
  },
  virt: {
    name: 'virt',
    title: "QEMU's generic arm64 machine",
    disk: 'vda',
    console: 'ttyAMA0',
    args: (boot, image) => [
      '-M',
      'virt',
      '-cpu',
      'cortex-a72',
      '-smp',
      '2',
      '-m',
      '1024', // as much as the Pi 3
      '-kernel',
      boot.kernel,
      '-initrd',
      boot.initrd,
      // The image's consoles are the Pi's (ttyS1, tty1); the last console= is /dev/console.
      '-append',
      `${boot.cmdline} console=ttyAMA0`,
      '-drive',
      `if=none,format=raw,file=${image},id=d0`,
      '-device',
      'virtio-blk-pci,drive=d0',
      // (No option ROM: the kernel is loaded directly, no firmware would run QEMU's iPXE.)
      '-device',
      'virtio-net-pci,netdev=n0,romfile=',
      '-serial',
      'stdio',
    ],
    usbController: ['-device', 'qemu-xhci'],
  },
};

// The machine IMAGE_MACHINE names (default raspi3b).
export function machineFromEnv(): Machine {
  const name = process.env.IMAGE_MACHINE ?? 'raspi3b';
  const m = MACHINES[name as Machine['name']];
  if (!m) throw new Error(`IMAGE_MACHINE=${name}: one of ${Object.keys(MACHINES).join(', ')}`);
  return m;
}

// A sparse copy of `image`, grown to a power of two (QEMU's SD card wants that size; on either
// machine first boot has room to grow the root file system into).
export function diskCopy(image: string, dir: string): string {
  const copy = path.join(dir, 'disk.img');
  execFileSync('cp', ['--sparse=always', image, copy]);
  const size = statSync(copy).size;
  truncateSync(copy, 2 ** Math.ceil(Math.log2(size)));
  return copy;
}

// The boot files the Pi's firmware would load, from the image's FAT partition.
export function bootFiles(image: string, dir: string): { kernel: string; initrd: string; dtb: string; cmdline: string; configTxt: string } {
  const fat = `${image}@@${BOOT_OFFSET}`;
  const names = execFileSync('mdir', ['-b', '-i', fat, '::/'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.trim().replace(/^::\//, ''))
    .filter(Boolean);
  const pick = (re: RegExp) => {
    const n = names.find((x) => re.test(x));
    if (!n) throw new Error(`no ${re} on the boot partition (${names.join(' ')})`);
    const out = path.join(dir, n);
    execFileSync('mcopy', ['-n', '-i', fat, `::/${n}`, out]);
    return out;
  };
  return {
    kernel: pick(/^vmlinuz-/),
    initrd: pick(/^initrd\.img-/),
    dtb: pick(/^bcm2837-rpi-3-b\.dtb$/),
    cmdline: readFileSync(pick(/^cmdline\.txt$/), 'utf8').trim(),
    configTxt: readFileSync(pick(/^config\.txt$/), 'utf8'),
  };
}

// A running QEMU whose serial line is read and typed on.
export class EmulatedDevice {
  private child: ChildProcess;
  private out = '';
  private waiters: (() => void)[] = [];
  exited: Promise<number | null>;

  private constructor(child: ChildProcess, log?: (chunk: string) => void) {
    this.child = child;
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      // systemd and agetty ask the terminal for the cursor position (ECMA-48 DSR, ESC [ 6 n) to
      // learn its size, and read the answer from the line: answer as a terminal would, so that
      // they do not take typed commands for it.
      for (const _ of d.matchAll(/\x1b\[6n/g)) child.stdin!.write('\x1b[24;80R');
      this.out += d;
      log?.(d);
      const w = this.waiters;
      this.waiters = [];
      for (const f of w) f();
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => log?.(d));
    this.exited = new Promise((r) => child.on('exit', (code) => r(code)));
  }

  static start(machine: Machine, o: DeviceOptions, dir: string): EmulatedDevice {
    const boot = bootFiles(o.image, dir);
    const hostfwd = o.forwards.map((f) => `hostfwd=tcp:127.0.0.1:${f.host}-:${f.guest}`).join(',');
    const args = [
      ...machine.args({ ...boot, cmdline: [boot.cmdline, ...(o.append ?? [])].join(' ') }, o.image),
      ...(o.usbDrive ? [...machine.usbController, '-drive', `if=none,format=raw,file=${o.usbDrive},id=usb0`, '-device', 'usb-storage,drive=usb0'] : []),
      '-netdev',
      `user,id=n0${hostfwd ? `,${hostfwd}` : ''}`,
      '-display',
      'none',
      '-monitor',
      'none',
      '-no-reboot',
    ];
    const child = spawn('qemu-system-aarch64', args, { stdio: ['pipe', 'pipe', 'pipe'] });
    return new EmulatedDevice(child, o.log);
  }

  // Everything the serial line printed so far.
  get console(): string {
    return this.out;
  }

  // Resolves with the match once the serial output matches `re` (searched from `from` on).
  async waitFor(re: RegExp, timeoutMs: number, from = 0): Promise<RegExpExecArray> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const m = re.exec(this.out.slice(from));
      if (m) return m;
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(`QEMU ended (${this.child.exitCode ?? this.child.signalCode}) before ${re}`);
      const left = until - Date.now();
      if (left <= 0) throw new Error(`no ${re} on the serial console in ${timeoutMs} ms; last output:\n${this.out.slice(-2000)}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, Math.min(left, 5000));
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  // Runs a command in the root shell on the serial line and returns its output (between markers,
  // so that kernel messages before it do not count). A line typed while something else on the
  // line resets the terminal (systemd asks for the cursor position, ESC [ 6 n, and flushes the
  // input) is lost: when the shell has not started the command within ECHO_MS it is typed again,
  // with new markers (the commands the tests run are read-only or idempotent).
  async sh(command: string, timeoutMs = 120_000): Promise<string> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const id = Math.random().toString(36).slice(2, 10);
      const from = this.out.length;
      this.child.stdin!.write(`echo BEGIN-${id}; ${command}; echo END-${id} $?\n`);
      // (The echoed command line holds "BEGIN-id;", the output "BEGIN-id" and a line break.)
      try {
        await this.waitFor(new RegExp(`BEGIN-${id}\\r?\\n`), Math.min(ECHO_MS, until - Date.now()), from);
      } catch (e) {
        if (Date.now() >= until || this.child.exitCode !== null || this.child.signalCode !== null) throw e;
        continue;
      }
      const m = await this.waitFor(new RegExp(`BEGIN-${id}\\r?\\n([\\s\\S]*?)END-${id} (\\d+)`), Math.max(until - Date.now(), 1), from);
      const status = Number(m[2]);
      if (status !== 0) throw new Error(`${command}: exit ${status}\n${m[1]}`);
      return m[1]!.replace(/\r/g, '');
    }
  }

  // Types a line on the serial console without waiting for anything.
  type(line: string): void {
    this.child.stdin!.write(`${line}\n`);
  }

  async stop(timeoutMs = 60_000): Promise<void> {
    if (this.child.exitCode !== null) return;
    const t = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    this.child.kill('SIGTERM');
    await this.exited;
    clearTimeout(t);
  }
}

// The newest image in dist/ (or IMAGE).
export function findImage(root: string): string {
  if (process.env.IMAGE) return process.env.IMAGE;
  const dist = path.join(root, 'dist');
  const images = readdirSync(dist).filter((n) => /^homepost-.*-arm64\.img$/.test(n));
  if (images.length === 0) throw new Error('no dist/homepost-*-arm64.img: make image first');
  return path.join(dist, images.sort().at(-1)!);
}
