// A restore from the setup page (backup.restore, run as a job; the restore itself clicked in
// Chromium): homepost from the checkout under a
// supervisor that restarts it as homepost.service does (test/support/supervisor.ts). A sealed
// backup is made on the page; a message arrives after it; the restore puts the store of the
// backup in place and homepost restarts on it: the later message is gone, the earlier one is there
// with the same UIDVALIDITY and UID (python imaplib), the replaced store is kept in
// previous-STAMP/, and the page says what the store was restored from. A wrong passphrase and an
// unknown name change nothing and restart nothing; without a supervisor the page may not restore.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { BackupList } from '../../src/api/commands/backup.ts';
import { adminJob, adminLogin, adminSession, type AdminRequest } from '../support/admin-session.ts';
import { CHECKOUT_BIN, startServeChild } from '../support/serve-child.ts';
import { Supervisor } from '../support/supervisor.ts';
import { openPage } from '../admin/browser-support.ts';
import { tempDir } from '../support/temp-store.ts';

const dataDir = tempDir('homepost-restore-page-');
const supervisor = new Supervisor(CHECKOUT_BIN, dataDir);
const ACCOUNT = 'rita@example.test';
const PASSWORD = 'restore password 1';
let request: AdminRequest;

function send(subject: string): void {
  execFileSync('python3', [
    '-c',
    `import smtplib\nwith smtplib.SMTP('127.0.0.1', ${supervisor.current.ports.smtp}, timeout=20) as s: s.sendmail('x@example.org', ['${ACCOUNT}'], 'From: x@example.org\\r\\nTo: ${ACCOUNT}\\r\\nSubject: ${subject}\\r\\n\\r\\nbody\\r\\n')`,
  ]);
}

// UIDVALIDITY, then "UID subject" per message in INBOX.
function inbox(): string[] {
  const out = execFileSync('python3', [
    '-c',
    `import imaplib, re
m = imaplib.IMAP4('127.0.0.1', ${supervisor.current.ports.imap})
m.login('${ACCOUNT}', '${PASSWORD}')
m.select('INBOX')
print(m.response('UIDVALIDITY')[1][0].decode())
typ, data = m.uid('FETCH', '1:*', '(BODY.PEEK[HEADER.FIELDS (SUBJECT)])')
for x in data:
    if isinstance(x, tuple):
        print(re.search(rb'UID (\\d+)', x[0]).group(1).decode(), x[1].decode().strip().removeprefix('Subject: '))
m.logout()`,
  ]);
  return out.toString().trim().split('\n');
}

before(async () => {
  await supervisor.start();
  execFileSync(CHECKOUT_BIN, ['user', 'add', ACCOUNT, '--data', dataDir], { input: `${PASSWORD}\n` });
  request = await adminSession({ port: supervisor.current.ports.https!, dataDir, logLines: supervisor.current.lines });
});

after(async () => {
  await supervisor.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe('restore from the setup page', () => {
  let backupName = '';
  let before: string[] = [];

  test('a sealed backup made on the page; a wrong passphrase or name is refused and nothing restarts', async () => {
    send('kept by the backup');
    const made = await adminJob(request, 'backup', { passphrase: 'a long passphrase' });
    assert.equal(made.error, undefined);
    backupName = path.basename((made.result as { file: string }).file);
    before = inbox();
    send('after the backup');
    assert.equal(inbox().length, 3);

    const wrong = await adminJob(request, 'backup.restore', { name: backupName, passphrase: 'not the passphrase' });
    assert.equal(wrong.error?.code, 'invalid', JSON.stringify(wrong));
    assert.match(wrong.error!.message, /passphrase/);
    const unknown = await adminJob(request, 'backup.restore', { name: 'homepost-backup-20200101-000000.tar' });
    assert.equal(unknown.error?.code, 'not-found');
    assert.equal(supervisor.started.length, 1, 'never restarted');
    assert.deepEqual(
      readdirSync(dataDir).filter((n) => /^(restore|previous)-/.test(n)),
      [],
    );
    assert.equal(inbox().length, 3);
  });

  test('the restore, in Chromium: homepost restarts on the backup’s store, UIDs kept, the replaced store kept', async () => {
    const { browser, page, problems } = await openPage();
    try {
      await page.goto(`https://127.0.0.1:${supervisor.current.ports.https}/#backups`);
      await page.getByLabel('Admin password').fill('admin password 12');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByLabel('Its passphrase').fill('a long passphrase');
      await page.getByRole('button', { name: `Restore ${backupName}` }).click();
      await page.getByRole('button', { name: 'Replace all mail with this backup' }).click();
      // Its accounts: the development account and this one.
      // Checking and unpacking a sealed backup derives its key twice (argon2id, 64 MiB).
      await page.getByText('Restored 2 accounts and 1 messages. homepost restarts on them: log in again in a moment.').waitFor({ timeout: 120_000 });
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
    await supervisor.startedCount(2);
    assert.deepEqual(supervisor.exits, [75]);
    assert.deepEqual(inbox(), before, 'the mailbox as it was at the backup: same UIDVALIDITY, UID and message');
    // The page's session lived in the stopped daemon: a new one, then what the page shows.
    const again = await adminLogin({ port: supervisor.current.ports.https!, dataDir });
    const list = (await again('/api/call/backup.list', { body: '{}' })).json.result as BackupList;
    assert.equal(list.restored?.name, backupName);
    assert.equal(list.previous.length, 1);
    assert.ok(
      ['store.mdb', 'tls'].every((n) => readdirSync(list.previous[0]).includes(n)),
      readdirSync(list.previous[0]).join(' '),
    );
  });

  test('a homepost no supervisor would start again does not restore from the page', async () => {
    const dir = tempDir('homepost-restore-unsupervised-');
    const child = await startServeChild({ dataDir: dir, args: ['--dev'] });
    try {
      const page = await adminSession({ port: child.ports.https!, dataDir: dir, logLines: child.lines });
      const made = await adminJob(page, 'backup', {});
      const r = await adminJob(page, 'backup.restore', { name: path.basename((made.result as { file: string }).file) });
      assert.equal(r.error?.code, 'forbidden', JSON.stringify(r));
      assert.match(r.error!.message, /homepost restore FILE/);
    } finally {
      child.child.kill('SIGTERM');
      await child.exited;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
