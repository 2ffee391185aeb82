// The DSN extension (RFC 3461) end to end: advertised in EHLO, its parameters parsed strictly,
// kept on the queue entry, passed on to a peer that has DSN, and honoured here: "relayed" to a
// peer without it, "delivered" on local delivery, NEVER respected (retry.test.ts). And SRS for
// mail an alias forwards: the foreign sender is rewritten, and a bounce to the SRS address goes
// back to the original sender. Addresses 127.0.0.70-79.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RawSmtp } from '../harness.ts';
import { freePortOn, inboxOf, parseDsnWithPython, startOutbound, startPeer, submit, testSettings, until, type OutboundServer, type Peer } from './harness.ts';
import { hashNewPassword } from '../../../src/auth/password.ts';

const HOSTS = ['127.0.0.70', '127.0.0.71', '127.0.0.72', '127.0.0.73', '127.0.0.74'];
const DEV = 'dev@example.test';
let port: number;
let hp: OutboundServer;
let dsnPeer: Peer; // dsn.example: offers DSN
let plainPeer: Peer; // nodsn.example: does not
let outside: Peer; // outside.example: where the original sender of forwarded mail lives
let holdNext = false;

before(async () => {
  port = await freePortOn([HOSTS[0], HOSTS[1], HOSTS[4]]);
  dsnPeer = await startPeer({
    host: HOSTS[0],
    port,
    tls: 'none',
    onRcpt: (a) => {
      if (a === 'hold@dsn.example' && holdNext) return '451 4.3.0 Later';
      return null;
    },
  });
  plainPeer = await startPeer({ host: HOSTS[1], port, tls: 'none', hide: ['DSN'] });
  outside = await startPeer({ host: HOSTS[4], port, tls: 'none' });
  const mx = (d: string, h: string) => ({ [d]: { MX: [{ exchange: `mx.${d}`, priority: 1 }] }, [`mx.${d}`]: { A: [h] } });
  hp = await startOutbound({
    dns: { ...mx('dsn.example', HOSTS[0]), ...mx('nodsn.example', HOSTS[1]), ...mx('outside.example', HOSTS[4]) },
    // Only 127.0.0.1 relays: 127.0.0.72 and .73 play the internet.
    settings: testSettings(port, { 'outbound.delayNoticeMs': 0, 'outbound.retrySchedule': [60_000] }),
  });
  await hp.store.accounts.create({ address: 'bob@example.test', passwordHash: await hashNewPassword('bob password 1') });
  await hp.store.aliases.set('fwd@example.test', ['friend@dsn.example']);
});

after(async () => {
  await hp.close();
  await Promise.all([dsnPeer, plainPeer, outside].map((p) => p.close()));
});

async function session(from = '127.0.0.1'): Promise<RawSmtp> {
  const c = await RawSmtp.connect(hp.smtp, { localAddress: from });
  await c.reply();
  return c;
}

test('DSN is advertised, and its parameters are parsed strictly (501 5.5.4)', async () => {
  const c = await session();
  try {
    const ehlo = await c.command('EHLO client.example');
    assert.ok(
      ehlo.lines.some((l) => /^250[ -]DSN$/.test(l)),
      ehlo.text,
    );
    const badMail = ['RET=BOGUS', `ENVID=${'x'.repeat(101)}`, 'ENVID=a+zz', 'ENVID=a+2', 'RET=FULL RET=HDRS', 'RET'];
    for (const p of badMail) {
      const r = await c.command(`MAIL FROM:<${DEV}> ${p}`);
      assert.match(r.lines[0], /^501 5\.5\.4 /, p);
    }
    assert.equal((await c.command(`MAIL FROM:<${DEV}> ret=hdrs envid=Q+2B1`)).code, 250, 'keywords and values in any case');
    const badRcpt = [
      'NOTIFY=NEVER,SUCCESS',
      'NOTIFY=SOMETIMES',
      'NOTIFY=SUCCESS,SUCCESS',
      'NOTIFY',
      'ORCPT=rfc822',
      'ORCPT=;x@y',
      'ORCPT=rfc822;',
      'ORCPT=utf-8;j+C3+B6rg@x',
      `ORCPT=rfc822;${'a'.repeat(500)}`,
    ];
    for (const p of badRcpt) {
      const r = await c.command(`RCPT TO:<x@dsn.example> ${p}`);
      assert.match(r.lines[0], /^501 5\.5\.4 /, p);
    }
    assert.equal((await c.command('RCPT TO:<x@dsn.example> notify=success,DELAY ORCPT=rfc822;x+2By@dsn.example')).code, 250);
    assert.equal((await c.command('RSET')).code, 250);
  } finally {
    c.close();
  }
});

test('the parameters are kept on the queue entry per recipient', async () => {
  holdNext = true;
  try {
    const c = await session();
    try {
      await c.command('EHLO client.example');
      await c.command(`MAIL FROM:<${DEV}> RET=FULL ENVID=env+2B1`);
      await c.command('RCPT TO:<hold@dsn.example> NOTIFY=FAILURE ORCPT=rfc822;first@example.org');
      await c.command('RCPT TO:<other@nodsn.example> NOTIFY=NEVER');
      await c.command('DATA');
      assert.equal((await c.command(`From: ${DEV}\r\nSubject: kept\r\n\r\nx\r\n.`)).code, 250);
    } finally {
      c.close();
    }
    await until(() => hp.store.queue.list().some((e) => e.recipients.some((r) => r.address === 'hold@dsn.example' && r.attempts > 0)), 'the first attempt');
    const entry = hp.store.queue.list().find((e) => e.recipients.some((r) => r.address === 'hold@dsn.example'))!;
    assert.equal(entry.envid, 'env+1');
    assert.equal(entry.ret, 'full');
    const hold = entry.recipients.find((r) => r.address === 'hold@dsn.example')!;
    assert.deepEqual([hold.notify, hold.orcpt, hold.state], [['failure'], 'rfc822;first@example.org', 'deferred']);
    assert.deepEqual(entry.recipients.find((r) => r.address === 'other@nodsn.example')!.notify, []);
    await hp.store.queue.remove(entry.id);
  } finally {
    holdNext = false;
  }
});

test('passed on to a peer that has DSN; no notice of ours then', async () => {
  const before = inboxOf(hp.store, DEV).length;
  const c = await session();
  try {
    await c.command('EHLO client.example');
    await c.command(`MAIL FROM:<${DEV}> RET=HDRS ENVID=id+3D7`);
    await c.command('RCPT TO:<a@dsn.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;orig+2Ba@example.org');
    await c.command('RCPT TO:<b@dsn.example>');
    await c.command('DATA');
    assert.equal((await c.command(`From: ${DEV}\r\nSubject: passed on\r\n\r\nx\r\n.`)).code, 250);
  } finally {
    c.close();
  }
  await until(() => dsnPeer.messages.some((m) => m.to.includes('a@dsn.example')), 'delivery');
  assert.ok(
    dsnPeer.commands.some((c) => /^MAIL FROM:<dev@example\.test> .*RET=HDRS ENVID=id\+3D7/.test(c)),
    dsnPeer.commands.join('\n'),
  );
  assert.ok(dsnPeer.commands.includes('RCPT TO:<a@dsn.example> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;orig+2Ba@example.org'));
  assert.ok(dsnPeer.commands.includes('RCPT TO:<b@dsn.example>'), 'no parameters where none were given');
  await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
  assert.equal(inboxOf(hp.store, DEV).length, before, 'the peer reports success, not us');
});

test('NOTIFY=SUCCESS to a peer without DSN: a "relayed" notice (RFC 3461 5.2.2)', async () => {
  await submit({ port: hp.smtp, from: DEV, to: ['c@nodsn.example'], rcpt: ['NOTIFY=SUCCESS'] }, `From: ${DEV}\r\nSubject: relayed notice\r\n\r\nx\r\n`);
  await until(() => inboxOf(hp.store, DEV).some((m) => m.includes('Action: relayed')), 'the relayed notice');
  const dsn = await parseDsnWithPython(inboxOf(hp.store, DEV).find((m) => m.includes('Action: relayed'))!);
  assert.deepEqual(
    dsn.recipients.map((r) => [r['Final-Recipient'], r.Action, r.Status, r['Remote-MTA']]),
    [['rfc822; c@nodsn.example', 'relayed', '2.0.0', 'dns; mx.nodsn.example']],
  );
  assert.ok(!plainPeer.commands.some((c) => c.includes('NOTIFY')), 'no DSN parameters to a peer without DSN');
});

test('NOTIFY=SUCCESS on local delivery: a "delivered" notice', async () => {
  await submit({ port: hp.smtp, from: DEV, to: ['bob@example.test'], rcpt: ['NOTIFY=SUCCESS,FAILURE'] }, `From: ${DEV}\r\nSubject: local success\r\n\r\nx\r\n`);
  const notice = () => inboxOf(hp.store, DEV).find((m) => m.includes('Action: delivered'));
  assert.ok(notice(), 'written before the 250');
  const dsn = await parseDsnWithPython(notice()!);
  assert.equal(dsn.subject, 'Successful Mail Delivery Report');
  assert.deepEqual(
    dsn.recipients.map((r) => [r['Final-Recipient'], r.Action, r.Status]),
    [['rfc822; bob@example.test', 'delivered', '2.0.0']],
  );
});

test('SRS: forwarded mail leaves with a rewritten sender; a bounce to it reaches the original sender', async () => {
  const c = await session('127.0.0.72');
  try {
    await c.command('EHLO outside-client.example');
    assert.equal((await c.command('MAIL FROM:<someone@outside.example>')).code, 250);
    assert.equal((await c.command('RCPT TO:<fwd@example.test>')).code, 250);
    await c.command('DATA');
    assert.equal((await c.command('From: someone@outside.example\r\nSubject: forwarded\r\n\r\nx\r\n.')).code, 250);
  } finally {
    c.close();
  }
  await until(() => dsnPeer.messages.some((m) => m.to.includes('friend@dsn.example')), 'the forwarded copy');
  const fwd = dsnPeer.messages.find((m) => m.to.includes('friend@dsn.example'))!;
  assert.match(fwd.from, /^SRS0=[a-z2-7]{6}=[a-z2-7]{2}=outside\.example=someone@example\.test$/);
  assert.ok(dsnPeer.commands.includes('RCPT TO:<friend@dsn.example> ORCPT=rfc822;fwd@example.test'), 'the alias is the original recipient');

  const bounce = await session('127.0.0.73');
  try {
    await bounce.command('EHLO mx.dsn.example');
    assert.equal((await bounce.command('MAIL FROM:<>')).code, 250);
    const tampered = fwd.from.replace(/^SRS0=(.)/, (_, ch: string) => `SRS0=${ch === 'a' ? 'b' : 'a'}`);
    assert.match((await bounce.command(`RCPT TO:<${tampered}>`)).lines[0], /^550 5\.1\.1 /, 'a forged SRS address is unknown');
    assert.equal((await bounce.command(`RCPT TO:<${fwd.from}>`)).code, 250);
    await bounce.command('DATA');
    assert.equal((await bounce.command('From: MAILER-DAEMON@mx.dsn.example\r\nSubject: Undelivered\r\n\r\nsorry\r\n.')).code, 250);
  } finally {
    bounce.close();
  }
  await until(() => outside.messages.length === 1, 'the bounce at the original sender');
  assert.equal(outside.messages[0].from, '', 'still from the null sender');
  assert.deepEqual(outside.messages[0].to, ['someone@outside.example']);
});
