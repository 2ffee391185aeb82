// `homepost serve` runs with the glibc and libuv settings of src/cli/serve-env.ts: started without
// them, it executes itself again with them (the same pid), and libuv's pool has all its threads.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { test } from 'node:test';
import { SERVE_ENV } from '../../src/cli/serve-env.ts';
import { startServeChild } from '../support/serve-child.ts';
import { tempDir } from '../support/temp-store.ts';

test('serve started without the settings runs with them, and with 8 threads in libuv pool', async () => {
  const dir = tempDir('homepost-serve-env-');
  // --dev makes the development account at start: its password hash runs on the pool.
  const { child, exited } = await startServeChild({ dataDir: dir, args: ['--dev'], unset: Object.keys(SERVE_ENV) });
  try {
    const environ = readFileSync(`/proc/${child.pid}/environ`, 'utf8').split('\0');
    for (const [k, v] of Object.entries(SERVE_ENV)) assert.ok(environ.includes(`${k}=${v}`), `${k}=${v} in the server's environment`);
    const names = readdirSync(`/proc/${child.pid}/task`).map((t) => readFileSync(`/proc/${child.pid}/task/${t}/comm`, 'utf8').trim());
    assert.equal(names.filter((n) => n === 'libuv-worker').length, Number(SERVE_ENV.UV_THREADPOOL_SIZE));
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
