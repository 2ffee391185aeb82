// Limits: connections in total and per client address (trusted networks exempt from the latter),
// the idle timeout, the count of error replies before disconnect, and authentication failures
// through the shared AuthThrottle (delays, then 454 4.7.0 for a locked account and 421 4.7.0 for
// a locked address). The server answers each properly and keeps serving.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { AuthThrottle } from '../../src/auth/throttle.ts';
import { plainAuth, RawSmtp, startSmtpServer, type SmtpTestServer } from './harness.ts';
import { hashNewPassword } from '../../src/auth/password.ts';

let server: SmtpTestServer;

before(async () => {
  // Nothing trusted, so loopback clients are counted per address.
  server = await startSmtpServer({ settings: { 'smtp.trustedNetworks': ['192.0.2.0/24'] } });
});

after(async () => {
  await server.close();
});

async function open(localAddress: string, port = server.smtp): Promise<RawSmtp> {
  return RawSmtp.connect(port, { localAddress });
}

test('connections per client address and in total get 421 4.7.0', async () => {
  const settings = server.context.store.settings;
  await settings.set('smtp.maxConnectionsPerAddress', 2);
  await settings.set('smtp.maxConnections', 3);
  const held: RawSmtp[] = [];
  try {
    for (let i = 0; i < 2; i++) {
      const c = await open('127.0.0.11');
      assert.equal((await c.reply()).code, 220);
      held.push(c);
    }
    const third = await open('127.0.0.11');
    const refused = await third.reply();
    assert.match(refused.lines[0], /^421 4\.7\.0 Too many connections from your address/);
    third.close();
    const other = await open('127.0.0.12');
    assert.equal((await other.reply()).code, 220, 'another address still gets in');
    held.push(other);
    const overTotal = await open('127.0.0.13');
    assert.match((await overTotal.reply()).lines[0], /^421 4\.7\.0 Too many connections/);
    overTotal.close();
    held.pop()!.close();
    await new Promise((r) => setTimeout(r, 100));
    const again = await open('127.0.0.13');
    assert.equal((await again.reply()).code, 220, 'a slot freed by a closed connection is reused');
    again.close();
  } finally {
    for (const c of held) c.close();
    await settings.set('smtp.maxConnectionsPerAddress', undefined);
    await settings.set('smtp.maxConnections', undefined);
  }
});

test('trusted networks are exempt from the per-address limit', async () => {
  const settings = server.context.store.settings;
  await settings.set('smtp.maxConnectionsPerAddress', 1);
  await settings.set('smtp.trustedNetworks', ['127.0.0.14/32']);
  const held: RawSmtp[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      const c = await open('127.0.0.14');
      assert.equal((await c.reply()).code, 220);
      held.push(c);
    }
  } finally {
    for (const c of held) c.close();
    await settings.set('smtp.maxConnectionsPerAddress', undefined);
    await settings.set('smtp.trustedNetworks', ['192.0.2.0/24']);
  }
});

test('an idle client is disconnected with 421', async () => {
  await server.context.store.settings.set('smtp.idleTimeoutMs', 300);
  try {
    const c = await open('127.0.0.15');
    await c.reply();
    const r = await c.reply(5000);
    assert.match(r.lines[0], /^421 4\.4\.2 /);
    await new Promise((res) => setTimeout(res, 200));
    assert.ok(c.closed);
  } finally {
    await server.context.store.settings.set('smtp.idleTimeoutMs', undefined);
  }
});

test('after smtp.maxErrors error replies the session ends with 421 4.7.0', async () => {
  await server.context.store.settings.set('smtp.maxErrors', 3);
  try {
    const c = await open('127.0.0.16');
    await c.reply();
    await c.command('EHLO client.example');
    assert.match((await c.command('MAIL FROM:<bad address>')).lines[0], /^501 5\.1\.7 /);
    assert.match((await c.command('RCPT TO:<x@example.test>')).lines[0], /^503 5\.5\.1 /);
    const third = await c.command('XYZZY');
    assert.match(third.lines[0], /^500 5\.5\.2 /);
    assert.match((await c.reply()).lines[0], /^421 4\.7\.0 Too many errors/);
    await new Promise((res) => setTimeout(res, 200));
    assert.ok(c.closed);
    const next = await open('127.0.0.16');
    assert.equal((await next.reply()).code, 220, 'the server keeps serving');
    next.close();
  } finally {
    await server.context.store.settings.set('smtp.maxErrors', undefined);
  }
});

test('garbage input: overlong lines, NUL bytes and HTTP get protocol errors', async () => {
  const c = await open('127.0.0.17');
  await c.reply();
  await c.command('EHLO client.example');
  assert.match((await c.command('MAIL FROM:<a\u0000b@remote.example>')).lines[0], /^501 /);
  assert.match((await c.command(`RCPT TO:<${'a'.repeat(300)}@example.test>`)).lines[0], /^50[13] /);
  c.close();
  const http = await open('127.0.0.17');
  await http.reply();
  assert.match((await http.command('GET / HTTP/1.1')).lines[0], /^421 /);
  http.close();
  const long = await open('127.0.0.17');
  await long.reply();
  long.write(`NOOP ${'x'.repeat(40_000)}\r\n`);
  assert.match((await long.reply()).lines[0], /^421 /);
  long.close();
});

test('authentication failures: delays, then 454 4.7.0 for the account, 421 4.7.0 for the address', async () => {
  // A fast throttle for the test; the login path reads it at each AUTH.
  server.context.logins.throttle = new AuthThrottle({
    softLimit: 1,
    baseDelayMs: 60,
    maxDelayMs: 60,
    lockLimitAccount: 3,
    lockLimitAddress: 5,
    lockMs: 60_000,
  });
  const attempt = async (c: RawSmtp, user: string, password: string) => {
    const started = Date.now();
    const r = await c.command(`AUTH PLAIN ${plainAuth(user, password)}`);
    return { r, ms: Date.now() - started };
  };
  const c = await open('127.0.0.18', server.submission);
  await c.reply();
  await c.command('EHLO client.example'); // development mode: loopback may authenticate in plaintext
  const first = await attempt(c, 'dev@example.test', 'wrong 1');
  assert.match(first.r.lines[0], /^535 5\.7\.8 /);
  const second = await attempt(c, 'dev@example.test', 'wrong 2');
  assert.match(second.r.lines[0], /^535 5\.7\.8 /);
  assert.ok(second.ms >= 50, `the second failure waited (${second.ms} ms)`);
  await attempt(c, 'dev@example.test', 'wrong 3');
  const locked = await attempt(c, 'dev@example.test', server.password);
  assert.match(locked.r.lines[0], /^454 4\.7\.0 /, 'the account is locked, even with the right password');
  // Other accounts from this address still get answers, until the address itself is locked.
  await server.context.store.accounts.create({ address: 'carol@example.test', passwordHash: await hashNewPassword('carol password 1') });
  assert.match((await attempt(c, 'carol@example.test', 'wrong')).r.lines[0], /^535 /);
  assert.match((await attempt(c, 'carol@example.test', 'wrong')).r.lines[0], /^535 /);
  const addressLocked = await attempt(c, 'carol@example.test', 'carol password 1');
  assert.match(addressLocked.r.lines[0], /^421 4\.7\.0 /);
  await new Promise((res) => setTimeout(res, 200));
  assert.ok(c.closed, '421 closes the connection');
  // A different address authenticates carol fine.
  const d = await open('127.0.0.19', server.submission);
  await d.reply();
  await d.command('EHLO client.example');
  assert.match((await attempt(d, 'carol@example.test', 'carol password 1')).r.lines[0], /^235 2\.7\.0 /);
  d.close();
});
