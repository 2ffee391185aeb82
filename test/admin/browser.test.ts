// The setup page in headless Chromium (Debian's, driven by playwright-core): first boot with the
// code from the server's log, then accounts, the postmaster and relay settings made through the
// page, checked from outside it: python3 imaplib logs in with the account the page created, and
// the API shows the settings the page saved.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { BackupList } from '../../src/api/commands/backup.ts';
import type { JunkStats } from '../../src/api/commands/junk.ts';
import { GTUBE } from '../../src/junk/index.ts';
import { VERSION } from '../../src/version.ts';
import { RawSmtp } from '../smtp/harness.ts';
import { openPage } from './browser-support.ts';
import { startAdmin, type AdminServer } from './support.ts';

const ADMIN_PASSWORD = 'browser admin password';
const NEW_ADMIN_PASSWORD = 'browser admin password 2';

// LOGIN over implicit TLS, verifying the server's certificate (it names 127.0.0.1); prints the
// SELECT answer, or the server's refusal.
const IMAP_LOGIN = `
import imaplib, ssl, sys
port, cafile, user, password = sys.argv[1:5]
m = imaplib.IMAP4_SSL('127.0.0.1', int(port), ssl_context=ssl.create_default_context(cafile=cafile), timeout=20)
try:
    m.login(user, password)
except imaplib.IMAP4.error as e:
    print('refused', e)
    sys.exit(0)
typ, data = m.select('INBOX')
print(typ, data[0].decode())
m.logout()
`;

async function imapLogin(server: AdminServer, user: string, password: string): Promise<string> {
  const { stdout } = await promisify(execFile)('python3', ['-c', IMAP_LOGIN, String(server.ports.imaps), server.certFile, user, password]);
  return stdout.trim();
}

describe('setup page in a browser', () => {
  let server: AdminServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  before(async () => {
    server = await startAdmin();
    ({ browser, context, page, problems } = await openPage());
  });
  after(async () => {
    await browser?.close();
    if (server) await server.stop();
  });

  // The API as the page's session sees it (Playwright's request context shares its cookies).
  async function apiCall<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const r = await context.request.post(`${server.base}/api/call/${method}`, { data: params });
    assert.equal(r.status(), 200, await r.text());
    return (await r.json()).result as T;
  }

  test('first boot: from the http port to the setup form; the code from the log sets the admin password', async () => {
    await page.goto(`http://127.0.0.1:${server.ports.http}/`);
    assert.equal(page.url(), `${server.base}/`, 'redirected to https');
    await page.getByRole('heading', { name: 'Set up homepost' }).waitFor();
    // A wrong code first: the error shows inline and the form stays.
    await page.getByLabel('Setup code').fill('AAAA-BBBB-CCCC');
    await page.getByLabel('New admin password').fill(ADMIN_PASSWORD);
    await page.getByLabel('Repeat the password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Set up' }).click();
    await assertAlert(page, /wrong setup code/);
    await page.getByLabel('Setup code').fill(server.setupCode());
    await page.getByRole('button', { name: 'Set up' }).click();
    // The wizard's first step follows.
    await page.getByRole('heading', { name: 'Name and domain' }).waitFor();
    assert.equal(new URL(page.url()).hash, '#setup/1');
    const cookie = (await context.cookies()).find((c) => c.name === 'homepost_session');
    assert.ok(cookie);
    assert.deepEqual([cookie.httpOnly, cookie.secure, cookie.sameSite, cookie.path], [true, true, 'Strict', '/']);
  });

  test('status: the checklist, the daemon and the device', async () => {
    await page.getByRole('link', { name: 'Status' }).click();
    const main = page.getByRole('main');
    await main.getByRole('region', { name: 'Setup checklist' }).getByText('Next step:').waitFor();
    await main.getByText(server.dataDir, { exact: true }).waitFor();
    await main.getByRole('region', { name: 'Device' }).getByText('Data disk').waitFor();
    await main.getByRole('cell', { name: 'imaps', exact: true }).waitFor();
  });

  test('accounts: a domain and an account made in the page; IMAP logs in with it', async () => {
    await page.getByRole('link', { name: 'Accounts' }).click();
    await page.getByRole('heading', { name: 'Accounts', exact: true }).waitFor();
    await page.getByLabel('Domain', { exact: true }).fill('ui.test');
    await page.getByRole('button', { name: 'Add domain' }).click();
    await page.getByRole('cell', { name: 'ui.test', exact: true }).waitFor();

    // The store's refusal shows inline.
    await page.getByLabel('Address', { exact: true }).fill('alice@ui.test');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Add account' }).click();
    await assertAlert(page, /a password has 8 to 1024 characters/);

    await page.getByLabel('Password', { exact: true }).fill('alice password 1');
    await page.getByRole('button', { name: 'Add account' }).click();
    await page.getByRole('cell', { name: 'alice@ui.test', exact: true }).waitFor();
    assert.match(await imapLogin(server, 'alice@ui.test', 'alice password 1'), /^OK \d+$/);
    assert.match(await imapLogin(server, 'alice@ui.test', 'wrong password'), /^refused/);
  });

  test('accounts: a new password set in the page replaces the old one', async () => {
    await page.getByRole('button', { name: 'Change password of alice@ui.test' }).click();
    await page.getByLabel('New password for alice@ui.test').fill('alice password 2');
    await page.getByRole('button', { name: 'Save password' }).click();
    await page.getByRole('button', { name: 'Password changed' }).waitFor();
    assert.match(await imapLogin(server, 'alice@ui.test', 'alice password 2'), /^OK \d+$/);
    assert.match(await imapLogin(server, 'alice@ui.test', 'alice password 1'), /^refused/);
  });

  test('accounts: an alias added and deleted (after confirming)', async () => {
    await page.getByLabel('Alias address (or @domain for a catch-all)').fill('postmaster@ui.test');
    await page.getByLabel('Delivers to (addresses, comma-separated)').fill('alice@ui.test');
    await page.getByRole('button', { name: 'Add alias' }).click();
    await page.getByRole('cell', { name: 'postmaster@ui.test', exact: true }).waitFor();
    assert.deepEqual(await apiCall('alias.list'), [{ address: 'postmaster@ui.test', targets: ['alice@ui.test'] }]);
    await page.getByRole('button', { name: 'Delete alias postmaster@ui.test' }).click();
    await page.getByRole('button', { name: 'Really delete alias postmaster@ui.test' }).click();
    await page.getByText('No aliases.').waitFor();
    assert.deepEqual(await apiCall('alias.list'), []);
  });

  test('accounts: the account chosen for postmaster in the page is what postmaster.show returns', async () => {
    const select = page.getByLabel('Mail to postmaster goes to');
    // dev@example.test (made by --dev) is the first account, so it has postmaster mail until then.
    assert.equal(await select.inputValue(), 'dev@example.test');
    await select.selectOption('alice@ui.test');
    await page.getByRole('button', { name: 'Save postmaster' }).click();
    await page.getByRole('status').getByText('Saved: mail to postmaster goes to alice@ui.test.').waitFor();
    assert.deepEqual(await apiCall('postmaster.show'), { account: 'alice@ui.test', chosen: 'alice@ui.test' });
  });

  test('relay: trusted networks saved in the page are what relay.show returns', async () => {
    await page.getByRole('link', { name: 'Who may send' }).click();
    await page.getByRole('heading', { name: 'Who may send mail' }).waitFor();
    await page.getByText('people who sign in with their account and password may send to anyone').waitFor();
    const networks = page.getByRole('textbox', { name: /^Trusted networks/ });
    await networks.fill('not-a-network');
    await page.getByRole('button', { name: 'Save trusted networks' }).click();
    await assertAlert(page, /not a network: not-a-network/);
    await networks.fill('192.0.2.0/24\n2001:db8::/32');
    await page.getByRole('button', { name: 'Save trusted networks' }).click();
    await page
      .getByRole('status')
      .getByText(/^Saved/)
      .waitFor();
    const relay = await apiCall<{ trustedNetworks: string[]; trustedNetworksSet: boolean }>('relay.show');
    assert.deepEqual([relay.trustedNetworks, relay.trustedNetworksSet], [['192.0.2.0/24', '2001:db8::/32'], true]);
  });

  test('junk: GTUBE sent on port 25 shows in the Junk view with its reason; "Not junk" moves it to INBOX and trains ham', async () => {
    // 127.0.0.1 is not among the trusted networks saved above: its mail is mail from the internet.
    const c = await RawSmtp.connect(server.ports.smtp!);
    try {
      await c.reply();
      await c.command('EHLO client.example.org');
      await c.command('MAIL FROM:<tester@example.org>');
      assert.equal((await c.command('RCPT TO:<alice@ui.test>')).code, 250);
      await c.command('DATA');
      assert.equal((await c.command(`From: <tester@example.org>\r\nSubject: Browser GTUBE\r\n\r\n${GTUBE}\r\n.`)).code, 250);
    } finally {
      c.close();
    }
    await page.getByRole('link', { name: 'Junk', exact: true }).click();
    const row = page.getByRole('table', { name: 'Last decisions for alice@ui.test' }).getByRole('row').filter({ hasText: 'Browser GTUBE' });
    await row.getByText('gtube, score 1.00').waitFor();
    await row.getByRole('listitem').filter({ hasText: 'gtube 1.00' }).waitFor();
    await row.getByRole('button', { name: 'Not junk: Browser GTUBE' }).click();
    await row.getByText('Junk (moved since)').waitFor();
    const [stats] = await apiCall<JunkStats[]>('junk.stats', { address: 'alice@ui.test' });
    assert.deepEqual([stats!.inJunk, stats!.counts.ham], [0, 1]);
    // The blocklists with their warning about public resolvers, and the threshold.
    await page.getByRole('form', { name: 'smtp.dnsblZones' }).getByText('through a public one (8.8.8.8, 1.1.1.1) they refuse').waitFor();
    await page.getByRole('form', { name: 'junk.threshold' }).waitFor();
    await page.getByRole('form', { name: 'junk.hamAfter' }).waitFor();
  });

  test('queue and certificate views; a new certificate from the page is the one served', async () => {
    await page.getByRole('link', { name: 'Queue' }).click();
    await page.getByText('The queue is empty.').waitFor();
    await page.getByRole('link', { name: 'Certificate' }).click();
    const before = (await apiCall<{ fingerprint256: string }>('cert.show')).fingerprint256;
    await page.getByText(before, { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Make a new self-signed certificate' }).click();
    await page.getByRole('button', { name: 'Make it now (clients ask to trust it again)' }).click();
    await page
      .getByRole('status')
      .getByText(/^New certificate in use/)
      .waitFor();
    const after = (await apiCall<{ fingerprint256: string }>('cert.show')).fingerprint256;
    assert.notEqual(after, before);
    await page.getByText(after, { exact: true }).waitFor();
  });

  test('updates: the version, why a homepost run from the checkout takes no update (the upload is test/update), the security updates choice', async () => {
    await page.getByRole('link', { name: 'Updates' }).click();
    await page.getByText(`This is homepost ${VERSION} for ${process.arch}.`).waitFor();
    await page.getByText('it runs from a source checkout, not as the single executable').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Upload and install' }).count(), 0);
    // Debian's security updates: the choice is written for the device's root side to apply.
    const choice = path.join(server.dataDir, 'system/security-updates');
    assert.equal(readFileSync(choice, 'utf8'), 'manual\n');
    await page.getByRole('button', { name: 'Install them automatically' }).click();
    await page.getByText('installed automatically').waitFor();
    assert.equal(readFileSync(choice, 'utf8'), 'automatic\n');
    assert.equal((await apiCall<{ securityUpdates: string }>('update.status')).securityUpdates, 'automatic');
    await page.getByRole('button', { name: 'Install them by hand' }).click();
    await page.getByText('installed by hand').waitFor();
    assert.equal(readFileSync(choice, 'utf8'), 'manual\n');
  });

  test('backups: Status warns until one is made; one made sealed in the page downloads byte for byte', async () => {
    await page.getByRole('link', { name: 'Status' }).click();
    await page.getByRole('alert').filter({ hasText: 'No backup yet.' }).waitFor();
    await page.getByRole('link', { name: 'Backups' }).click();
    await page.getByLabel('Passphrase (optional, 8 characters or more)').fill('a passphrase for the page');
    await page.getByRole('button', { name: 'Make a backup' }).click();
    await page
      .getByRole('status')
      .getByText(/^Backup made: homepost-backup-\d{8}-\d{6}\.tar\.sealed/)
      .waitFor();
    const list = await apiCall<BackupList>('backup.list');
    assert.equal(list.stale, false);
    assert.deepEqual(
      list.backups.map((b) => b.sealed),
      [true],
    );
    const name = list.backups[0]!.name;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `Download ${name}` }).click()]);
    assert.equal(download.suggestedFilename(), name);
    const saved = readFileSync((await download.path())!);
    assert.ok(saved.equals(readFileSync(path.join(list.backups[0]!.folder, name))));
    assert.equal(saved.toString('latin1', 0, 23), 'homepost-backup-sealed ');
    // Not run by a supervisor: no Restore here (test/backup/restore-page.test.ts restores).
    await page.getByText('homepost does not run as the device service here, so this page cannot restore.').waitFor();
    assert.equal(await page.getByRole('button', { name: `Restore ${name}` }).count(), 0);
    // Only a listed backup's name is served.
    for (const bad of ['../store.mdb', 'store.mdb', `${name}.partial`]) {
      assert.equal((await context.request.get(`${server.base}/api/backup?name=${encodeURIComponent(bad)}`)).status(), 404, bad);
    }
    // The schedule is set in the same view.
    const schedule = page.getByRole('form', { name: 'backup.schedule' });
    await schedule.getByLabel('New value for backup.schedule').fill('weekly');
    await schedule.getByRole('button', { name: 'Save' }).click();
    await schedule.getByText('weekly', { exact: true }).waitFor();
    assert.equal((await apiCall<{ value: unknown }>('config.get', { key: 'backup.schedule' })).value, 'weekly');
    await page.getByRole('link', { name: 'Status' }).click();
    await page.getByText(list.last!.file).waitFor();
    assert.equal(await page.getByRole('alert').filter({ hasText: 'No backup yet.' }).count(), 0);
  });

  test('move mail: an account exported to a Maildir from the page, imported into another; a second import adds nothing', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'homepost-browser-transfer-'));
    try {
      await page.getByRole('link', { name: 'Move mail' }).click();
      await page.getByLabel('Account').selectOption('alice@ui.test');
      await page.getByLabel('Format').selectOption('maildir');
      await page.getByLabel('New folder to write into').fill(path.join(dir, 'alice'));
      await page.getByRole('button', { name: 'Export' }).click();
      const exported = await page
        .getByRole('status')
        .getByText(/^Exported \d+ messages/)
        .textContent();
      const n = Number(/^Exported (\d+)/.exec(exported!)![1]);
      assert.ok(n >= 1, exported!);
      assert.ok(readdirSync(path.join(dir, 'alice', 'cur')).length >= 1, 'the INBOX message is in the Maildir');
      await page.getByLabel('Account').selectOption('dev@example.test');
      await page.getByLabel('From').selectOption('maildir');
      await page.getByLabel('Maildir folder').fill(path.join(dir, 'alice'));
      await page.getByRole('button', { name: 'Import' }).click();
      await page.getByRole('status').getByText(`Imported ${n} messages into`, { exact: false }).waitFor();
      await page.getByRole('button', { name: 'Import' }).click();
      await page.getByRole('status').getByText(`; ${n} were there already.`, { exact: false }).waitFor();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('settings: a value breaking its rule is refused naming the rule; a good one is what config.get returns', async () => {
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    await page.getByText('smtp', { exact: true }).click();
    const form = page.getByRole('form', { name: 'smtp.maxRecipients' });
    await form.getByLabel('New value for smtp.maxRecipients').fill('0');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByRole('alert').filter({ hasText: 'smtp.maxRecipients must be a whole number from 1 to 10000' }).waitFor();
    await form.getByLabel('New value for smtp.maxRecipients').fill('250');
    await form.getByRole('button', { name: 'Save' }).click();
    await form.getByText('250', { exact: true }).waitFor();
    assert.deepEqual([(await apiCall<{ value: unknown }>('config.get', { key: 'smtp.maxRecipients' })).value], [250]);
  });

  test('settings: the admin password changes only with the current one', async () => {
    const form = page.getByRole('form', { name: 'Change the admin password' });
    await form.getByLabel('Current admin password').fill('not the password');
    await form.getByLabel('New admin password').fill(NEW_ADMIN_PASSWORD);
    await form.getByLabel('Repeat the new password').fill(NEW_ADMIN_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await assertAlert(page, /the current password is wrong/);
    await form.getByLabel('Current admin password').fill(ADMIN_PASSWORD);
    await form.getByRole('button', { name: 'Change password' }).click();
    await page
      .getByRole('status')
      .getByText(/^Admin password changed/)
      .waitFor();
  });

  test('log out, log in again; a wrong password shows inline', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await page.getByLabel('Admin password', { exact: true }).fill('not the password');
    await page.getByRole('button', { name: 'Log in' }).click();
    await assertAlert(page, /wrong password/);
    // The password before the change no longer works.
    await page.getByLabel('Admin password', { exact: true }).fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await assertAlert(page, /wrong password/);
    await page.getByLabel('Admin password', { exact: true }).fill(NEW_ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    // The section in the URL is kept.
    await page.getByRole('heading', { name: 'Settings', exact: true }).waitFor();
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  });

  test('a page opened while homepost does not answer says so, then comes up by itself', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    // The first session check fails as a refused connection does; the ones after it go through.
    let refused = 0;
    await page.route('**/api/session', (route) => (refused++ === 0 ? route.abort('connectionrefused') : route.continue()));
    await page.reload();
    await assertAlert(page, /homepost does not answer/);
    await page.getByLabel('Admin password', { exact: true }).waitFor();
    assert.ok(refused >= 2, `asked again (${refused} session checks)`);
    await page.unroute('**/api/session');
  });
});

async function assertAlert(page: Page, text: RegExp): Promise<void> {
  await page.getByRole('alert').filter({ hasText: text }).waitFor();
}
