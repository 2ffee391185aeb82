// The CLI with no daemon: commands open the data folder themselves and call the same API
// methods the daemon would, so the answers are the same either way.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseServeOptions } from '../../src/config/options.ts';
import { createControlService } from '../../src/control/server.ts';
import { silentLogger } from '../../src/log/log.ts';
import { startServer } from '../../src/serve/server.ts';
import { Store } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-store.ts';
import { runCli, runJson } from './run-cli.ts';
import { checkPassword } from '../../src/auth/verify.ts';

describe('homepost CLI without a daemon', () => {
  let dir: string;
  let data: string[];
  before(() => {
    dir = tempDir('homepost-cli-');
    data = ['--data', dir];
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('no daemon and no data folder: exit 3 and what to do', async () => {
    const missing = path.join(dir, 'missing');
    for (const args of [['user', 'list'], ['status']]) {
      const r = await runCli([...args, '--data', missing]);
      assert.equal(r.code, 3);
      assert.equal(r.stderr, `homepost: homepost is not running and there is no data folder ${missing} (give --data DIR or set HOMEPOST_DATA)\n`);
    }
    assert.equal(existsSync(missing), false);
  });

  test('provisioning before the first start: domain, account, alias', async () => {
    assert.equal((await runCli(['domain', 'add', 'example.test', ...data])).code, 0);
    const add = await runCli(['user', 'add', 'carol@example.test', ...data], { input: 'carol password 1\n' });
    assert.equal(add.code, 0, add.stderr);
    assert.equal((await runCli(['alias', 'add', 'postmaster@example.test', 'carol@example.test', ...data])).code, 0);
    const users = await runJson<{ address: string }[]>(['user', 'list', ...data]);
    assert.deepEqual(
      users.map((u) => u.address),
      ['carol@example.test'],
    );
    // Created for the owner alone, as the daemon does.
    assert.equal(statSync(path.join(dir, 'store.mdb')).mode & 0o777, 0o600);
    const store = await Store.open(dir);
    try {
      assert.ok(await checkPassword(store.accounts, 'carol@example.test', 'carol password 1'));
      assert.deepEqual(store.aliases.resolve('postmaster@example.test')?.accounts.length, 1);
      assert.deepEqual(store.checkConsistency(), []);
    } finally {
      await store.close();
    }
  });

  test('HOMEPOST_DATA names the data folder', async () => {
    const list = await runJson<{ name: string }[]>(['domain', 'list'], { env: { HOMEPOST_DATA: dir } });
    assert.deepEqual(
      list.map((d) => d.name),
      ['example.test'],
    );
  });

  test('status without a daemon shows the store and exits 3', async () => {
    const r = await runCli(['status', '--json', ...data]);
    assert.equal(r.code, 3);
    const s = JSON.parse(r.stdout);
    assert.equal(s.daemon, null);
    assert.deepEqual([s.store.domains, s.store.accounts, s.store.aliases, s.store.messages], [1, 1, 1, 0]);
    const text = await runCli(['status', ...data]);
    assert.equal(text.code, 3);
    assert.match(text.stdout, /^homepost +\d+\.\d+\.\d+, not running\n/);
  });

  test('cert: none yet, generate, show; a CA-issued one is replaced only with --force', async () => {
    const none = await runCli(['cert', 'show', ...data]);
    assert.equal(none.code, 4);
    assert.match(none.stderr, /no certificate yet/);
    const made = await runJson<{ selfSigned: boolean; keyFile: string; fingerprint256: string }>(['cert', 'generate', ...data]);
    assert.equal(made.selfSigned, true);
    assert.equal(statSync(made.keyFile).mode & 0o777, 0o600);
    const shown = await runJson<{ fingerprint256: string }>(['cert', 'show', ...data]);
    assert.equal(shown.fingerprint256, made.fingerprint256);

    // A certificate from a (test) CA, where the daemon looks for it.
    const tls = path.join(dir, 'tls');
    const ca = tempDir('homepost-ca-');
    const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: ca, stdio: 'ignore' });
    ssl(
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '2',
      '-subj',
      '/CN=Test CA',
    );
    ssl(
      'req',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      path.join(tls, 'key.pem'),
      '-out',
      'leaf.csr',
      '-subj',
      '/CN=mail.example.test',
    );
    ssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', path.join(tls, 'cert.pem'), '-days', '2');
    rmSync(ca, { recursive: true });
    const issued = await runJson<{ selfSigned: boolean; subject: string }>(['cert', 'show', ...data]);
    assert.deepEqual([issued.selfSigned, issued.subject], [false, 'CN=mail.example.test']);
    const refused = await runCli(['cert', 'generate', ...data]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /not self-signed; --force replaces it/);
    const forced = await runJson<{ selfSigned: boolean }>(['cert', 'generate', '--force', ...data]);
    assert.equal(forced.selfSigned, true);
  });

  test('the same answers offline and from the daemon', async () => {
    const queries = [
      ['domain', 'list'],
      ['user', 'list'],
      ['alias', 'list'],
      ['cert', 'show'],
    ];
    const offline = await Promise.all(queries.map((q) => runJson([...q, ...data])));
    const options = parseServeOptions(['--data', dir, '--ephemeral'], {});
    const server = await startServer(options, silentLogger, [createControlService()]);
    try {
      const online = await Promise.all(queries.map((q) => runJson([...q, ...data])));
      assert.deepEqual(online, offline);
      const s = await runCli(['status', '--json', ...data]);
      assert.equal(s.code, 0);
      assert.equal(JSON.parse(s.stdout).daemon.pid, process.pid);
    } finally {
      await server.stop();
    }
  });

  test("run by root on another user's data folder, the command acts as that user", async () => {
    const owned = tempDir('homepost-owned-');
    try {
      const root = process.getuid!() === 0;
      // nobody:nogroup as the daemon's user; without root, the folder stays ours and so do its files.
      if (root) execFileSync('chown', ['65534:65534', owned]);
      const expected = root ? 65534 : process.getuid!();
      const r = await runCli(['cert', 'generate', '--data', owned]);
      assert.equal(r.code, 0, r.stderr);
      for (const f of ['store.mdb', 'store.mdb-lock', 'tls', 'tls/cert.pem', 'tls/key.pem']) {
        assert.equal(statSync(path.join(owned, f)).uid, expected, f);
      }
    } finally {
      rmSync(owned, { recursive: true, force: true });
    }
  });

  test('a data folder given but not yet existing is not created by a read', async () => {
    const sub = path.join(dir, 'later');
    assert.equal((await runCli(['domain', 'list', '--data', sub])).code, 3);
    mkdirSync(sub);
    assert.equal((await runCli(['domain', 'list', '--data', sub])).stdout, 'no domains\n');
  });
});
