// Python's imaplib (run as a subprocess) against the whole server.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { startImapServer } from './support.ts';

const run = promisify(execFile);

test('python imaplib suite', async () => {
  const s = await startImapServer();
  try {
    const script = path.join(import.meta.dirname, 'imaplib_suite.py');
    const { stdout } = await run('python3', [script, String(s.port), String(s.tlsPort), s.user, s.password], { timeout: 60_000 }).catch((e) => {
      throw new Error(`${e.message}\n${e.stdout}\n${e.stderr}`);
    });
    assert.match(stdout, /^\d+ passed, 0 failed$/m);
    assert.ok(Number(/^(\d+) passed/m.exec(stdout)![1]) >= 40, stdout);
  } finally {
    await s.close();
  }
});
