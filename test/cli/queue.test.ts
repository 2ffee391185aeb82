// `homepost queue list|show|retry|delete|bounce` and `homepost dkim show|rotate` as a person runs
// them: a separate process, through the running daemon's control socket (the delivery worker acts
// at once), and without a daemon (the change waits in the store for the next start).
// Peer address 127.0.0.80.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createControlService } from '../../src/control/server.ts';
import { dkimTxtRecords } from '../../src/smtp/dkim/txt-record.ts';
import { Store } from '../../src/store/index.ts';
import {
  freePortOn,
  inboxOf,
  parseDsnWithPython,
  startOutbound,
  startPeer,
  submit,
  testSettings,
  until,
  type OutboundServer,
  type Peer,
} from '../smtp/outbound/harness.ts';
import { runCli, runJson } from './run-cli.ts';

const HOST = '127.0.0.80';
const DEV = 'dev@example.test';
const DNS = { 'remote.example': { MX: [{ exchange: 'mx.remote.example', priority: 10 }] }, 'mx.remote.example': { A: [HOST] } };
let port: number;
let peer: Peer;
let failing = true;

before(async () => {
  port = await freePortOn([HOST]);
  peer = await startPeer({ host: HOST, port, tls: 'none', onRcpt: () => (failing ? '451 4.3.0 Not now' : null) });
});

after(() => peer.close());

// A message that is tried once, fails temporarily and waits (the schedule says an hour).
async function queued(hp: OutboundServer, subject: string): Promise<number> {
  await submit({ port: hp.smtp, from: DEV, to: [`${subject.replace(/\W/g, '')}@remote.example`] }, `From: ${DEV}\r\nSubject: ${subject}\r\n\r\nx\r\n`);
  let id = 0;
  await until(() => {
    const e = hp.store.queue.list().find((x) => x.recipients[0].address.startsWith(subject.replace(/\W/g, '')) && x.recipients[0].attempts === 1);
    id = e?.id ?? 0;
    return id > 0;
  }, 'a deferred entry');
  return id;
}

describe('homepost queue with a running daemon', () => {
  let hp: OutboundServer;
  let data: string[];
  before(async () => {
    hp = await startOutbound({
      dns: DNS,
      settings: testSettings(port, { 'outbound.retrySchedule': [3_600_000], 'outbound.delayNoticeMs': 0 }),
      extraStarters: [createControlService()],
    });
    data = ['--data', hp.dataDir];
  });
  after(() => hp.close());

  test('list and show', async () => {
    const id = await queued(hp, 'list me');
    const rows = await runJson<{ id: number; sender: string; pending: number; recipients: number; subject: string; nextAttemptAt: number }[]>([
      'queue',
      'list',
      ...data,
    ]);
    const row = rows.find((r) => r.id === id)!;
    assert.deepEqual([row.sender, row.pending, row.recipients, row.subject], [DEV, 1, 1, 'list me']);
    assert.ok(row.nextAttemptAt > Date.now() + 3_000_000, 'an hour away');
    const text = await runCli(['queue', 'list', ...data]);
    assert.equal(text.code, 0);
    assert.match(text.stdout, /^ID +ARRIVED +SIZE +SENDER +PENDING +NEXT TRY +SUBJECT\n/);
    assert.match(text.stdout, new RegExp(`\\n${id} .* dev@example\\.test +1/1 .* list me\\n`));
    const show = await runCli(['queue', 'show', String(id), ...data]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /subject +list me\n/);
    assert.match(show.stdout, /listme@remote\.example +deferred +1 +451 4\.3\.0 Not now \(mx\.remote\.example\)/);
    const json = await runJson<{ recipientStates: { state: string; lastResult: string }[] }>(['queue', 'show', String(id), ...data]);
    assert.deepEqual(
      json.recipientStates.map((r) => [r.state, r.lastResult]),
      [['deferred', '451 4.3.0 Not now']],
    );
  });

  test('retry: tried at once, whatever the schedule says', async () => {
    const id = await queued(hp, 'retry me');
    failing = false;
    try {
      const r = await runCli(['queue', 'retry', String(id), ...data]);
      assert.deepEqual([r.code, r.stdout], [0, `retrying ${id}\n`]);
      await until(() => peer.messages.some((m) => m.to.includes('retryme@remote.example')), 'the delivery');
      await until(() => hp.store.queue.get(id) === null, 'the entry to go');
    } finally {
      failing = true;
    }
  });

  test('bounce: returned to the sender with a report', async () => {
    const id = await queued(hp, 'bounce me');
    const r = await runCli(['queue', 'bounce', String(id), '--yes', ...data]);
    assert.deepEqual([r.code, r.stdout], [0, `bounced ${id}\n`]);
    await until(() => inboxOf(hp.store, DEV).some((m) => m.includes('bounceme@remote.example')), 'the report');
    const dsn = await parseDsnWithPython(inboxOf(hp.store, DEV).find((m) => m.includes('bounceme@remote.example'))!);
    assert.deepEqual(
      dsn.recipients.map((x) => [x.Action, x.Status]),
      [['failed', '5.0.0']],
    );
    await until(() => hp.store.queue.get(id) === null, 'the entry to go');
  });

  test('delete: gone without a report; the body reference with it', async () => {
    const reports = inboxOf(hp.store, DEV).length;
    const id = await queued(hp, 'delete me');
    const r = await runCli(['queue', 'delete', String(id), '--yes', ...data]);
    assert.deepEqual([r.code, r.stdout], [0, `deleted ${id}\n`]);
    assert.equal(hp.store.queue.get(id), null);
    assert.deepEqual(hp.store.checkConsistency(), []);
    assert.equal(inboxOf(hp.store, DEV).length, reports);
  });

  test('refusals: an unknown id, a word that is not an id', async () => {
    const missing = await runCli(['queue', 'show', '999', ...data]);
    assert.deepEqual([missing.code, missing.stderr], [4, 'homepost: no queue entry 999\n']);
    const word = await runCli(['queue', 'retry', 'soon', ...data]);
    assert.equal(word.code, 2);
    assert.match(word.stderr, /not a queue id: soon/);
    assert.equal((await runCli(['queue', 'retry', 'all', ...data])).code, 0);
  });

  test('dkim show prints the records to publish; rotate changes the selectors', async () => {
    const shown = await runJson<{ domain: string; records: { name: string; value: string; algorithm: string }[] }>(['dkim', 'show', 'example.test', ...data]);
    assert.deepEqual(
      shown.records.map((r) => r.algorithm),
      ['rsa-sha256', 'ed25519-sha256'],
    );
    assert.deepEqual(
      shown.records.map((r) => r.value),
      dkimTxtRecords(hp.store.dkim.get('example.test')).map((r) => r.value),
    );
    const text = await runCli(['dkim', 'show', 'example.test', ...data]);
    assert.match(text.stdout, /^; rsa-sha256\nrsa\d{8}\._domainkey\.example\.test\. IN TXT \( "v=DKIM1; k=rsa; p=/);
    const rotated = await runJson<{ records: { name: string }[] }>(['dkim', 'rotate', 'example.test', '--yes', ...data]);
    assert.notDeepEqual(
      rotated.records.map((r) => r.name),
      shown.records.map((r) => r.name),
    );
    const unknown = await runCli(['dkim', 'show', 'nowhere.example', ...data]);
    assert.equal(unknown.code, 4);
  });
});

test('without a daemon: list and bounce work on the store; the report is written at the next start', async () => {
  let hp = await startOutbound({ dns: DNS, settings: testSettings(port, { 'outbound.retrySchedule': [3_600_000], 'outbound.delayNoticeMs': 0 }) });
  const id = await queued(hp, 'offline');
  await hp.stop();
  try {
    const data = ['--data', hp.dataDir];
    const rows = await runJson<{ id: number }[]>(['queue', 'list', ...data]);
    assert.deepEqual(
      rows.map((r) => r.id),
      [id],
    );
    assert.equal((await runCli(['queue', 'bounce', String(id), '--yes', ...data])).code, 0);
    const store = await Store.open(hp.dataDir);
    try {
      assert.deepEqual(
        store.queue.get(id)!.recipients.map((r) => [r.state, r.notice]),
        [['failed', 'failed']],
        'the report is owed',
      );
    } finally {
      await store.close();
    }
    hp = await startOutbound({ dns: DNS, dataDir: hp.dataDir });
    await until(() => inboxOf(hp.store, DEV).some((m) => m.includes('offline@remote.example')), 'the report after the start');
    await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
  } finally {
    await hp.close();
  }
});
