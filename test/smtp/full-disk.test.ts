// A full disk under a running server: SMTP answers 452 4.3.1 (RFC 3463 X.3.1: mail system full),
// the session and the process go on, and every message acknowledged before is in the store.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { test } from 'node:test';
import { Store } from '../../src/store/index.ts';
import { tempDir } from '../support/temp-store.ts';
import { startServeChild } from '../support/serve-child.ts';
import { RawSmtp } from './harness.ts';

test('disk full: 452 4.3.1, the session and the server survive, acknowledged mail is kept', async () => {
  const dir = tempDir('homepost-smtp-full-');
  // 16 MB of file size for the whole data folder's biggest file, the store.
  const { child, ports, exited } = await startServeChild({ dataDir: dir, args: ['--dev'], fileSizeLimitKb: 16 * 1024 });
  const acked: string[] = [];
  try {
    const c = await RawSmtp.connect(ports.smtp);
    await c.reply();
    await c.command('EHLO full.example');
    let full: { code: number; text: string } | null = null;
    for (let n = 0; n < 2000 && !full; n++) {
      const id = `full-${n}`;
      assert.equal((await c.command('MAIL FROM:<sender@remote.example>')).code, 250);
      assert.equal((await c.command('RCPT TO:<dev@example.test>')).code, 250);
      assert.equal((await c.command('DATA')).code, 354);
      // Random text does not compress: each message takes its size in the store.
      const body = randomBytes(12_000).toString('base64').replace(/.{76}/g, '$&\r\n');
      const r = await c.command(`Subject: ${id}\r\nMessage-ID: <${id}@remote.example>\r\n\r\n${body}\r\n.`);
      if (r.code === 250) acked.push(id);
      else full = r;
    }
    assert.ok(full, 'the disk filled up');
    assert.equal(full.code, 452);
    assert.match(full.text, /^4\.3\.1 /);
    assert.ok(acked.length > 100, `${acked.length} acknowledged before`);
    assert.equal((await c.command('RSET')).code, 250, 'the session goes on');
    assert.equal((await c.command('NOOP')).code, 250);
    c.close();
    const again = await RawSmtp.connect(ports.smtp);
    assert.equal((await again.reply()).code, 220, 'the server still accepts connections');
    again.close();
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  try {
    const store = await Store.open(dir);
    try {
      assert.deepEqual(store.checkConsistency(), []);
      const account = store.accounts.get('dev@example.test')!;
      const inbox = store.mailboxes.get(account.id, 'INBOX')!;
      const stored = new Set(
        store.messages.list(inbox.id).map((m) => /\r\nSubject: (\S+)/.exec(store.messages.body(m.hash)!.toString('latin1', 0, 4096))?.[1]),
      );
      for (const id of acked) assert.ok(stored.has(id), `acknowledged ${id} is in the store`);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
