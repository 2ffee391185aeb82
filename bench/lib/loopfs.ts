// A scratch ext4 filesystem on a loop device, so a benchmark can count the bytes that really
// reach a block device (/sys/block/loopN/stat, field 7: sectors written, 512 bytes each).
// Needs root; callers check `canUseLoop()` first and explain when it is not available.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface LoopFs {
  mountpoint: string;
  device: string; // /dev/loopN
  // Flushes everything to the device, then reads its sectors-written counter in bytes.
  bytesWritten(): number;
  destroy(): void;
}

export function canUseLoop(): string | null {
  if (process.getuid?.() !== 0) return 'not root: loop-mounted filesystems need root';
  for (const tool of ['losetup', 'mkfs.ext4', 'mount']) {
    try {
      execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    } catch {
      return `${tool} is not installed`;
    }
  }
  return null;
}

export function createLoopFs(sizeMb = 1024): LoopFs {
  const dir = mkdtempSync(path.join(tmpdir(), 'homepost-loop-'));
  const image = path.join(dir, 'fs.img');
  const mountpoint = path.join(dir, 'mnt');
  mkdirSync(mountpoint);
  execFileSync('truncate', ['-s', `${sizeMb}M`, image]);
  execFileSync('mkfs.ext4', ['-q', '-F', '-E', 'lazy_itable_init=0,lazy_journal_init=0', image]);
  const device = execFileSync('losetup', ['-f', '--show', image], { encoding: 'utf8' }).trim();
  execFileSync('mount', [device, mountpoint]);
  const stat = `/sys/block/${path.basename(device)}/stat`;
  return {
    mountpoint,
    device,
    bytesWritten() {
      execFileSync('sync', ['-f', mountpoint]);
      return Number(readFileSync(stat, 'utf8').trim().split(/\s+/)[6]) * 512;
    },
    destroy() {
      try {
        execFileSync('umount', [mountpoint]);
      } finally {
        execFileSync('losetup', ['-d', device]);
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
