// The notifications reach a real Unix datagram socket through the real systemd-notify: a Python
// listener stands in for systemd's NOTIFY_SOCKET and prints each datagram with its arrival time.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../log/log.ts';
import { systemdNotifier, watchdogIntervalMs } from './systemd.ts';

const LISTENER = `
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
print("listening", flush=True)
while True:
    data = s.recv(4096)
    print("%.3f %s" % (time.monotonic(), data.decode().replace("\\n", " ")), flush=True)
`;

let dir: string;
let socket: string;
let listener: ChildProcess;
const received: { at: number; message: string }[] = [];

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'homepost-notify-'));
  socket = path.join(dir, 'notify');
  listener = spawn('python3', ['-c', LISTENER, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: listener.stdout! });
  await new Promise<void>((resolve) =>
    lines.on('line', (line) => {
      if (line === 'listening') return resolve();
      const [at, ...rest] = line.split(' ');
      // systemd-notify follows each message with its own BARRIER=1 datagram.
      for (const message of rest) if (message && message !== 'BARRIER=1') received.push({ at: Number(at) * 1000, message });
    }),
  );
});

after(() => {
  listener.kill();
  rmSync(dir, { recursive: true, force: true });
});

async function until(what: () => boolean, label: string): Promise<void> {
  for (let i = 0; i < 200 && !what(); i++) await sleep(25);
  assert.ok(what(), `no ${label} within 5 s: ${JSON.stringify(received)}`);
}

test('without NOTIFY_SOCKET nothing is sent', () => {
  assert.equal(systemdNotifier({ log: silentLogger, env: {} }), null);
});

test('the watchdog interval: half of WATCHDOG_USEC, only for this process', () => {
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '60000000' }), 30_000);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: String(process.pid) }), 30_000);
  assert.equal(watchdogIntervalMs({ WATCHDOG_USEC: '60000000', WATCHDOG_PID: String(process.pid + 1) }), null);
  assert.equal(watchdogIntervalMs({}), null);
});

test('READY=1 and STOPPING=1 arrive as datagrams', async () => {
  received.length = 0;
  const n = systemdNotifier({ log: silentLogger, env: { ...process.env, NOTIFY_SOCKET: socket, WATCHDOG_USEC: undefined } })!;
  n.ready();
  await until(() => received.some((r) => r.message === 'READY=1'), 'READY=1');
  n.stopping();
  await until(() => received.some((r) => r.message === 'STOPPING=1'), 'STOPPING=1');
  n.close();
  assert.deepEqual(
    received.map((r) => r.message),
    ['READY=1', 'STOPPING=1'],
  );
});

test('WATCHDOG=1 comes from the event loop: a blocked loop stops feeding the watchdog', async () => {
  received.length = 0;
  // WATCHDOG_USEC 200 ms: a message every 100 ms.
  const n = systemdNotifier({ log: silentLogger, env: { ...process.env, NOTIFY_SOCKET: socket, WATCHDOG_USEC: '200000' } })!;
  try {
    await until(() => received.filter((r) => r.message === 'WATCHDOG=1').length >= 3, 'three WATCHDOG=1');
    const before = received.length;
    const blocked = Date.now();
    while (Date.now() - blocked < 800);
    await until(() => received.length >= before + 2, 'WATCHDOG=1 after the block');
    const times = received.filter((r) => r.message === 'WATCHDOG=1').map((r) => r.at);
    const longest = Math.max(...times.slice(1).map((t, i) => t - times[i]));
    assert.ok(longest >= 700, `the longest gap between WATCHDOG=1 was ${longest} ms while the loop was blocked for 800 ms`);
  } finally {
    n.close();
  }
});
