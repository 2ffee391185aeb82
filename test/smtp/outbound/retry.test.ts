// Failures and what follows them: temporary failures retried on the (compressed) schedule until
// the peer accepts; permanent failures bounced at once with an RFC 3464 report in the local
// sender's INBOX (read by Python's email package and by src/mime); a connection dropped in the
// middle of DATA retried with nothing lost or doubled; MX hosts tried in preference order; a null
// MX bounced without a connection; the lifetime and the delay notice; NOTIFY=NEVER and the null
// sender never bounced. Addresses 127.0.0.30-39.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { parseMessage } from '../../../src/mime/parse.ts';
import { RawSmtp } from '../harness.ts';
import { freePortOn, inboxOf, parseDsnWithPython, startOutbound, startPeer, submit, testSettings, until, type OutboundServer, type Peer } from './harness.ts';
import { hashNewPassword } from '../../../src/auth/password.ts';

const HOSTS = ['127.0.0.30', '127.0.0.31', '127.0.0.32', '127.0.0.33'];
const DEV = 'dev@example.test';
let port: number;
let hp: OutboundServer;
let peer: Peer; // mx.flaky.example etc.: decisions per recipient below
let backup: Peer; // the second MX of twomx.example
const tempFailures = new Map<string, number>(); // recipient -> 4xx replies still to give
let dropOnce = true;

before(async () => {
  port = await freePortOn(HOSTS);
  peer = await startPeer({
    host: HOSTS[0],
    port,
    tls: 'none',
    onRcpt: (a) => {
      if (a.startsWith('gone')) return '550 5.1.1 User unknown';
      if (a.startsWith('never')) return '451 4.3.0 Not today';
      const left = tempFailures.get(a) ?? 0;
      if (left > 0) {
        tempFailures.set(a, left - 1);
        return '452 4.2.2 Mailbox full, try later';
      }
      return null;
    },
    onData: (m) => {
      if (m.to.includes('drop@flaky.example') && dropOnce) {
        dropOnce = false;
        return 'drop';
      }
      return null;
    },
  });
  backup = await startPeer({ host: HOSTS[2], port, tls: 'none' });
  hp = await startOutbound({
    dns: {
      'flaky.example': { MX: [{ exchange: 'mx.flaky.example', priority: 10 }] },
      'mx.flaky.example': { A: [HOSTS[0]] },
      // HOSTS[1] has no server: connection refused, the next MX takes it.
      'twomx.example': {
        MX: [
          { exchange: 'mx2.twomx.example', priority: 20 },
          { exchange: 'mx1.twomx.example', priority: 10 },
        ],
      },
      'mx1.twomx.example': { A: [HOSTS[1]] },
      'mx2.twomx.example': { A: [HOSTS[2]] },
      'nullmx.example': { MX: [{ exchange: '', priority: 0 }] },
    },
    settings: testSettings(port, { 'outbound.delayNoticeMs': 0 }),
  });
});

after(async () => {
  await hp.close();
  await peer.close();
  await backup.close();
});

const mail = (subject: string, body = 'hello\r\n') =>
  Buffer.from(`From: ${DEV}\r\nSubject: ${subject}\r\nMessage-ID: <${subject.replace(/\W/g, '')}@example.test>\r\n\r\n${body}`);
const dsns = (needle: string) => inboxOf(hp.store, DEV).filter((m) => m.includes('multipart/report') && m.includes(needle));

test('temporary failures are retried on the schedule until the peer accepts', async () => {
  tempFailures.set('full@flaky.example', 2);
  await submit({ port: hp.smtp, from: DEV, to: ['full@flaky.example'] }, mail('retried'));
  await until(() => peer.messages.some((m) => m.to.includes('full@flaky.example')), 'delivery after two 452s');
  assert.equal(peer.messages.filter((m) => m.to.includes('full@flaky.example')).length, 1);
  assert.equal(peer.commands.filter((c) => c === 'RCPT TO:<full@flaky.example>').length, 3, 'three attempts');
  await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
  assert.equal(dsns('full@flaky.example').length, 0, 'no notice for a delivered message (no delay notice configured)');
});

test("a permanent failure bounces at once: a multipart/report in the sender's INBOX, readable by Python and src/mime", async () => {
  const original = mail('bounced', 'the body stays out of a headers-only report\r\n');
  await submit({ port: hp.submission, from: DEV, to: ['gone@flaky.example'], auth: [DEV, hp.password] }, original);
  await until(() => dsns('gone@flaky.example').length === 1, 'the bounce');
  const raw = dsns('gone@flaky.example')[0];
  assert.match(raw.toString(), /^Return-Path: <>\r\n/, 'from the null sender');
  const dsn = await parseDsnWithPython(raw);
  assert.deepEqual(dsn.defects, []);
  assert.equal(dsn.type, 'multipart/report');
  assert.equal(dsn.reportType, 'delivery-status');
  assert.deepEqual(dsn.parts, ['text/plain', 'message/delivery-status', 'text/rfc822-headers']);
  assert.equal(dsn.to, `<${DEV}>`);
  assert.equal(dsn.from, 'Mail Delivery System <MAILER-DAEMON@mail.example.test>');
  assert.equal(dsn.autoSubmitted, 'auto-replied');
  assert.equal(dsn.perMessage['Reporting-MTA'], 'dns; mail.example.test');
  assert.ok(dsn.perMessage['Arrival-Date']);
  assert.deepEqual(
    dsn.recipients.map((r) => [r['Final-Recipient'], r.Action, r.Status, r['Remote-MTA'], r['Diagnostic-Code']]),
    [['rfc822; gone@flaky.example', 'failed', '5.1.1', 'dns; mx.flaky.example', 'smtp; 550 5.1.1 User unknown']],
  );
  assert.match(dsn.returned, /Subject: bounced/);
  assert.ok(!dsn.returned.includes('the body stays out'), 'headers only by default');
  const parsed = parseMessage(raw);
  assert.equal(`${parsed.root.type}/${parsed.root.subtype}`, 'multipart/report');
  assert.deepEqual(
    parsed.root.children.map((p) => `${p.type}/${p.subtype}`),
    ['text/plain', 'message/delivery-status', 'text/rfc822-headers'],
  );
  assert.equal(peer.messages.filter((m) => m.to.includes('gone@flaky.example')).length, 0);
  await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
});

test('a connection dropped in the middle of DATA is retried: one copy arrives, nothing doubled', async () => {
  const big = mail('dropped', 'x'.repeat(100) + '\r\n'.repeat(1) + 'line of the large body\r\n'.repeat(8000));
  await submit({ port: hp.smtp, from: DEV, to: ['drop@flaky.example'] }, big);
  await until(() => peer.messages.some((m) => m.to.includes('drop@flaky.example')), 'delivery after the drop');
  await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
  assert.equal(dropOnce, false, 'the first attempt was dropped');
  assert.equal(peer.messages.filter((m) => m.to.includes('drop@flaky.example')).length, 1);
  assert.ok(peer.messages.find((m) => m.to.includes('drop@flaky.example'))!.raw.includes('line of the large body\r\n'.repeat(8000)));
});

test('MX hosts in preference order: an unreachable first MX, the second one takes it', async () => {
  await submit({ port: hp.smtp, from: DEV, to: ['someone@twomx.example'] }, mail('second mx'));
  await until(() => backup.messages.length === 1, 'delivery to the second MX');
  assert.equal(backup.messages[0].to[0], 'someone@twomx.example');
  await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
});

test('a null MX (RFC 7505) bounces at once with 556 5.1.10', async () => {
  const connections = peer.connections + backup.connections;
  await submit({ port: hp.smtp, from: DEV, to: ['someone@nullmx.example'] }, mail('null mx'));
  await until(() => dsns('someone@nullmx.example').length === 1, 'the bounce');
  const dsn = await parseDsnWithPython(dsns('someone@nullmx.example')[0]);
  assert.deepEqual(
    dsn.recipients.map((r) => [r.Action, r.Status, r['Remote-MTA']]),
    [['failed', '5.1.10', undefined]],
  );
  assert.match(dsn.recipients[0]['Diagnostic-Code'], /^X-Homepost; 556 5\.1\.10 /);
  assert.equal(peer.connections + backup.connections, connections, 'no connection was made');
});

test('after the lifetime a deferred recipient bounces with its last status; a delay notice came first', async () => {
  await hp.store.settings.set('outbound.lifetimeMs', 1500);
  await hp.store.settings.set('outbound.delayNoticeMs', 500);
  try {
    await submit({ port: hp.smtp, from: DEV, to: ['never@flaky.example'], rcpt: ['NOTIFY=FAILURE,DELAY'], mail: ['ENVID=queue+2Dtest'] }, mail('expiring'));
    await until(() => dsns('never@flaky.example').length === 2, 'a delay notice and a bounce', 10_000);
    const [delay, final] = await Promise.all(dsns('never@flaky.example').map(parseDsnWithPython));
    assert.equal(delay.subject, 'Delayed Mail (still being retried)');
    assert.deepEqual([delay.recipients[0].Action, delay.recipients[0].Status], ['delayed', '4.3.0']);
    assert.ok(delay.recipients[0]['Will-Retry-Until']);
    assert.equal(delay.perMessage['Original-Envelope-Id'], 'queue-test', 'RFC 3461 ENVID, decoded');
    assert.equal(final.subject, 'Undelivered Mail Returned to Sender');
    assert.deepEqual(
      [final.recipients[0].Action, final.recipients[0].Status, final.recipients[0]['Diagnostic-Code']],
      ['failed', '4.3.0', 'smtp; 451 4.3.0 Not today'],
    );
    await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
  } finally {
    await hp.store.settings.set('outbound.lifetimeMs', undefined);
    await hp.store.settings.set('outbound.delayNoticeMs', 0);
  }
});

test('NOTIFY=NEVER and the null sender: no report, the entry still goes', async () => {
  const before = inboxOf(hp.store, DEV).length;
  await submit({ port: hp.smtp, from: DEV, to: ['gone-never@flaky.example'], rcpt: ['NOTIFY=NEVER'] }, mail('never notify'));
  // A report that cannot be delivered is not answered with another one (RFC 3461 6.2).
  await submit({ port: hp.smtp, from: '', to: ['gone-null@flaky.example'] }, mail('null sender'));
  await until(
    () => peer.commands.includes('RCPT TO:<gone-null@flaky.example>') && peer.commands.some((c) => c.startsWith('RCPT TO:<gone-never@flaky.example>')),
    'both attempts',
  );
  await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
  assert.equal(inboxOf(hp.store, DEV).length, before);
});

test('RET=FULL returns the whole message; ORCPT becomes Original-Recipient', async () => {
  const c = await RawSmtp.connect(hp.smtp);
  try {
    await c.reply();
    await c.command('EHLO client.example');
    assert.equal((await c.command(`MAIL FROM:<${DEV}> RET=FULL`)).code, 250);
    assert.equal((await c.command('RCPT TO:<gone-full@flaky.example> ORCPT=rfc822;alias+2Bx@example.org')).code, 250);
    await c.command('DATA');
    assert.equal((await c.command(`${mail('full return', 'the whole body comes back\r\n')}.`)).code, 250);
  } finally {
    c.close();
  }
  await until(() => dsns('gone-full@flaky.example').length === 1, 'the bounce');
  const dsn = await parseDsnWithPython(dsns('gone-full@flaky.example')[0]);
  assert.equal(dsn.returnedType, 'message/rfc822');
  assert.match(dsn.returned, /the whole body comes back/);
  assert.equal(dsn.recipients[0]['Original-Recipient'], 'rfc822; alias+x@example.org');
});

test('a full local mailbox: held in the queue, delivered once there is room', async () => {
  await hp.store.accounts.create({ address: 'small@example.test', passwordHash: await hashNewPassword('small password 1'), quota: 2000 });
  const big = `From: someone@remote.example\r\nSubject: room\r\n\r\n${'x'.repeat(3000)}\r\n`;
  // Without SIZE (smtplib would declare it, and the RCPT would be refused): the quota bites at DATA.
  const c = await RawSmtp.connect(hp.smtp);
  try {
    await c.reply();
    await c.command('EHLO client.example');
    await c.command('MAIL FROM:<someone@remote.example>');
    assert.equal((await c.command('RCPT TO:<small@example.test>')).code, 250);
    assert.equal((await c.command(`RCPT TO:<${DEV}>`)).code, 250);
    await c.command('DATA');
    assert.equal((await c.command(`${big}.`)).code, 250);
  } finally {
    c.close();
  }
  const held = hp.store.queue.list().find((e) => e.recipients.some((r) => r.address === 'small@example.test'))!;
  assert.equal(held.recipients[0].state, 'deferred');
  await until(() => hp.store.queue.get(held.id)!.recipients[0].attempts >= 2, 'a retry that still finds the mailbox full');
  assert.equal(inboxOf(hp.store, 'small@example.test').length, 0);
  await hp.store.accounts.setQuota('small@example.test', 0);
  await until(() => inboxOf(hp.store, 'small@example.test').length === 1, 'delivery once there is room');
  assert.match(inboxOf(hp.store, 'small@example.test')[0].toString(), /^Return-Path: <someone@remote\.example>\r\nReceived: /);
  await until(() => hp.store.queue.get(held.id) === null, 'the entry to go');
});
