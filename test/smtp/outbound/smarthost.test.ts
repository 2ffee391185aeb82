// Smarthost mode (ISPs that block port 25): all mail through a relay that requires AUTH, over
// STARTTLS or implicit TLS; per-destination-domain routes (direct MX for one domain, another
// relay for another); a wrong password or an unverifiable certificate defers the mail instead of
// bouncing it, and the password is never sent over a connection that is not encrypted and
// verified as configured. Addresses 127.0.0.50-59.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { freePortOn, startOutbound, startPeer, submit, testSettings, until, type OutboundServer, type Peer } from './harness.ts';

const HOSTS = ['127.0.0.50', '127.0.0.51', '127.0.0.52', '127.0.0.53'];
const DEV = 'dev@example.test';
const AUTH = { user: 'relay-user', pass: 'relay secret 1' };
let mxPort: number;
let hp: OutboundServer;
let starttlsRelay: Peer;
let tlsRelay: Peer;
let directMx: Peer;
let otherRelay: Peer;

before(async () => {
  mxPort = await freePortOn([HOSTS[2]]);
  starttlsRelay = await startPeer({ host: HOSTS[0], port: 0, tls: 'starttls', auth: AUTH });
  tlsRelay = await startPeer({ host: HOSTS[1], port: 0, tls: 'implicit', auth: AUTH });
  directMx = await startPeer({ host: HOSTS[2], port: mxPort, tls: 'none' });
  otherRelay = await startPeer({ host: HOSTS[3], port: 0, tls: 'none' });
  hp = await startOutbound({
    // Only direct.example has DNS: everything else must go through a relay.
    dns: { 'direct.example': { MX: [{ exchange: 'mx.direct.example', priority: 5 }] }, 'mx.direct.example': { A: [HOSTS[2]] } },
    settings: testSettings(mxPort, {
      'outbound.smarthost': { host: HOSTS[0], port: starttlsRelay.port, security: 'starttls', user: AUTH.user, password: AUTH.pass, verifyCertificate: false },
      'outbound.routes': { 'direct.example': 'direct', 'other.example': { host: HOSTS[3], port: otherRelay.port, security: 'none' } },
    }),
  });
});

after(async () => {
  await hp.close();
  await Promise.all([starttlsRelay, tlsRelay, directMx, otherRelay].map((p) => p.close()));
});

const mail = (s: string) => `From: ${DEV}\r\nSubject: ${s}\r\n\r\n${s}\r\n`;

test('through the smarthost with AUTH over STARTTLS', async () => {
  await submit({ port: hp.smtp, from: DEV, to: ['a@anywhere.example', 'b@elsewhere.example'] }, mail('starttls relay'));
  await until(() => starttlsRelay.messages.length === 1, 'the relay to get it');
  const m = starttlsRelay.messages[0];
  assert.equal(m.secure, true);
  assert.equal(m.user, AUTH.user);
  assert.deepEqual(m.to, ['a@anywhere.example', 'b@elsewhere.example'], 'one transaction for every domain the relay takes');
  await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
});

test('per-domain routes: direct MX for one domain, another relay for another, the smarthost for the rest', async () => {
  const before = starttlsRelay.messages.length;
  await submit({ port: hp.smtp, from: DEV, to: ['x@direct.example', 'y@sub.other.example', 'z@third.example'] }, mail('routes'));
  await until(() => directMx.messages.length === 1 && otherRelay.messages.length === 1 && starttlsRelay.messages.length === before + 1, 'three deliveries');
  assert.deepEqual(directMx.messages[0].to, ['x@direct.example']);
  assert.deepEqual(otherRelay.messages[0].to, ['y@sub.other.example'], 'a route covers subdomains');
  assert.deepEqual(starttlsRelay.messages.at(-1)!.to, ['z@third.example']);
});

test('through a smarthost with AUTH over implicit TLS (RFC 8314)', async () => {
  await hp.store.settings.set('outbound.smarthost', {
    host: HOSTS[1],
    port: tlsRelay.port,
    security: 'tls',
    user: AUTH.user,
    password: AUTH.pass,
    verifyCertificate: false,
  });
  await submit({ port: hp.smtp, from: DEV, to: ['c@anywhere.example'] }, mail('implicit tls relay'));
  await until(() => tlsRelay.messages.length === 1, 'the relay to get it');
  assert.equal(tlsRelay.messages[0].secure, true);
  assert.equal(tlsRelay.messages[0].user, AUTH.user);
});

test('a wrong password defers (the mail waits for the fix), it does not bounce', async () => {
  await hp.store.settings.set('outbound.smarthost', {
    host: HOSTS[1],
    port: tlsRelay.port,
    security: 'tls',
    user: AUTH.user,
    password: 'wrong password',
    verifyCertificate: false,
  });
  await submit({ port: hp.smtp, from: DEV, to: ['d@anywhere.example'] }, mail('wrong password'));
  await until(() => hp.store.queue.list().some((e) => e.recipients[0].attempts >= 1), 'an attempt');
  const [entry] = hp.store.queue.list();
  assert.equal(entry.recipients[0].state, 'deferred');
  assert.match(entry.recipients[0].lastResult!, /^535 5\.7\.8 /);
  await hp.store.settings.set('outbound.smarthost', {
    host: HOSTS[1],
    port: tlsRelay.port,
    security: 'tls',
    user: AUTH.user,
    password: AUTH.pass,
    verifyCertificate: false,
  });
  await until(() => tlsRelay.messages.some((m) => m.to.includes('d@anywhere.example')), 'delivery once the password is right');
  await until(() => hp.store.queue.list().length === 0, 'the queue to empty');
});

test('a certificate that does not verify: deferred, and the password never sent', async () => {
  const failures = tlsRelay.authFailures + starttlsRelay.authFailures;
  const commands = starttlsRelay.commands.length;
  await hp.store.settings.set('outbound.smarthost', { host: HOSTS[0], port: starttlsRelay.port, security: 'starttls', user: AUTH.user, password: AUTH.pass });
  await submit({ port: hp.smtp, from: DEV, to: ['e@anywhere.example'] }, mail('unverified'));
  await until(() => hp.store.queue.list().some((e) => e.recipients[0].attempts >= 1), 'an attempt');
  const [entry] = hp.store.queue.list();
  assert.equal(entry.recipients[0].state, 'deferred');
  assert.match(entry.recipients[0].lastResult!, /^451 4\.4\.1 .*certificate/i);
  assert.ok(!starttlsRelay.commands.slice(commands).some((c) => c.startsWith('AUTH')), 'no AUTH');
  assert.equal(tlsRelay.authFailures + starttlsRelay.authFailures, failures);
  await hp.store.queue.remove(entry.id);
});
