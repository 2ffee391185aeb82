// `homepost export` served by Dovecot (issue 18): an account with folders, flags, keywords and
// dates is exported by the running daemon as a Maildir and as mbox files; Dovecot 2.3 serves each
// export, and imapflow reads every folder, message, flag, INTERNALDATE and byte from Dovecot and
// from homepost itself: they must be the same (for Maildir the UIDs and UIDVALIDITY too). Then
// `homepost import` of each export into a new account gives the same view again, and a second
// run imports nothing.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { hashNewPassword } from '../../src/auth/password.ts';
import { encodeMutf7 } from '../../src/imap/mutf7.ts';
import { Store } from '../../src/store/index.ts';
import type { ExportResult } from '../../src/transfer/export.ts';
import type { ImportResult } from '../../src/transfer/import.ts';
import { runJson } from '../cli/run-cli.ts';
import { startDovecot, type Dovecot } from '../imap/dovecot-diff/dovecot.ts';
import { prng } from '../support/prng.ts';
import { type ServeChild, startServeChild } from '../support/serve-child.ts';
import { tempDir } from '../support/temp-store.ts';
import { assertSameView, type View, view, withClient } from './imap-view.ts';

const ANN = 'ann@example.test';
const PASSWORD = 'ann password 1';
const FOLDERS = ['INBOX', 'Work', 'Work/Projects', 'Grüße', 'Archive', 'Sent'];
const KEYWORDS = ['$Label1', '$Forwarded', 'Project-X', '$NotJunk'];
const SYSTEM = ['\\Seen', '\\Answered', '\\Flagged', '\\Draft', '\\Deleted'];

function message(i: number, random: () => number): Buffer {
  const big = i % 9 === 0;
  const lines = [
    `From: Sender ${i} <s${i}@remote.example>`,
    `To: ${ANN}`,
    `Subject: message ${i} ${i % 4 === 0 ? 'Grüße aus Köln' : ''}`.trim(),
    `Message-ID: <m${i}@remote.example>`,
    'MIME-Version: 1.0',
    ...(big ? ['Content-Type: multipart/mixed; boundary="b"', '', '--b', 'Content-Type: text/plain', ''] : ['Content-Type: text/plain; charset=utf-8', '']),
    'From the first line of the body, which mbox must quote.',
    `>From a quoted line ${i}`,
    `random ${random()}`,
    ...(big
      ? [
          '--b',
          'Content-Type: application/octet-stream',
          'Content-Transfer-Encoding: base64',
          '',
          ...Array.from({ length: 300 }, () => 'QUJD'.repeat(19)),
          '--b--',
        ]
      : []),
    '',
  ];
  return Buffer.from(lines.join('\r\n'));
}

describe('homepost export, served by Dovecot; homepost import', () => {
  let data: string;
  let server: ServeChild;
  let homepost: View;
  const cleanup: string[] = [];
  const dovecots: Dovecot[] = [];

  before(async () => {
    data = tempDir('homepost-export-');
    cleanup.push(data);
    const store = await Store.open(data);
    await store.domains.add('example.test');
    const ann = await store.accounts.create({ address: ANN, passwordHash: await hashNewPassword(PASSWORD) });
    for (const name of ['bob', 'cat']) await store.accounts.create({ address: `${name}@example.test`, passwordHash: await hashNewPassword(PASSWORD) });
    const random = prng(18);
    const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
    for (const f of FOLDERS) if (!store.mailboxes.get(ann.id, f)) await store.mailboxes.create(ann.id, f);
    for (let i = 0; i < 80; i++) {
      const flags = [...new Set([...SYSTEM, ...KEYWORDS].filter(() => random() < 0.3))];
      const mb = store.mailboxes.get(ann.id, pick(FOLDERS))!;
      await store.messages.append({
        mailboxId: mb.id,
        raw: message(i, random),
        flags,
        internalDate: Date.UTC(2025, Math.floor(random() * 12), 1 + Math.floor(random() * 28), 8, 30, i % 60),
      });
    }
    // Gaps in the UIDs: what Maildir's uidlist and mbox's X-UID must keep.
    const inbox = store.mailboxes.get(ann.id, 'INBOX')!;
    const uids = store.messages.list(inbox.id).map((m) => m.uid);
    await store.messages.expunge({ mailboxId: inbox.id, uids: uids.filter((_, i) => i % 5 === 1), onlyDeleted: false });
    await store.close();
    server = await startServeChild({ dataDir: data });
    homepost = await withClient({ port: server.ports.imap, user: ANN, password: PASSWORD, tls: true }, (c) => view(c));
    assert.ok([...homepost.values()].reduce((n, v) => n + v.messages.length, 0) > 60);
  });
  after(async () => {
    server?.child.kill('SIGTERM');
    await server?.exited;
    for (const d of dovecots) await d.stop();
    for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  });

  // Dovecot with `mailLocation`, the export copied in as the user's mail.
  async function serveWithDovecot(exported: string, mailLocation: string, target: string): Promise<Dovecot> {
    const conf = path.join(tempDir('homepost-export-conf-'), 'dovecot.conf');
    cleanup.push(path.dirname(conf));
    const base = readFileSync(new URL('../imap/dovecot-diff/dovecot.conf', import.meta.url), 'utf8');
    // No auto-created folders: the export's are the ones to see.
    const text = base.replace(/mail_location = .*/, `mail_location = ${mailLocation}`).replace(/\n {2}mailbox (Sent|Drafts|Trash|Junk|Archive) \{[^}]*\}/g, '');
    writeFileSync(conf, text);
    const d = await startDovecot({ users: [{ name: 'ann', password: PASSWORD }], conf });
    dovecots.push(d);
    const to = path.join(d.dir, 'mail', 'ann', target);
    rmSync(to, { recursive: true, force: true });
    execFileSync('cp', ['-a', exported, to]);
    execFileSync('chown', ['-R', 'dovemail:dovemail', path.join(d.dir, 'mail')]);
    return d;
  }

  test('Maildir: Dovecot serves the same folders, messages, flags, dates and UIDs', async () => {
    const to = path.join(tempDir('homepost-export-maildir-'), 'out');
    cleanup.push(path.dirname(to));
    const r = await runJson<ExportResult>(['export', ANN, '--maildir', to, '--data', data]);
    assert.equal(
      r.messages,
      [...homepost.values()].reduce((n, v) => n + v.messages.length, 0),
    );
    const d = await serveWithDovecot(to, 'maildir:@DIR@/mail/%u/Maildir', 'Maildir');
    const dovecot = await withClient({ port: d.port, user: 'ann', password: PASSWORD, tls: false }, (c) => view(c));
    assertSameView(dovecot, homepost, { uids: true, what: 'Dovecot on the Maildir' });

    const imported = await runJson<ImportResult>(['import', 'bob@example.test', '--maildir', to, '--data', data]);
    assert.deepEqual([imported.imported, imported.skipped], [r.messages, 0]);
    const again = await runJson<ImportResult>(['import', 'bob@example.test', '--maildir', to, '--data', data]);
    assert.deepEqual([again.imported, again.skipped], [0, r.messages]);
    const bob = await withClient({ port: server.ports.imap, user: 'bob@example.test', password: PASSWORD, tls: true }, (c) => view(c));
    // Bob's account has its own default folders; those Ann's has are the same (UIDs are Bob's).
    for (const name of homepost.keys()) assert.ok(bob.has(name), name);
    assertSameView(new Map([...bob].filter(([n]) => homepost.has(n))), homepost, { uids: false, what: 'imported from the Maildir' });
  });

  test('mbox: Dovecot serves the same folders, messages, flags, dates and UIDs', async () => {
    const to = path.join(tempDir('homepost-export-mbox-'), 'out');
    cleanup.push(path.dirname(to));
    const r = await runJson<ExportResult>(['export', ANN, '--mbox', to, '--data', data]);
    const d = await serveWithDovecot(to, 'mbox:@DIR@/mail/%u/mail:INBOX=@DIR@/mail/%u/mail/INBOX.mbox', 'mail');
    // Folders are NAME.mbox files (a folder with subfolders is also a directory, which Dovecot lists
    // as \Noselect).
    const dovecot = await withClient({ port: d.port, user: 'ann', password: PASSWORD, tls: false }, (c) =>
      view(c, (p) => (p === 'INBOX' ? p : p.endsWith('.mbox') ? p.slice(0, -5) : null)),
    );
    assertSameView(dovecot, homepost, { uids: true, what: 'Dovecot on the mbox files' });

    for (const name of homepost.keys()) {
      const file = `${path.join(to, ...name.split('/').map(encodeMutf7))}.mbox`;
      const imported = await runJson<ImportResult>(['import', 'cat@example.test', '--mbox', file, '--mailbox', name, '--data', data]);
      assert.equal(imported.imported, homepost.get(name)!.messages.length, name);
    }
    const again = await runJson<ImportResult>(['import', 'cat@example.test', '--mbox', path.join(to, 'INBOX.mbox'), '--data', data]);
    assert.deepEqual([again.imported, again.skipped], [0, homepost.get('INBOX')!.messages.length]);
    const cat = await withClient({ port: server.ports.imap, user: 'cat@example.test', password: PASSWORD, tls: true }, (c) => view(c));
    assertSameView(new Map([...cat].filter(([n]) => homepost.has(n))), homepost, { uids: false, what: 'imported from mbox' });
    assert.equal(
      r.messages,
      [...homepost.values()].reduce((n, v) => n + v.messages.length, 0),
    );
  });
});
