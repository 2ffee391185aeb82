// `homepost smarthost show|set|off|test` as a person runs them (a separate process, through the
// daemon's control socket), against a real relay: a second homepost whose submission port takes
// mail only after STARTTLS and AUTH, into an account's mailbox. The test message arrives with the
// right password; a wrong one, a closed port and an untrusted certificate each fail with the
// reason in plain words; the password never shows in the commands' output or in the log. Without
// a smarthost the test goes to the MX hosts, found through a DNS server of the test's own.
import assert from 'node:assert/strict';
import net from 'node:net';
import { after, before, test } from 'node:test';
import { connectDaemon } from '../../../src/control/client.ts';
import { createControlService } from '../../../src/control/server.ts';
import { createLogger } from '../../../src/log/log.ts';
import { createSmtpService } from '../../../src/smtpserver/service.ts';
import { runCli, runJson } from '../../cli/run-cli.ts';
import { startTestServer, type TestServer } from '../../support/server.ts';
import { startDnsResponder } from './dns-responder.ts';
import { inboxOf, tableResolver, until } from './harness.ts';

const WRONG = 'not the password 7';
let relay: TestServer; // the provider's server
let ours: TestServer; // the homepost being set up
let account: { address: string; password: string };
let data: string[];
const log: string[] = [];
const outputs: string[] = [];

before(async () => {
  relay = await startTestServer({ starters: [createSmtpService({ resolve: tableResolver({}) })] });
  account = relay.devAccount!;
  ours = await startTestServer({ dev: false, starters: [createControlService()], log: createLogger({ level: 'debug', write: (l) => void log.push(l) }) });
  data = ['--data', ours.dataDir];
});

after(async () => {
  await ours.close();
  await relay.close();
});

async function cli(args: string[], input?: string) {
  const r = await runCli([...args, ...data], { input });
  outputs.push(r.stdout, r.stderr);
  return r;
}

async function json<T>(args: string[], input?: string): Promise<{ code: number; result: T }> {
  const r = await cli([...args, '--json'], input);
  return { code: r.code, result: JSON.parse(r.code === 0 || r.stdout ? r.stdout : r.stderr) as T };
}

interface Report {
  ok: boolean;
  from: string;
  stage: string;
  reply: { code: number; status: string; text: string } | null;
  error: string | null;
  via: string;
}

const setArgs = (extra: string[] = []) => ['smarthost', 'set', '127.0.0.1', '--port', String(relay.ports.submission), '--security', 'starttls', ...extra];

test('show: direct delivery until a relay is set', async () => {
  const r = await cli(['smarthost', 'show']);
  assert.deepEqual([r.code, r.stdout], [0, 'outbound mail: direct delivery to the mail hosts of each domain\n']);
});

test('set with a login: the password from stdin, never shown back', async () => {
  const r = await cli(setArgs(['--user', account.address, '--verify-certificate', 'no']), `${account.password}\n`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    new RegExp(
      `^outbound mail through 127\\.0\\.0\\.1:${relay.ports.submission} \\(starttls, AUTH as dev@example\\.test\\)\\n  login +dev@example\\.test, password set\\n  certificate check +no`,
    ),
  );
  const shown = await runJson<{ relay: Record<string, unknown> }>(['smarthost', 'show', ...data]);
  assert.deepEqual(shown.relay, {
    host: '127.0.0.1',
    port: relay.ports.submission,
    security: 'starttls',
    user: account.address,
    passwordSet: true,
    verifyCertificate: false,
  });
  const config = await cli(['config', 'get', 'outbound.smarthost', '--json']);
  assert.equal((JSON.parse(config.stdout) as { value: { password: string } }).value.password, '(set)');
});

test('set with --user and no password: refused', async () => {
  const r = await cli(setArgs(['--user', account.address]), '');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /no password on standard input/);
});

test('test: the message goes through STARTTLS and AUTH into the mailbox at the other end', async () => {
  const before = inboxOf(relay.context.store, account.address).length;
  const { code, result } = await json<Report>(['smarthost', 'test', account.address]);
  assert.equal(code, 0, JSON.stringify(result));
  assert.equal(result.ok, true);
  assert.equal(result.from, account.address, "the relay's user name is the default sender");
  assert.equal(result.stage, 'transaction');
  assert.equal(result.reply!.code, 250);
  assert.match(result.reply!.status, /^2\.\d\.\d$/);
  await until(() => inboxOf(relay.context.store, account.address).length === before + 1, 'the message in the mailbox');
  const raw = inboxOf(relay.context.store, account.address).at(-1)!.toString();
  assert.match(raw, /^Subject: homepost test message\r$/m);
  assert.match(raw, /^Received: [\s\S]*?\twith ESMTPSA /m, 'submitted over TLS with a login (RFC 3848)');
  const text = await cli(['smarthost', 'test', account.address]);
  assert.equal(text.code, 0);
  assert.match(text.stdout, /^sent: 127\.0\.0\.1:\d+ accepted the test message from dev@example\.test to dev@example\.test\n {2}reply {2}250 2\.\d\.\d /);
});

test('the page leaves the password out: the stored one is kept for the same user', async () => {
  const daemon = (await connectDaemon(ours.dataDir))!;
  try {
    await daemon.call('smarthost.set', {
      host: '127.0.0.1',
      port: relay.ports.submission,
      security: 'starttls',
      user: account.address,
      verifyCertificate: false,
    });
  } finally {
    daemon.close();
  }
  const { code, result } = await json<Report>(['smarthost', 'test', account.address]);
  assert.equal(code, 0, JSON.stringify(result));
});

test('test with a wrong password: the AUTH refusal, and exit 1', async () => {
  assert.equal((await cli(setArgs(['--user', account.address, '--verify-certificate', 'no']), `${WRONG}\n`)).code, 0);
  const { code, result } = await json<Report>(['smarthost', 'test', account.address]);
  assert.equal(code, 1);
  assert.deepEqual([result.ok, result.stage, result.reply?.code, result.reply?.status[0]], [false, 'auth', 535, '5']);
  assert.match(result.error!, /^127\.0\.0\.1:\d+ refused the login: 535 5\.7\.\d /);
  const text = await cli(['smarthost', 'test', account.address]);
  assert.match(text.stdout, /^failed \(auth\): 127\.0\.0\.1:\d+ refused the login: 535 /);
});

test('test with a certificate that does not verify: a TLS error, the password not sent', async () => {
  assert.equal((await cli(setArgs(['--user', account.address]), `${account.password}\n`)).code, 0);
  const { code, result } = await json<Report>(['smarthost', 'test', account.address]);
  assert.equal(code, 1);
  assert.deepEqual([result.stage, result.reply], ['tls', null]);
  assert.match(result.error!, /^the TLS certificate of 127\.0\.0\.1:\d+ is not trusted: /);
});

test('test against a closed port: connection refused', async () => {
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', () => r()));
  const port = (closed.address() as net.AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  assert.equal(
    (await cli(['smarthost', 'set', '127.0.0.1', '--port', String(port), '--user', account.address, '--verify-certificate', 'no'], `${account.password}\n`))
      .code,
    0,
  );
  const { code, result } = await json<Report>(['smarthost', 'test', account.address]);
  assert.equal(code, 1);
  assert.deepEqual([result.stage, result.reply], ['connect', null]);
  assert.equal(result.error, `connection refused by 127.0.0.1:${port}: nothing accepts connections on that port`);
});

test('test against a server that never greets: a timeout', async () => {
  const silent = net.createServer((s) => s.resume());
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  try {
    await ours.context.store.settings.set('outbound.timeoutMs', 1000);
    const port = (silent.address() as net.AddressInfo).port;
    assert.equal((await cli(['smarthost', 'set', '127.0.0.1', '--port', String(port)])).code, 0);
    const { code, result } = await json<Report>(['smarthost', 'test', account.address]);
    assert.equal(code, 1);
    assert.deepEqual([result.stage, result.reply], ['connect', null]);
    assert.equal(result.error, `127.0.0.1:${port} accepted the connection but sent no reply within 1 s`);
  } finally {
    await ours.context.store.settings.set('outbound.timeoutMs', undefined);
    await new Promise<void>((r) => silent.close(() => r()));
  }
});

test('bad input: a relay the registry refuses, an address that is not one, a local recipient', async () => {
  const bad = await cli(['smarthost', 'set', 'not a host']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /outbound\.smarthost must be .*not a host name or address: not a host/);
  const noAuth = await cli(['smarthost', 'set', '127.0.0.1', '--security', 'none', '--user', 'x'], 'some password\n');
  assert.match(noAuth.stderr, /AUTH needs security tls or starttls/);
  assert.equal((await cli(['smarthost', 'test', 'nobody'])).code, 2);
  await ours.context.store.domains.add('local.example');
  const local = await cli(['smarthost', 'test', 'me@local.example']);
  assert.equal(local.code, 1);
  assert.match(local.stderr, /me@local\.example is at a domain of this server/);
});

test('off: direct delivery again', async () => {
  const r = await cli(['smarthost', 'off']);
  assert.deepEqual([r.code, r.stdout], [0, 'outbound mail: direct delivery to the mail hosts of each domain\n']);
  assert.equal(ours.context.store.settings.get('outbound.smarthost', undefined), undefined);
});

test('without a smarthost: directly to the MX hosts, DKIM-signed when the sender is ours', async () => {
  const dns = await startDnsResponder({ 'example.test': { MX: [{ exchange: 'mx.example.test', priority: 10 }] }, 'mx.example.test': { A: ['127.0.0.1'] } });
  try {
    await ours.context.store.settings.set('dns.servers', [dns.server]);
    await ours.context.store.settings.set('outbound.port', relay.ports.smtp);
    const before = inboxOf(relay.context.store, account.address).length;
    const { code, result } = await json<Report & { host: string }>(['smarthost', 'test', account.address, '--from', 'me@local.example']);
    assert.equal(code, 0, JSON.stringify(result));
    assert.deepEqual([result.via, result.host, result.reply!.code], ['the mail hosts of example.test', `mx.example.test [127.0.0.1]:${relay.ports.smtp}`, 250]);
    await until(() => inboxOf(relay.context.store, account.address).length === before + 1, 'the message in the mailbox');
    const raw = inboxOf(relay.context.store, account.address).at(-1)!.toString();
    assert.match(raw, /^DKIM-Signature: .*d=local\.example/m);
    assert.match(raw, /^From: me@local\.example\r$/m);
    const gone = await json<Report>(['smarthost', 'test', 'someone@nowhere.example']);
    assert.equal(gone.code, 1);
    assert.deepEqual([gone.result.stage, gone.result.error], ['route', 'Domain nowhere.example does not exist']);
  } finally {
    await dns.close();
  }
});

test('the password never appears in any output or log line', () => {
  assert.ok(log.length > 0 && outputs.length > 0);
  for (const secret of [account.password, WRONG]) {
    for (const text of [...outputs, ...log]) assert.ok(!text.includes(secret), `password in: ${text}`);
  }
  assert.ok(
    log.some((l) => l.includes('"smarthost.test"')),
    'the tests are logged',
  );
});
