// Resident memory of one process over time, from /proc (Linux): VmRSS now, and the peak over a
// span, taken two ways at once: VmRSS sampled every 20 ms, and VmHWM (the kernel's high-water mark,
// which misses nothing between samples) after resetting it with `echo 5 > /proc/PID/clear_refs`
// (root or the process's owner; without it the sampled peak alone counts).
import { readFileSync, writeFileSync } from 'node:fs';

function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): number | null {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null; // the process is gone
  }
}

export const rssKb = (pid: number) => statusKb(pid, 'VmRSS');

export interface PeakMeter {
  // Stops sampling; the peak in kB (null when the process was gone from the start).
  stop(): { peakKb: number | null; samples: number; hwmReset: boolean };
}

export function measurePeak(pid: number, intervalMs = 20): PeakMeter {
  let hwmReset = false;
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    hwmReset = true;
  } catch {
    // not permitted: sampling only
  }
  let peak = rssKb(pid);
  let samples = 1;
  const timer = setInterval(() => {
    const now = rssKb(pid);
    if (now !== null) peak = Math.max(peak ?? 0, now);
    samples++;
  }, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      const hwm = hwmReset ? statusKb(pid, 'VmHWM') : null;
      const now = rssKb(pid);
      const all = [peak, hwm, now].filter((x): x is number => x !== null);
      return { peakKb: all.length ? Math.max(...all) : null, samples, hwmReset };
    },
  };
}

// RSS once it stopped falling: read every 250 ms until two readings a second apart differ by less
// than 1 MB, or maxMs passed.
export async function settledRssKb(pid: number, maxMs = 5000): Promise<number | null> {
  const until = Date.now() + maxMs;
  let last = rssKb(pid);
  for (;;) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = rssKb(pid);
    if (now === null || last === null) return now;
    if (Math.abs(now - last) < 1024 || Date.now() >= until) return now;
    last = now;
  }
}
