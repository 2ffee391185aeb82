// Resident memory of a set of processes, from /proc: RSS (what the targets are stated in; pages
// shared between processes count once per process) and PSS (shared pages divided among them).
import { readFileSync } from 'node:fs';

export interface Memory {
  rssKb: number;
  pssKb: number;
  processes: number;
}

function field(text: string, name: string): number {
  const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

export function memoryOf(pids: number[]): Memory {
  let rssKb = 0;
  let pssKb = 0;
  let processes = 0;
  for (const pid of pids) {
    try {
      rssKb += field(readFileSync(`/proc/${pid}/status`, 'latin1'), 'VmRSS');
      pssKb += field(readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'), 'Pss');
      processes++;
    } catch {
      // exited meanwhile
    }
  }
  return { rssKb, pssKb, processes };
}
