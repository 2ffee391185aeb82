// The device's health for the Status view: CPU temperature and load, memory and OS from the npm
// package systeminformation; the data folder's file system from statfs(2) (systeminformation lists
// every mount through df and does not map a folder to its own); uptime from the kernel
// (systeminformation's time() runs a shell each call). Answers are cached for CACHE_MS, and each
// part is given TIMEOUT_MS: a part that takes longer is reported as null.
import { statfs } from 'node:fs/promises';
import os from 'node:os';

const CACHE_MS = 5000;
const TIMEOUT_MS = 3000;

export interface SystemInfo {
  time: number; // ms since the epoch, when measured
  uptimeSeconds: number;
  os: { distro: string; release: string; kernel: string; arch: string; hostname: string } | null;
  cpu: { cores: number; temperatureC: number | null; loadPercent: number | null; loadAverage: number[] };
  memory: { total: number; available: number; swapTotal: number; swapUsed: number } | null;
  disk: { path: string; total: number; available: number } | null;
  process: { rss: number; heapUsed: number };
}

type Si = typeof import('systeminformation');

function bounded<T>(p: Promise<T>): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), TIMEOUT_MS)));
  return Promise.race([p.catch(() => null), timeout]).finally(() => clearTimeout(timer));
}

export class SystemMonitor {
  private dataDir: string;
  private cached: { at: number; value: Promise<SystemInfo> } | null = null;
  private osInfo: Promise<SystemInfo['os']> | null = null;
  // Loaded on first use: a device whose status page is never opened does not pay for it.
  private si: Promise<Si> | null = null;

  constructor(dataDir: string) {
    this.dataDir = dataDir;
  }

  get(): Promise<SystemInfo> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= CACHE_MS) this.cached = { at: now, value: this.measure() };
    return this.cached.value;
  }

  private async measure(): Promise<SystemInfo> {
    this.si ??= import('systeminformation').then((m) => (m.default ?? m) as Si);
    const si = await this.si;
    // The OS does not change while we run: asked until it answers once.
    this.osInfo ??= bounded(si.osInfo()).then((o) => {
      if (!o) this.osInfo = null;
      return o && { distro: o.distro, release: o.release, kernel: o.kernel, arch: o.arch, hostname: o.hostname };
    });
    const [temperature, load, mem, fsInfo, osInfo] = await Promise.all([
      bounded(si.cpuTemperature()),
      bounded(si.currentLoad()),
      bounded(si.mem()),
      bounded(statfs(this.dataDir)),
      this.osInfo,
    ]);
    const usage = process.memoryUsage();
    return {
      time: Date.now(),
      uptimeSeconds: Math.round(os.uptime()),
      os: osInfo,
      cpu: {
        cores: os.availableParallelism(),
        temperatureC: typeof temperature?.main === 'number' ? temperature.main : null,
        loadPercent: typeof load?.currentLoad === 'number' ? Math.round(load.currentLoad * 10) / 10 : null,
        loadAverage: os.loadavg().map((n) => Math.round(n * 100) / 100),
      },
      memory: mem && { total: mem.total, available: mem.available, swapTotal: mem.swaptotal, swapUsed: mem.swapused },
      disk: fsInfo && { path: this.dataDir, total: fsInfo.blocks * fsInfo.bsize, available: fsInfo.bavail * fsInfo.bsize },
      process: { rss: usage.rss, heapUsed: usage.heapUsed },
    };
  }
}
