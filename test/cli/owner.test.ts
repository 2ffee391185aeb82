// Run as root on a data folder another user owns (the device: /var/lib/homepost is homepost's,
// the administrator uses sudo), the CLI works as that user: everything it creates there belongs to
// the folder's owner, nothing to root. Needs root; the tests run as root in CI.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { tempDir } from '../support/temp-store.ts';
import { FROM_CHECKOUT, ROOT, runCli, runJson } from './run-cli.ts';

// nobody, as on every Debian system.
const OWNER = 65534;

// Whether uid OWNER can read the CLI's code at `root` with `node` (the CLI loads parts of itself
// after it became the owner).
function canRun(node: string, root: string): boolean {
  const r = spawnSync(node, ['-e', `require('fs').accessSync(${JSON.stringify(path.join(root, 'src/store/index.ts'))})`], { uid: OWNER, gid: OWNER });
  return r.status === 0;
}

// The CLI as OWNER can run it: the checkout's, or (a checkout under /root, say) a copy of its
// runtime (node, src/, node_modules/) in a folder every user can read.
function runnableCli(dir: string): string[] {
  if (canRun(FROM_CHECKOUT[0]!, ROOT)) return FROM_CHECKOUT;
  const copy = path.join(dir, 'runtime');
  mkdirSync(copy, { mode: 0o755 });
  for (const part of ['src', 'node_modules', 'package.json']) cpSync(path.join(ROOT, part), path.join(copy, part), { recursive: true });
  cpSync(process.execPath, path.join(copy, 'node'));
  const command = [path.join(copy, 'node'), path.join(copy, 'src/main.ts')];
  assert.ok(canRun(command[0]!, copy), `uid ${OWNER} cannot read ${copy}`);
  return command;
}

let base: string;
let data: string;
let command: string[];
before(() => {
  assert.equal(process.getuid?.(), 0, 'this test needs root (CI runs as root)');
  base = tempDir('homepost-owner-');
  chmodSync(base, 0o755);
  command = runnableCli(base);
  data = path.join(base, 'data');
  mkdirSync(data, { mode: 0o700 });
  chownSync(data, OWNER, OWNER);
});
after(() => rmSync(base, { recursive: true, force: true }));

function owners(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => {
    const s = lstatSync(path.join(dir, f));
    return `${f} ${s.uid}:${s.gid}`;
  });
}

test('as root on a folder nobody owns: what the commands write belongs to nobody', async () => {
  const add = await runCli(['domain', 'add', 'example.test', '--data', data], { command });
  assert.equal(add.code, 0, add.stderr);
  const user = await runCli(['user', 'add', 'ann@example.test', '--data', data], { command, input: 'ann password 1\n' });
  assert.equal(user.code, 0, user.stderr);
  const cert = await runCli(['cert', 'generate', '--data', data], { command });
  assert.equal(cert.code, 0, cert.stderr);
  const files = owners(data);
  assert.ok(
    files.some((f) => f.startsWith('store.mdb ')),
    files.join(', '),
  );
  assert.ok(
    files.some((f) => f.startsWith(path.join('tls', 'key.pem'))),
    files.join(', '),
  );
  assert.deepEqual(
    files.filter((f) => !f.endsWith(` ${OWNER}:${OWNER}`)),
    [],
    "every file is the owner's",
  );
  assert.deepEqual(
    (await runJson<{ address: string }[]>(['user', 'list', '--data', data], { command })).map((u) => u.address),
    ['ann@example.test'],
  );
});

test('as root on a folder root owns: root stays root', async () => {
  const own = path.join(base, 'root-owned');
  mkdirSync(own, { mode: 0o700 });
  assert.equal((await runCli(['domain', 'add', 'example.test', '--data', own], { command })).code, 0);
  assert.deepEqual(
    owners(own).filter((f) => !f.endsWith(' 0:0')),
    [],
  );
});
