// The single executables, built by `make binary` (tools/build-binary.ts), run as shipped:
// - x64, end to end: serve, add an account with its own CLI (password on stdin), receive a message
//   over SMTP (python3 smtplib), read it back over IMAP (python3 imaplib), load the setup page from
//   the executable's assets (curl), stop with SIGTERM; then the checkout's store code reads what
//   the executable wrote (same lmdb dictionary).
// - arm64, under qemu-aarch64-static with Debian's arm64 libc/libstdc++ in a private sysroot
//   (no binfmt_misc): --version and a store round trip through the CLI.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Store } from '../../src/store/index.ts';
import { VERSION } from '../../src/version.ts';
import { tempDir } from '../support/temp-store.ts';
import { ROOT, runCli, runJson } from '../cli/run-cli.ts';
import { startServeChild } from '../support/serve-child.ts';

const X64 = path.join(ROOT, 'dist/homepost-linux-x64');
const ARM64 = path.join(ROOT, 'dist/homepost-linux-arm64');
const SYSROOT = path.join(ROOT, '.cache/arm64-sysroot');

before(() => {
  // Both executables (unchanged inputs are not rebuilt); prints its table of sizes and times.
  const out = execFileSync(process.execPath, [path.join(ROOT, 'tools/build-binary.ts')], { cwd: ROOT, encoding: 'utf8' });
  process.stderr.write(out.replace(/^/gm, '# '));
});

function python(code: string, args: string[], input?: Buffer): Buffer {
  return execFileSync('python3', ['-c', code, ...args], { input, timeout: 30_000 });
}

// From 127.0.0.2, an untrusted client once the test trusts only 127.0.0.1, so the inbound checks
// (mailauth, in a worker thread) run.
const SEND = `
import smtplib, sys
with smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20, source_address=('127.0.0.2', 0)) as s:
    s.sendmail(sys.argv[2], [sys.argv[3]], sys.stdin.buffer.read())
`;

const FETCH = `
import imaplib, sys
m = imaplib.IMAP4('127.0.0.1', int(sys.argv[1]), timeout=20)
m.login(sys.argv[2], sys.argv[3])
m.select('INBOX')
typ, data = m.fetch('1', '(BODY.PEEK[])')
assert typ == 'OK', typ
sys.stdout.buffer.write(data[0][1])
m.logout()
`;

describe('dist/homepost-linux-x64', () => {
  const dir = tempDir('homepost-bin-');
  const data = ['--data', dir];
  const cli = { command: [X64] };
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('serve, add an account, SMTP in, IMAP out, SIGTERM', async () => {
    const { child, ports, lines: log, exited } = await startServeChild({ dataDir: dir, executable: X64, args: ['--dev'] });
    try {
      assert.ok(ports.smtp && ports.imap, `SMTP and IMAP listen: ${JSON.stringify(ports)}`);
      const add = await runCli(['user', 'add', 'carol@example.test', ...data], { ...cli, input: 'binary password 1\n' });
      assert.equal(add.code, 0, add.stderr);

      // Nothing lazily loaded yet: the chunks are compiled on first use, not at start.
      const started = JSON.parse((await runCli(['status', '--json', ...data], cli)).stdout);
      assert.deepEqual(started.runtime.chunks, []);

      // Only 127.0.0.1 trusted, so mail from 127.0.0.2 is checked.
      const relay = await runCli(['relay', 'set', '--trusted-networks', '127.0.0.1/32', ...data], cli);
      assert.equal(relay.code, 0, relay.stderr);

      // Over lmdb's compression threshold (1000 bytes), so the body is stored compressed.
      const token = `token-${process.pid}-${Date.now()}`;
      const message = Buffer.from(
        `From: Outsider <outsider@example.org>\r\nTo: carol@example.test\r\nSubject: ${token}\r\n` +
          `Date: Thu, 26 Nov 2026 07:00:00 +0000\r\nMessage-ID: <${token}@example.org>\r\n\r\n` +
          Array.from({ length: 40 }, (_, i) => `line ${i} of the message that travels through the executable\r\n`).join(''),
      );
      python(SEND, [String(ports.smtp), 'outsider@example.org', 'carol@example.test'], message);
      const fetched = python(FETCH, [String(ports.imap), 'carol@example.test', 'binary password 1']);
      assert.ok(fetched.subarray(fetched.length - message.length).equals(message), 'IMAP returns the message as sent (after the trace headers)');
      // mailauth, compiled from its chunk in the executable by a worker thread (src/offload),
      // checked the message (no DNS here).
      assert.match(fetched.toString('latin1'), /^Authentication-Results: [^\r]*\r\n(\s[^\r]*\r\n)*/m);
      assert.match(fetched.toString('latin1'), /\bspf=\w+/);

      // The setup page's files come from the SEA assets (the checkout builds them with esbuild).
      const curl = (p: string, args: string[] = []) =>
        execFileSync(
          'curl',
          ['-sS', '--fail', '--cacert', path.join(dir, 'tls', 'cert.pem'), '--max-time', '20', ...args, `https://127.0.0.1:${ports.https}${p}`],
          { encoding: 'utf8' },
        );
      assert.match(curl('/'), /<script type="module" src="\/app\.js"><\/script>/);
      assert.match(curl('/app.js'), /setup code/i);
      assert.deepEqual(JSON.parse(curl('/api/session')), { adminExists: false, loggedIn: false });
      // First boot with the logged setup code; the status view's system figures come from
      // systeminformation, another chunk.
      const code = log
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as { event?: string; code?: string })
        .find((r) => r.event === 'admin.setup_code')!.code!;
      const jar = path.join(dir, 'cookies.txt');
      curl('/api/setup', ['-c', jar, '-H', 'Content-Type: application/json', '-d', JSON.stringify({ code, password: 'admin password 1' })]);
      const system = JSON.parse(curl('/api/system', ['-b', jar]));
      assert.ok(system.memory.total > 0 && typeof system.os.kernel === 'string', JSON.stringify(system));

      // An ACME order loads acme-client from its chunk (here against a directory where nothing
      // listens: the order is under way, retrying, when the process stops).
      const directory = await runCli(['config', 'set', 'acme.directoryUrl', 'https://127.0.0.1:9/dir', ...data], cli);
      assert.equal(directory.code, 0, directory.stderr);
      const acme = JSON.parse(curl('/api/call/cert.acme', ['-b', jar, '-H', 'Content-Type: application/json', '-d', '{}'])).result;
      assert.equal(acme.source, 'acme');

      const status = JSON.parse((await runCli(['status', '--json', ...data], cli)).stdout);
      assert.equal(status.store.messages, 1);
      assert.deepEqual([status.runtime.arch, status.runtime.executable, status.runtime.addons.sort()], ['x64', true, ['lmdb', 'msgpackr-extract']]);
      // mailauth ran in a worker thread: the main thread never compiled it.
      assert.deepEqual(status.runtime.chunks.sort(), ['acme-client', 'systeminformation']);
      assert.equal(status.daemon.pid, child.pid);
      // The addons, unpacked once under their content hash, read-only.
      const native = readdirSync(path.join(dir, 'native')).sort();
      assert.deepEqual(
        native.map((f) => f.replace(/-[0-9a-f]{16}\.node$/, '')),
        ['lmdb', 'msgpackr-extract'],
      );
      for (const f of native) assert.equal(statSync(path.join(dir, 'native', f)).mode & 0o777, 0o500);

      child.kill('SIGTERM');
      assert.deepEqual(await exited, { code: 0, signal: null });
      assert.ok(log.some((l) => l.includes('"server.stopped"')));

      // What the executable wrote, read by the checkout's store code.
      const store = await Store.open(dir);
      try {
        const account = store.accounts.get('carol@example.test')!;
        const inbox = store.mailboxes.get(account.id, 'INBOX')!;
        const [m] = store.messages.list(inbox.id);
        assert.ok(store.messages.body(m.hash)!.equals(fetched));
        assert.deepEqual(store.checkConsistency(), []);
      } finally {
        await store.close();
      }
    } finally {
      child.kill('SIGKILL');
    }
  });

  test('the CLI of the executable without a daemon; --help needs no data folder', async () => {
    assert.equal((await runCli(['--version'], cli)).stdout, `homepost ${VERSION} (node ${process.version}, x64)\n`);
    // Help and usage do not load the store, so no data folder is touched.
    const help = await runCli(['user', 'add', '--help'], { ...cli, env: { HOMEPOST_DATA: '/proc/no/such/folder' } });
    assert.equal(help.code, 0, help.stderr);
    const users = await runJson<{ address: string }[]>(['user', 'list', ...data], cli);
    assert.deepEqual(
      users.map((u) => u.address),
      ['carol@example.test', 'dev@example.test'],
    );
    assert.equal((await runCli(['status', ...data], cli)).code, 3);

    // A damaged copy of an addon in the data folder is replaced from the executable before loading.
    const name = readdirSync(path.join(dir, 'native')).find((f) => f.startsWith('lmdb-'))!;
    const copy = path.join(dir, 'native', name);
    const intact = readFileSync(copy);
    chmodSync(copy, 0o600);
    writeFileSync(copy, Buffer.concat([intact.subarray(0, 4096), Buffer.from('damaged'), intact.subarray(4096 + 7)]));
    assert.deepEqual(
      (await runJson<{ address: string }[]>(['user', 'list', ...data], cli)).map((u) => u.address),
      users.map((u) => u.address),
    );
    const now = readFileSync(copy);
    assert.ok(now.equals(intact), 'the copy is whole again');
    assert.equal(createHash('sha256').update(now).digest('hex').slice(0, 16), name.slice('lmdb-'.length, -'.node'.length));
    assert.equal(statSync(copy).mode & 0o777, 0o500);
  });
});

describe('dist/homepost-linux-arm64 under qemu-aarch64-static', () => {
  const dir = tempDir('homepost-arm64-');
  const data = ['--data', dir];
  let cli: { command: string[]; timeoutMs: number };
  before(() => {
    execFileSync(path.join(ROOT, 'tools/sea/arm64-sysroot.sh'), [SYSROOT], { stdio: ['ignore', 'ignore', 'inherit'] });
    cli = { command: ['qemu-aarch64-static', '-L', SYSROOT, ARM64], timeoutMs: 120_000 };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('--version', async () => {
    const r = await runCli(['--version'], cli);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `homepost ${VERSION} (node ${process.version}, arm64)\n`);
  });

  test('a store round trip: domain, account, list, status; x64 reads the same store', async () => {
    assert.equal((await runCli(['domain', 'add', 'example.test', ...data], cli)).code, 0);
    const add = await runCli(['user', 'add', 'arm@example.test', ...data], { ...cli, input: 'arm64 password 1\n' });
    assert.equal(add.code, 0, add.stderr);
    const users = await runJson<{ address: string }[]>(['user', 'list', ...data], cli);
    assert.deepEqual(
      users.map((u) => u.address),
      ['arm@example.test'],
    );
    const status = await runCli(['status', '--json', ...data], cli);
    assert.equal(status.code, 3);
    assert.deepEqual(JSON.parse(status.stdout).runtime.addons.sort(), ['lmdb', 'msgpackr-extract']);
    assert.equal(JSON.parse(status.stdout).runtime.arch, 'arm64');
    // The same file read on x64 (both little-endian, 64-bit).
    assert.deepEqual(await runJson(['user', 'list', ...data], { command: [X64] }), users);
  });
});
