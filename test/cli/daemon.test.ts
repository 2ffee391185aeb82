// The CLI against a running daemon: every command goes through the control socket, and the
// daemon's own store and certificate manager show the effect at once.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { createControlService } from '../../src/control/server.ts';
import { socketPath } from '../../src/control/protocol.ts';
import { SMTP_SETTING_KEYS } from '../../src/smtp/settings.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { runCli, runJson } from './run-cli.ts';
import { checkPassword } from '../../src/auth/verify.ts';

describe('homepost CLI with a running daemon', () => {
  let server: TestServer;
  let data: string[];
  before(async () => {
    server = await startTestServer({ starters: [createControlService()] });
    data = ['--data', server.dataDir];
  });
  after(() => server.close());

  test('the control socket is a socket only its owner may use (0600)', () => {
    const st = statSync(socketPath(server.dataDir));
    assert.ok(st.isSocket());
    assert.equal(st.mode & 0o777, 0o600);
  });

  test('user add reads the password from stdin; the daemon stored it', async () => {
    const r = await runCli(['user', 'add', 'alice@example.test', ...data], { input: 'correct horse 7\n' });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'created alice@example.test\n');
    const ok = await checkPassword(server.context.store.accounts, 'alice@example.test', 'correct horse 7');
    assert.equal(ok?.address, 'alice@example.test');
  });

  test('user passwd changes it; the old one stops working', async () => {
    const r = await runCli(['user', 'passwd', 'alice@example.test', ...data], { input: 'battery staple 8\r\n' });
    assert.equal(r.code, 0, r.stderr);
    const { accounts } = server.context.store;
    assert.equal(await checkPassword(accounts, 'alice@example.test', 'correct horse 7'), null);
    assert.ok(await checkPassword(accounts, 'alice@example.test', 'battery staple 8'));
  });

  test('user add --quota and user list --json', async () => {
    const r = await runCli(['user', 'add', 'bob@example.test', '--quota', '10M', ...data], { input: 'bob password 1' });
    assert.equal(r.code, 0, r.stderr);
    const list = await runJson<{ address: string; quota: number }[]>(['user', 'list', ...data]);
    assert.deepEqual(
      list.map((a) => [a.address, a.quota]),
      [
        ['alice@example.test', 0],
        ['bob@example.test', 10 * 1024 * 1024],
        ['dev@example.test', 0],
      ],
    );
    const text = await runCli(['user', 'list', ...data]);
    assert.match(text.stdout, /^ADDRESS +USED +QUOTA +STATE +CREATED\n/);
    assert.match(text.stdout, /\nbob@example\.test +0 B +10 MiB +active /);
  });

  test('refusals are one line with a meaningful exit code', async () => {
    const exists = await runCli(['user', 'add', 'bob@example.test', ...data], { input: 'another pass 1\n' });
    assert.deepEqual([exists.code, exists.stderr], [5, 'homepost: bob@example.test exists\n']);
    const noDomain = await runCli(['user', 'add', 'x@nowhere.test', ...data], { input: 'another pass 1\n' });
    assert.deepEqual([noDomain.code, noDomain.stderr], [4, 'homepost: no domain nowhere.test\n']);
    const short = await runCli(['user', 'add', 'y@example.test', ...data], { input: 'short\n' });
    assert.deepEqual([short.code, short.stderr], [1, 'homepost: a password has 8 to 1024 characters\n']);
    const json = await runCli(['user', 'add', 'bob@example.test', '--json', ...data], { input: 'another pass 1\n' });
    assert.equal(json.code, 5);
    assert.deepEqual(JSON.parse(json.stderr), { error: { code: 'exists', message: 'bob@example.test exists' } });
    assert.equal(json.stdout, '');
  });

  test('passwords never come from argv, and an empty stdin is a usage error', async () => {
    const argv = await runCli(['user', 'add', 'z@example.test', '--password', 'hunter2hunter2', ...data]);
    assert.equal(argv.code, 2);
    assert.match(argv.stderr, /never taken from the command line/);
    const empty = await runCli(['user', 'add', 'z@example.test', ...data], { input: '' });
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /no password on standard input/);
    assert.equal(server.context.store.accounts.get('z@example.test'), null);
  });

  test('user del asks for --yes without a terminal, then deletes', async () => {
    const ask = await runCli(['user', 'del', 'bob@example.test', ...data]);
    assert.equal(ask.code, 2);
    assert.match(ask.stderr, /add --yes/);
    assert.ok(server.context.store.accounts.get('bob@example.test'));
    const del = await runCli(['user', 'del', 'bob@example.test', '--yes', ...data]);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(server.context.store.accounts.get('bob@example.test'), null);
    const again = await runCli(['user', 'del', 'bob@example.test', '--yes', ...data]);
    assert.equal(again.code, 4);
  });

  test('domain add, list, del', async () => {
    assert.equal((await runCli(['domain', 'add', 'Example.ORG', ...data])).stdout, 'added example.org\n');
    assert.ok(server.context.store.domains.isLocal('example.org'));
    const list = await runJson<{ name: string; accounts: number }[]>(['domain', 'list', ...data]);
    assert.deepEqual(
      list.map((d) => [d.name, d.accounts]),
      [
        ['example.org', 0],
        ['example.test', 2],
      ],
    );
    const inUse = await runCli(['domain', 'del', 'example.test', ...data]);
    assert.equal(inUse.code, 1);
    assert.match(inUse.stderr, /still has accounts or aliases/);
    assert.equal((await runCli(['domain', 'del', 'example.org', ...data])).code, 0);
    assert.equal(server.context.store.domains.isLocal('example.org'), false);
    assert.equal((await runCli(['domain', 'add', 'not a domain', ...data])).code, 1);
  });

  test('alias add, set, del, list; add refuses an existing alias', async () => {
    const add = await runCli(['alias', 'add', 'sales@example.test', 'alice@example.test', 'dev@example.test', ...data]);
    assert.deepEqual([add.code, add.stdout], [0, 'sales@example.test -> alice@example.test, dev@example.test\n']);
    assert.deepEqual(server.context.store.aliases.resolve('sales@example.test')?.accounts.length, 2);
    assert.equal((await runCli(['alias', 'add', 'Sales@example.test', 'x@example.org', ...data])).code, 5);
    assert.equal((await runCli(['alias', 'set', 'sales@example.test', 'friend@example.org', ...data])).code, 0);
    assert.deepEqual(server.context.store.aliases.resolve('sales@example.test'), { accounts: [], external: ['friend@example.org'] });
    assert.equal((await runCli(['alias', 'add', '@example.test', 'alice@example.test', ...data])).code, 0);
    const list = await runJson<{ address: string }[]>(['alias', 'list', ...data]);
    assert.deepEqual(
      list.map((a) => a.address),
      ['@example.test', 'sales@example.test'],
    );
    assert.equal((await runCli(['alias', 'del', 'sales@example.test', ...data])).code, 0);
    assert.equal((await runCli(['alias', 'del', 'sales@example.test', ...data])).code, 4);
    assert.equal((await runCli(['alias', 'add', 'nobody@example.test', ...data])).code, 2);
  });

  test('relay show and set: the SMTP settings the next session reads', async () => {
    const shown = await runJson<{ trustedNetworks: string[]; trustedNetworksSet: boolean; relayRules: string[] }>(['relay', 'show', ...data]);
    // Development daemon: loopback by default.
    assert.deepEqual(shown, { trustedNetworks: ['127.0.0.0/8', '::1/128'], trustedNetworksSet: false, relayRules: shown.relayRules });
    assert.ok(shown.relayRules.includes('authenticated'));
    const set = await runCli(['relay', 'set', '--trusted-networks', '192.0.2.0/24,2001:db8::/32', ...data]);
    assert.equal(set.code, 0, set.stderr);
    assert.deepEqual(server.context.store.settings.get(SMTP_SETTING_KEYS.trustedNetworks, null), ['192.0.2.0/24', '2001:db8::/32']);
    const bad = await runCli(['relay', 'set', '--trusted-networks', '192.0.2.0/33', ...data]);
    assert.deepEqual([bad.code, bad.stderr.startsWith('homepost: not a network: 192.0.2.0/33')], [1, true]);
    const none = await runJson<{ trustedNetworks: string[] }>(['relay', 'set', '--trusted-networks', '', ...data]);
    assert.deepEqual(none.trustedNetworks, []);
    assert.equal((await runCli(['relay', 'set', ...data])).code, 2);
  });

  test('cert show, and cert generate reloads the daemon’s certificate', async () => {
    const before = server.context.tls.info();
    const shown = await runJson<{ fingerprint256: string; selfSigned: boolean }>(['cert', 'show', ...data]);
    assert.deepEqual([shown.fingerprint256, shown.selfSigned], [before.fingerprint256, true]);
    const made = await runJson<{ fingerprint256: string }>(['cert', 'generate', ...data]);
    assert.notEqual(made.fingerprint256, before.fingerprint256);
    assert.equal(server.context.tls.info().fingerprint256, made.fingerprint256);
  });

  test('status: the daemon, its listeners, the store', async () => {
    const r = await runCli(['status', '--json', ...data]);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout);
    assert.equal(s.daemon.pid, process.pid);
    assert.deepEqual(s.daemon.listeners, [{ name: 'control', host: socketPath(server.dataDir), port: 0 }]);
    assert.equal(s.store.domains, 1);
    assert.equal(s.store.accounts, 2);
    assert.ok(s.store.bytes > 0);
    const text = await runCli(['status', ...data]);
    assert.match(text.stdout, /^homepost +0\.\d+\.\d+, running \(pid \d+, development\), up /);
  });

  test('help and usage', async () => {
    const [top, none, unknown, group, groupHelp, unknownSub, cmd, status, version] = await Promise.all(
      [['--help'], [], ['frobnicate'], ['user'], ['user', '--help'], ['user', 'rename'], ['user', 'add', '--help'], ['status', '--help'], ['--version']].map(
        (a) => runCli(a),
      ),
    );
    assert.equal(top.code, 0);
    for (const word of ['serve', 'user', 'alias', 'domain', 'relay', 'cert', 'status']) assert.match(top.stdout, new RegExp(`\\n  ${word} `));
    assert.deepEqual([none.code, unknown.code, group.code, groupHelp.code, unknownSub.code], [2, 2, 2, 0, 2]);
    assert.match(group.stderr, /usage: homepost user <command>/);
    assert.equal(cmd.code, 0);
    assert.match(cmd.stdout, /^usage: homepost user add ADDRESS \[--quota SIZE\] \[--data DIR\] \[--json\]/);
    assert.match(cmd.stdout, /first line of standard input/);
    assert.equal(status.code, 0);
    assert.match(version.stdout, /^homepost \d+\.\d+\.\d+ \(node v24\./);
  });
});
