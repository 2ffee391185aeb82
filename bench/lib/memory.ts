// Resident memory of a set of processes, from /proc: RSS (what the targets are stated in; pages
// shared between processes count once per process), PSS (shared pages divided among them) and
// private memory (Private_Clean + Private_Dirty: pages no other process maps, clean pages of a
// mapped file such as store.mdb among them) and anonymous memory (RssAnon: heaps, stacks).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

export interface Memory {
  rssKb: number;
  pssKb: number;
  privateKb: number;
  anonKb: number;
  processes: number;
}

function field(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

export function memoryOf(pids: number[]): Memory {
  let rssKb = 0;
  let pssKb = 0;
  let privateKb = 0;
  let anonKb = 0;
  let processes = 0;
  for (const pid of pids) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'latin1');
      rssKb += field(status, 'VmRSS');
      anonKb += field(status, 'RssAnon');
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1');
      pssKb += field(rollup, 'Pss');
      privateKb += field(rollup, 'Private_Clean') + field(rollup, 'Private_Dirty');
      processes++;
    } catch {
      // exited meanwhile
    }
  }
  return { rssKb, pssKb, privateKb, anonKb, processes };
}

// Empties the page cache (root only; false otherwise), so that the servers' executables are read
// from storage as after a boot. A file that was just written (an executable `make binary` made a
// moment ago) sits in the page cache in the large pieces it was written in, and Linux 6.18 and
// later map a whole cached piece into a process on a fault: the same executable then shows
// 10-15 MB more RSS than when it was read from disk.
export function dropPageCache(): boolean {
  try {
    execFileSync('sync');
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    return true;
  } catch {
    return false;
  }
}
