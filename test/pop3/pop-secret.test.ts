// `homepost user pop-secret ADDRESS [--stdin] [--off]` as a person runs it (a separate process,
// through the daemon's control socket), checked with real APOP logins (RFC 1939 7) by Python's
// poplib: a generated secret works, one given on stdin works, --off refuses APOP while USER/PASS
// still logs in.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createControlService } from '../../src/control/server.ts';
import { createPop3Service } from '../../src/pop3/index.ts';
import { runCli } from '../cli/run-cli.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { PASSWORD, python, USER } from './helpers.ts';
import { hashNewPassword } from '../../src/auth/password.ts';

let server: TestServer;
let data: string[];

before(async () => {
  server = await startTestServer({ starters: [createPop3Service(), createControlService()] });
  const { store } = server.context;
  if (!store.domains.isLocal('example.test')) await store.domains.add('example.test');
  const account = await store.accounts.create({ address: USER, passwordHash: await hashNewPassword(PASSWORD) });
  await store.messages.deliver({ raw: Buffer.from('Subject: apop\r\n\r\nhi\r\n'), targets: [{ accountId: account.id }] });
  data = ['--data', server.dataDir];
});

after(() => server.close());

// One login, APOP or USER/PASS; the server's reply to it (and STAT's count when it worked).
const LOGIN = `
import poplib, sys, json
port, how, user, secret = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
p = poplib.POP3('127.0.0.1', port, timeout=20)
try:
    if how == 'apop':
        reply = p.apop(user, secret).decode()
    else:
        p.user(user)
        reply = p.pass_(secret).decode()
    print(json.dumps([reply, p.stat()[0]]))
    p.quit()
except poplib.error_proto as e:
    print(json.dumps([e.args[0].decode()]))
`;
const login = (how: 'apop' | 'pass', secret: string) => python<[string, number?]>(LOGIN, [server.ports.pop3, how, USER, secret]);
const OK = [`+OK ${USER} has 1 message`, 1];
const REFUSED = ['-ERR [AUTH] authentication failed'];

test('a generated secret: shown once, and APOP logs in with it', async () => {
  assert.deepEqual(await login('apop', PASSWORD), REFUSED, 'no APOP before a secret is set, not with the login password');
  const r = await runCli(['user', 'pop-secret', USER, '--json', ...data]);
  assert.equal(r.code, 0, r.stderr);
  const result = JSON.parse(r.stdout) as { address: string; apop: boolean; secret: string };
  assert.equal(result.address, USER);
  assert.equal(result.apop, true);
  assert.match(result.secret, /^[a-km-np-z2-9]{4}(?:-[a-km-np-z2-9]{4}){4}$/);
  assert.deepEqual(await login('apop', result.secret), OK);
  assert.deepEqual(await login('apop', PASSWORD), REFUSED);
  const again = await runCli(['user', 'pop-secret', USER, ...data]);
  const secret = /^APOP secret of user@example\.test: (\S+)\nIt is shown this once/.exec(again.stdout)?.[1];
  assert.ok(secret && secret !== result.secret, 'a new secret each time');
  assert.deepEqual(await login('apop', result.secret), REFUSED, 'the old one no longer works');
  assert.deepEqual(await login('apop', secret), OK);
});

test('a secret of your own from standard input', async () => {
  const r = await runCli(['user', 'pop-secret', USER, '--stdin', ...data], { input: 'my own pop secret\n' });
  assert.deepEqual([r.code, r.stdout], [0, `APOP secret of ${USER} set\n`]);
  assert.deepEqual(await login('apop', 'my own pop secret'), OK);
  const short = await runCli(['user', 'pop-secret', USER, '--stdin', ...data], { input: 'short\n' });
  assert.equal(short.code, 1);
  assert.match(short.stderr, /8 to 1024 characters/);
});

test('--off: APOP refused, USER/PASS still logs in', async () => {
  const r = await runCli(['user', 'pop-secret', USER, '--off', ...data]);
  assert.deepEqual([r.code, r.stdout], [0, `APOP turned off for ${USER}\n`]);
  assert.deepEqual(await login('apop', 'my own pop secret'), REFUSED);
  assert.deepEqual(await login('pass', PASSWORD), OK);
  assert.equal(server.context.store.accounts.get(USER)!.hasPopSecret, false);
});

test('bad input: no such account, --off with a secret', async () => {
  const missing = await runCli(['user', 'pop-secret', 'nobody@example.test', ...data]);
  assert.equal(missing.code, 4);
  const both = await runCli(['user', 'pop-secret', USER, '--off', '--stdin', ...data], { input: 'my own pop secret\n' });
  assert.equal(both.code, 2);
  assert.match(both.stderr, /off removes the secret/);
});
