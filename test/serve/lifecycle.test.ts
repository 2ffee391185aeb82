// `homepost serve` as a real process: it logs one JSON object per line, says it is ready with its
// ports, and on SIGTERM stops accepting, lets commits finish, closes the store and exits 0.
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { Store } from '../../src/store/index.ts';
import { startServeChild } from '../support/serve-child.ts';
import { tempDir } from '../support/temp-store.ts';

test('serve: JSON log lines, ready with ports, graceful SIGTERM, data private to its owner', async () => {
  const dir = tempDir('homepost-serve-');
  const { child, ports, lines, exited } = await startServeChild({ dataDir: dir, args: ['--dev'], stderr: 'pipe' });
  let stderr = '';
  child.stderr!.on('data', (b) => (stderr += b));
  try {
    for (const [name, port] of Object.entries(ports)) {
      const s = net.connect(port, '127.0.0.1');
      await new Promise<void>((r, j) =>
        s
          .once('connect', () => {
            s.destroy();
            r();
          })
          .once('error', j),
      );
      assert.ok(port > 0, name);
    }
    child.kill('SIGTERM');
    assert.deepEqual(await exited, { code: 0, signal: null }, stderr);

    const password = readFileSync(path.join(dir, 'dev-password'), 'utf8').trim();
    const logLines = lines.filter((l) => l.startsWith('{'));
    for (const l of logLines) {
      const record = JSON.parse(l);
      assert.equal(typeof record.time, 'string');
      assert.equal(typeof record.event, 'string');
      assert.ok(!l.includes(password), 'no password in a log line');
    }
    assert.ok(logLines.some((l) => JSON.parse(l).event === 'server.stopped'));
    assert.ok(
      lines.some((l) => l.includes(password) && l.includes('dev@example.test')),
      'the banner prints the account',
    );
    assert.equal(statSync(path.join(dir, 'store.mdb')).mode & 0o077, 0, 'store readable by its owner only');
    assert.equal(statSync(path.join(dir, 'tls', 'key.pem')).mode & 0o777, 0o600);

    const store = await Store.open(dir);
    assert.deepEqual(store.checkConsistency(), []);
    assert.ok(store.accounts.get('dev@example.test'));
    await store.close();
  } finally {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});
