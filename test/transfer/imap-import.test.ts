// `homepost import ACCOUNT --imap URL` (issue 18): migration from Dovecot 2.3 holding 2,500
// messages in four folders (nested, special-use, flags and keywords, some without a Message-ID,
// some twice). The first run goes through a proxy that cuts the connection once about 40% of the
// mail has passed; the second run finishes without copying anything twice; imapflow then sees the
// same folders, messages, flags, dates and bytes in homepost as in Dovecot, and a third run copies
// nothing. Progress lines are printed. A wrong password and a bad URL are refused.
import assert from 'node:assert/strict';
import net from 'node:net';
import { mkdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashNewPassword } from '../../src/auth/password.ts';
import { Store } from '../../src/store/index.ts';
import type { ImportResult } from '../../src/transfer/import.ts';
import { type CliResult, runCli, runJson } from '../cli/run-cli.ts';
import { startDovecot, type Dovecot } from '../imap/dovecot-diff/dovecot.ts';
import { prng } from '../support/prng.ts';
import { startServeChild } from '../support/serve-child.ts';
import { tempDir } from '../support/temp-store.ts';
import { assertSameView, view, withClient } from './imap-view.ts';

const ANN = 'ann@example.test';
const PASSWORD = 'migration password 1';
const COUNT = 2500;
// Dovecot's Maildir++ folders (dovecot.conf marks Sent as \Sent) and where they land in homepost.
const FOLDERS = ['', '.Sent', '.Work.Projects', '.Lists'];
const KEYWORDS = ['$Label1', 'Project-X'];

// The source mailbox written as Dovecot keeps it: files in cur/ with their flags in the name, the
// keywords named in dovecot-keywords, the INTERNALDATE as the file's time.
function fillMaildir(maildir: string): number {
  const random = prng(2500);
  let bytes = 0;
  for (const f of FOLDERS) {
    for (const d of ['cur', 'new', 'tmp']) mkdirSync(path.join(maildir, f, d), { recursive: true });
    writeFileSync(path.join(maildir, f, 'dovecot-keywords'), KEYWORDS.map((k, i) => `${i} ${k}\n`).join(''));
  }
  for (let i = 0; i < COUNT; i++) {
    const folder = FOLDERS[Math.floor(random() * FOLDERS.length)]!;
    const info = ['D', 'F', 'R', 'S', 'T', 'a', 'b'].filter(() => random() < 0.3).join('');
    // 1 in 20 without a Message-ID; 1 in 50 sent twice (the same bytes again right after).
    const id = i % 20 === 7 ? '' : `Message-ID: <mig${i}@old.example>\r\n`;
    const raw = `From: Sender <s${i % 97}@old.example>\r\nTo: ${ANN}\r\nSubject: migrated ${i}\r\n${id}Date: Mon, 2 Mar 2026 10:00:00 +0000\r\n\r\n${'line of text\r\n'.repeat(1 + (i % 40))}`;
    const copies = i % 50 === 3 ? 2 : 1;
    for (let c = 0; c < copies; c++) {
      const file = path.join(maildir, folder, 'cur', `${1700000000 + i}.M${i}C${c}P1.old:2,${info}`);
      writeFileSync(file, raw);
      bytes += raw.length;
      const t = 1700000000 + i * 60;
      utimesSync(file, t, t);
    }
  }
  return bytes;
}

// A proxy to the server that cuts both sides once `limit` bytes came from the server.
async function cuttingProxy(port: number, limit: number): Promise<{ port: number; cut: () => boolean; close: () => void }> {
  let passed = 0;
  let cut = false;
  const server = net.createServer((client) => {
    const upstream = net.connect(port, '127.0.0.1');
    client.on('error', () => {});
    upstream.on('error', () => {});
    client.pipe(upstream);
    upstream.on('data', (d: Buffer) => {
      passed += d.length;
      if (passed >= limit) {
        cut = true;
        client.destroy();
        upstream.destroy();
      } else client.write(d);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as net.AddressInfo).port, cut: () => cut, close: () => server.close() };
}

describe('homepost import --imap from Dovecot', () => {
  let dovecot: Dovecot;
  let data: string;
  let url: string;
  let sourceBytes: number;

  before(async () => {
    dovecot = await startDovecot({ users: [{ name: 'ann', password: PASSWORD }] });
    const maildir = path.join(dovecot.dir, 'mail', 'ann', 'Maildir');
    sourceBytes = fillMaildir(maildir);
    const { execFileSync } = await import('node:child_process');
    execFileSync('chown', ['-R', 'dovemail:dovemail', path.join(dovecot.dir, 'mail')]);
    url = `imap://ann@127.0.0.1:${dovecot.port}`;
    data = tempDir('homepost-imap-import-');
    const store = await Store.open(data);
    await store.domains.add('example.test');
    await store.accounts.create({ address: ANN, passwordHash: await hashNewPassword(PASSWORD) });
    await store.close();
  });
  after(async () => {
    await dovecot?.stop();
    rmSync(data, { recursive: true, force: true });
  });

  test('cut off once, resumed, then the same as the source; a third run copies nothing', async () => {
    // The first run: the connection is cut once about 40% of the mail has come through.
    const proxy = await cuttingProxy(dovecot.port, Math.floor(sourceBytes * 0.4));
    let first: CliResult;
    try {
      first = await runCli(['import', ANN, '--imap', `imap://ann@127.0.0.1:${proxy.port}`, '--data', data], { input: `${PASSWORD}\n`, timeoutMs: 300_000 });
    } finally {
      proxy.close();
    }
    assert.ok(proxy.cut(), 'the connection was cut');
    assert.equal(first.code, 1, first.stderr);
    assert.match(first.stderr, /homepost import: \d+ of 2550 messages \(\d+%\)\n/);
    assert.match(first.stderr, /import failed: 127\.0\.0\.1:\d+: .*; what was copied stays, and the import goes on from there when run again/);
    const store = await Store.open(data);
    let partial = 0;
    try {
      const ann = store.accounts.get(ANN)!;
      for (const mb of store.mailboxes.list(ann.id)) partial += mb.count;
      assert.deepEqual(store.checkConsistency(), []);
    } finally {
      await store.close();
    }
    assert.ok(partial > 0 && partial < COUNT, `${partial} copied before the cut`);

    const second = await runJson<ImportResult>(['import', ANN, '--imap', url, '--data', data], { input: `${PASSWORD}\n`, timeoutMs: 300_000 });
    const total = COUNT + Math.ceil(COUNT / 50);
    assert.equal(second.skipped, partial, 'what the first run stored is skipped');
    assert.equal(second.imported + second.skipped, total);
    // Dovecot's own special-use folders (empty) map onto homepost's.
    assert.deepEqual(second.mailboxes.sort(), ['Archive', 'Drafts', 'INBOX', 'Junk', 'Lists', 'Sent', 'Trash', 'Work/Projects']);

    const server = await startServeChild({ dataDir: data });
    try {
      const homepost = await withClient({ port: server.ports.imap, user: ANN, password: PASSWORD, tls: true }, (c) => view(c));
      const source = await withClient({ port: dovecot.port, user: 'ann', password: PASSWORD, tls: false }, (c) => view(c));
      // homepost's own empty folders (Drafts, Trash ...) and the parent Work it made are not in the source.
      const compared = new Map([...homepost].filter(([name]) => source.has(name) || homepost.get(name)!.messages.length > 0));
      const nonEmptySource = new Map([...source].filter(([, v]) => v.messages.length > 0));
      assertSameView(new Map([...compared].filter(([, v]) => v.messages.length > 0)), nonEmptySource, { uids: false, what: 'imported from Dovecot' });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }

    const third = await runJson<ImportResult>(['import', ANN, '--imap', url, '--data', data], { input: `${PASSWORD}\n`, timeoutMs: 300_000 });
    assert.deepEqual([third.imported, third.skipped], [0, total]);
  });

  test('a wrong password and a bad URL are refused', async () => {
    const wrong = await runCli(['import', ANN, '--imap', url, '--data', data], { input: 'not it\n' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /cannot log in to 127\.0\.0\.1:\d+: the server refused the user name or password/);
    for (const bad of ['ftp://ann@host', 'imaps://host', 'imaps://ann:secret@host']) {
      const r = await runCli(['import', ANN, '--imap', bad, '--data', data], { input: `${PASSWORD}\n` });
      assert.equal(r.code, 2, `${bad}: ${r.stderr}`);
    }
  });
});
