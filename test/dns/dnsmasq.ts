// A real DNS server for the record check tests: Debian's dnsmasq (dnsmasq-base, no service) on
// 127.0.0.1 and a free port, answering from a configuration the test writes (txt-record,
// mx-host, srv-host, cname, address, ptr-record lines) and nothing else: no upstream, no hosts
// file. dnsmasq reads those lines at start only, so a new zone is a restart on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { ExpectedRecord } from '../../src/dns-records/expected.ts';
import { freePort, waitForPort } from '../support/ports.ts';

export interface Dnsmasq {
  port: number;
  // Serves these configuration lines from now on.
  restart(lines: string[]): Promise<void>;
  stop(): Promise<void>;
}

// Names under these answer NXDOMAIN unless a line gives them data.
const LOCAL = ['local=/example.test/', 'local=/example.net/', 'local=/in-addr.arpa/', 'local=/ip6.arpa/'];

export async function startDnsmasq(dir: string, lines: string[]): Promise<Dnsmasq> {
  const port = await freePort();
  const conf = path.join(dir, 'dnsmasq.conf');
  let child: ChildProcess | null = null;
  let stderr = '';
  const start = async (zone: string[]) => {
    writeFileSync(conf, [...LOCAL, ...zone, ''].join('\n'));
    const args = ['--no-daemon', `--conf-file=${conf}`, `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts'];
    const c = spawn('/usr/sbin/dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    c.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child = c;
    await Promise.race([waitForPort(port), new Promise((_, reject) => c.once('exit', (code) => reject(new Error(`dnsmasq exited ${code}: ${stderr}`))))]);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null) return;
    await new Promise((resolve) => {
      c.once('exit', resolve);
      c.kill('SIGTERM');
    });
  };
  await start(lines);
  return {
    port,
    restart: async (zone) => {
      await stop();
      await start(zone);
    },
    stop,
  };
}

// The record as dnsmasq configuration; TXT as its character-strings, each quoted.
export function dnsmasqLine(r: ExpectedRecord): string {
  switch (r.type) {
    case 'MX':
      return `mx-host=${r.name},${r.value},${r.priority}`;
    case 'SRV':
      return `srv-host=${r.name},${r.value},${r.port},${r.priority},${r.weight}`;
    case 'TXT':
      return `txt-record=${r.name},${r.strings!.map((s) => `"${s}"`).join(',')}`;
    case 'CNAME':
      return `cname=${r.name},${r.value}`;
    case 'PTR':
      return `ptr-record=${r.name},${r.value}`;
    case 'A':
    case 'AAAA':
      return `address=/${r.name}/${r.value}`;
  }
}
