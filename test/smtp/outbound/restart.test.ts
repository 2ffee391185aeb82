// A restart with a full queue: homepost is stopped while it delivers (transactions in flight,
// more waiting) and started again on the same data folder; the queue resumes by itself and every
// message arrives exactly once. Then the same with the peer down during the first run.
// Addresses 127.0.0.60-69.
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { Store } from '../../../src/store/index.ts';
import { startServeChild } from '../../support/serve-child.ts';
import { RawSmtp } from '../harness.ts';
import { tempDir } from '../../support/temp-store.ts';
import { freePortOn, startOutbound, startPeer, testSettings, until, type Peer } from './harness.ts';

const HOST = '127.0.0.60';
const DNS = { 'remote.example': { MX: [{ exchange: 'mx.remote.example', priority: 10 }] }, 'mx.remote.example': { A: [HOST] } };
let port: number;
let dataDir: string;

before(async () => {
  port = await freePortOn([HOST]);
  dataDir = tempDir('homepost-restart-');
});

after(() => rmSync(dataDir, { recursive: true, force: true }));

// Message-IDs the peer got, with how many times each.
function tally(peer: Peer): Map<string, number> {
  const seen = new Map<string, number>();
  for (const m of peer.messages) {
    const id = /^Message-ID: (<[^>]+>)/im.exec(m.raw.toString('latin1'))![1];
    seen.set(id, (seen.get(id) ?? 0) + 1);
  }
  return seen;
}

async function send(smtp: number, count: number, tag: string): Promise<void> {
  const c = await RawSmtp.connect(smtp);
  try {
    await c.reply();
    await c.command('EHLO client.example');
    for (let i = 0; i < count; i++) {
      assert.equal((await c.command('MAIL FROM:<dev@example.test>')).code, 250);
      assert.equal((await c.command(`RCPT TO:<r${i}@remote.example>`)).code, 250);
      await c.command('DATA');
      const r = await c.command(`From: dev@example.test\r\nSubject: ${tag} ${i}\r\nMessage-ID: <${tag}.${i}@example.test>\r\n\r\nmessage ${i}\r\n.`);
      assert.equal(r.code, 250);
    }
    await c.command('QUIT');
  } finally {
    c.close();
  }
}

test('stopped while delivering, started again: the queue resumes, every message once', async () => {
  const COUNT = 24;
  // The peer answers each message after a pause, so that some are in flight at the stop.
  const peer = await startPeer({ host: HOST, port, tls: 'none', onData: () => new Promise((r) => setTimeout(() => r(null), 120)) });
  try {
    let hp = await startOutbound({ dns: DNS, dataDir, settings: testSettings(port, { 'outbound.concurrencyPerDomain': 2 }) });
    await send(hp.smtp, COUNT, 'restart');
    await until(() => peer.messages.length >= 3, 'the first deliveries');
    await hp.stop();
    const atStop = peer.messages.length;
    const store = await Store.open(dataDir);
    const left = store.queue.list().length;
    assert.deepEqual(store.checkConsistency(), []);
    await store.close();
    assert.ok(atStop < COUNT && left > 0, `stopped in the middle (${atStop} delivered, ${left} queued)`);
    assert.equal(atStop + left, COUNT, 'each message either delivered or still queued');

    hp = await startOutbound({ dns: DNS, dataDir });
    try {
      await until(() => hp.store.queue.list().length === 0, 'the queue to empty after the restart');
      const seen = tally(peer);
      assert.equal(seen.size, COUNT, 'every message arrived');
      assert.deepEqual(
        [...seen.values()].filter((n) => n !== 1),
        [],
        'none twice',
      );
      assert.deepEqual(hp.store.checkConsistency(), []);
    } finally {
      await hp.stop();
    }
  } finally {
    await peer.close();
  }
});

test('queued while the peer is down, delivered after a restart once it is up', async () => {
  let hp = await startOutbound({ dns: DNS, dataDir });
  await send(hp.smtp, 5, 'down');
  await until(() => hp.store.queue.list().length === 5 && hp.store.queue.list().every((e) => e.recipients[0].attempts >= 1), 'five failed attempts');
  assert.match(hp.store.queue.list()[0].recipients[0].lastResult!, /^451 4\.4\.1 .*(ECONNREFUSED|refused)/i);
  await hp.stop();
  const peer = await startPeer({ host: HOST, port, tls: 'none' });
  try {
    hp = await startOutbound({ dns: DNS, dataDir });
    await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
    const seen = tally(peer);
    assert.deepEqual(
      [...seen.keys()].sort(),
      [0, 1, 2, 3, 4].map((i) => `<down.${i}@example.test>`),
    );
    assert.deepEqual([...seen.values()], [1, 1, 1, 1, 1]);
    await hp.stop();
  } finally {
    await peer.close();
  }
});

// The daemon as it runs on the device: `bin/homepost serve` in its own process, stopped with
// SIGTERM while it delivers through a smarthost (no DNS needed), then started again.
test('bin/homepost serve: SIGTERM while delivering, started again, every message once', async () => {
  const dir = tempDir('homepost-restart-child-');
  const peer = await startPeer({ host: HOST, port: 0, tls: 'none', onData: () => new Promise((r) => setTimeout(() => r(null), 100)) });
  try {
    const store = await Store.open(dir);
    await store.domains.add('example.test');
    for (const [k, v] of Object.entries(
      testSettings(port, { 'outbound.smarthost': { host: HOST, port: peer.port, security: 'none' }, 'outbound.concurrencyPerDomain': 2 }),
    ))
      await store.settings.set(k, v);
    await store.close();
    const first = await startServeChild({ dataDir: dir });
    await send(first.ports.smtp, 16, 'child');
    await until(() => peer.messages.length >= 2, 'the first deliveries');
    first.child.kill('SIGTERM');
    assert.equal((await first.exited).code, 0);
    const atStop = peer.messages.length;
    const second = await startServeChild({ dataDir: dir });
    try {
      await until(() => tally(peer).size === 16, 'every message after the restart');
      assert.ok(atStop < 16, `stopped in the middle (${atStop} delivered)`);
      assert.deepEqual(
        [...tally(peer).values()].filter((n) => n !== 1),
        [],
        'none twice',
      );
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
    const after = await Store.open(dir);
    try {
      assert.deepEqual(after.queue.list(), []);
      assert.deepEqual(after.checkConsistency(), []);
    } finally {
      await after.close();
    }
  } finally {
    await peer.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
