// The console's issue file (--issue, the device's /etc/issue.d/homepost.issue) against `homepost
// serve`: the setup code while setup is pending, only the page's address once it is done, the new
// code after `homepost admin reset-password`, and no code at a start after setup.
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { runCli } from '../cli/run-cli.ts';
import { tempDir } from '../support/temp-store.ts';
import { api, startAdmin, type AdminServer } from './support.ts';

let server: AdminServer;
let issue: string;
let port: number;
before(async () => {
  issue = path.join(tempDir('homepost-issue-'), 'setup.issue');
  server = await startAdmin({ args: ['--issue', issue] });
  port = server.ports.https;
});
after(async () => {
  if (server) await server.stop();
  rmSync(path.dirname(issue), { recursive: true, force: true });
});

const pending = (code: string) => `homepost setup: in a browser on this network open https://127.0.0.1:${port}/\nand enter the setup code ${code}\n\n`;
const done = () => `homepost: the setup page is at https://127.0.0.1:${port}/\n\n`;

async function issueBecomes(text: string): Promise<void> {
  for (let i = 0; i < 100 && readFileSync(issue, 'utf8') !== text; i++) await sleep(20);
  assert.equal(readFileSync(issue, 'utf8'), text);
}

test('the setup code is in the issue file until setup is done, then only the address', async () => {
  const code = server.setupCode();
  assert.equal(readFileSync(issue, 'utf8'), pending(code));
  assert.equal((await api(server, '/api/setup', { body: { code, password: 'admin password 1' } })).status, 200);
  await issueBecomes(done());
});

test('a reset shows the new code there; a start after setup shows none', async () => {
  const reset = await runCli(['admin', 'reset-password', '--data', server.dataDir]);
  assert.equal(reset.code, 0, reset.stderr);
  const codes = server.logRecords().filter((r) => r.event === 'admin.setup_code');
  assert.equal(codes.length, 2);
  await issueBecomes(pending(codes[1].code as string));
  assert.equal((await api(server, '/api/setup', { body: { code: codes[1].code, password: 'admin password 2' } })).status, 200);
  await issueBecomes(done());
  await server.stop({ keep: true });
  server = await startAdmin({ dataDir: server.dataDir, args: ['--issue', issue] });
  port = server.ports.https;
  assert.equal(readFileSync(issue, 'utf8'), done());
});
