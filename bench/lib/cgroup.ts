// A memory cgroup for the server under test (BENCH_MEMORY_LIMIT_MB): the limit a 512 MB device
// sets by having no more. The store is memory-mapped, so the pages of store.mdb a scan touched count
// in the process's RSS until the kernel needs them back; inside a cgroup they are reclaimed at the
// limit, and only memory the process itself holds (anonymous, not reclaimable without swap) can
// end it. cgroup v2 (memory.max) or v1 (memory.limit_in_bytes), as root.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';

const V2 = '/sys/fs/cgroup';
const V1 = '/sys/fs/cgroup/memory';

export interface MemoryCgroup {
  limitMb: number;
  add(pid: number): void;
  // Highest usage seen (v1; v2 since Linux 5.19: memory.peak), and processes the kernel killed.
  report(): { peakMb: number | null; oomKills: number };
  remove(): void;
}

export function memoryCgroup(name: string, limitMb: number): MemoryCgroup {
  const v2 = existsSync(`${V2}/cgroup.controllers`);
  const dir = v2 ? `${V2}/${name}` : `${V1}/${name}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/${v2 ? 'memory.max' : 'memory.limit_in_bytes'}`, String(limitMb * 1024 * 1024));
  const read = (file: string) => (existsSync(`${dir}/${file}`) ? readFileSync(`${dir}/${file}`, 'utf8') : null);
  return {
    limitMb,
    add(pid) {
      writeFileSync(`${dir}/cgroup.procs`, String(pid));
    },
    report() {
      const peak = read(v2 ? 'memory.peak' : 'memory.max_usage_in_bytes');
      const events = read(v2 ? 'memory.events' : 'memory.oom_control') ?? '';
      const kills = /oom_kill (\d+)/.exec(events);
      return { peakMb: peak === null ? null : Number(peak) / 1024 / 1024, oomKills: kills ? Number(kills[1]) : 0 };
    },
    remove() {
      try {
        rmdirSync(dir);
      } catch {
        // Still holds a process that has not been reaped yet; the next run reuses the group.
      }
    },
  };
}
