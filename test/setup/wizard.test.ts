// The whole first-boot path as a home user walks it, in headless Chromium against `homepost
// serve`, with real peers for everything the wizard reaches: Pebble as the ACME CA (HTTP-01 on
// homepost's plain HTTP port), dnsmasq as the domain's DNS (first without the records, then with
// exactly those the page lists), and a second homepost as the provider's relay, which takes mail
// only after STARTTLS and AUTH. Then a mail program configured only from the autoconfig answer
// (curl fetches it) sends a message to the new account and reads it back, and the checklist is
// complete. Screenshots of every step at 1280 and 390 px go to test/screenshots/.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { DomainRecords } from '../../src/dns-records/records.ts';
import { createSmtpService } from '../../src/smtpserver/service.ts';
import { openPage, SCREENSHOTS, setUpAdmin } from '../admin/browser-support.ts';
import { startAdmin, type AdminServer } from '../admin/support.ts';
import { dnsmasqLine, startDnsmasq, type Dnsmasq } from '../dns/dnsmasq.ts';
import { inboxOf, tableResolver, until } from '../smtp/outbound/harness.ts';
import { startTestServer, type TestServer } from '../support/server.ts';
import { tempDir } from '../support/temp-store.ts';
import { startPebble, type Pebble } from '../tls/pebble.ts';
import { servedCert } from '../tls/served.ts';

const run = promisify(execFile);
const ADMIN = 'wizard admin password';
const DOMAIN = 'wizard.test';
const HOST = `mail.${DOMAIN}`;
const ANNA = { address: `anna@${DOMAIN}`, password: 'anna password 1' };
const MAIL_CLIENT = path.join(import.meta.dirname, '../autoconfig/mail_client.py');

describe('the setup wizard from first boot to mail in and out', () => {
  const dir = tempDir('homepost-wizard-');
  let pebble: Pebble;
  let dns: Dnsmasq;
  let relay: TestServer;
  let server: AdminServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: string[];

  before(async () => {
    pebble = await startPebble(dir);
    // The domain's zone is empty until the test publishes it.
    dns = await startDnsmasq(dir, [`local=/${DOMAIN}/`]);
    relay = await startTestServer({ starters: [createSmtpService({ resolve: tableResolver({}) })] });
    server = await startAdmin({ args: ['--listen', `http=127.0.0.1:${pebble.httpPort}`] });
    ({ browser, context, page, problems } = await openPage({
      viewport: { width: 1280, height: 900 },
      permissions: ['clipboard-read', 'clipboard-write'],
      timeoutMs: 20_000,
    }));
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await relay?.close();
    await dns?.stop();
    await pebble?.stop();
  });

  // The records the page lists, published at the domain's DNS. The public address is not known to
  // homepost here (dns.publicAddresses): an A record of a documentation address stands for it,
  // with the reverse DNS its provider would set.
  async function publish(): Promise<void> {
    const records = (await api('dns.records', { domain: DOMAIN })) as DomainRecords;
    const lines = records.records.filter((r) => r.kind === 'record' && r.value !== null).map(dnsmasqLine);
    await dns.restart([`local=/${DOMAIN}/`, ...lines, `address=/${HOST}/192.0.2.25`, `ptr-record=25.2.0.192.in-addr.arpa,${HOST}`]);
  }

  async function api<T = unknown>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const r = await context.request.post(`${server.base}/api/call/${method}`, { data: params });
    assert.equal(r.status(), 200, await r.text());
    return (await r.json()).result as T;
  }

  // The step as it looks at 1280 px, then on a 390 px phone (where nothing may scroll sideways).
  async function screenshots(step: string): Promise<void> {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(SCREENSHOTS, `wizard-${step}-1280.png`), fullPage: true });
    await page.setViewportSize({ width: 390, height: 844 });
    const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    await page.screenshot({ path: path.join(SCREENSHOTS, `wizard-${step}-390.png`), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });
    assert.ok(width <= 390, `step ${step} is ${width} px wide on a phone`);
  }

  test('first boot: the setup code, the admin password, then the wizard', async () => {
    await setUpAdmin(page, server, ADMIN);
    // What this test's peers need, set as an administrator would through the settings: the
    // resolver (the domain's DNS), and the ACME CA's directory and the certificate of its HTTPS.
    await api('config.set', { key: 'dns.servers', value: [`127.0.0.1:${dns.port}`] });
    await api('config.set', { key: 'acme.directoryUrl', value: pebble.directoryUrl });
    await api('config.set', { key: 'acme.caFile', value: pebble.caFile });
    // --dev made example.test and its account; this device is for wizard.test only.
    await api('user.del', { address: 'dev@example.test' });
    await api('domain.del', { domain: 'example.test' });
  });

  test('step 1: the domain and the server name (mail.<domain> by default)', async () => {
    await page.getByLabel('Mail domain', { exact: true }).fill(DOMAIN);
    await screenshots('1');
    await page.getByRole('button', { name: 'Save name and domain' }).click();
    await page.getByRole('status').getByText(`this server is called ${HOST}`).waitFor();
    assert.deepEqual(
      (await api<{ name: string }[]>('domain.list')).map((d) => d.name),
      [DOMAIN],
    );
    assert.equal((await api<{ value: unknown }>('config.get', { key: 'server.hostname' })).value, HOST);
  });

  test('step 2: a certificate from the ACME CA, answered on the plain HTTP port and served at once', async () => {
    await page.getByRole('link', { name: 'Next: Certificate' }).click();
    await page.getByRole('heading', { name: 'Certificate', exact: true }).waitFor();
    // The self-signed one followed the new names already.
    await page.getByText('This certificate was made by the server itself').waitFor();
    await page.getByLabel('Email for expiry notices (optional)').fill('owner@wizard.test');
    await page.getByRole('button', { name: 'Get a certificate' }).click();
    await page.getByText(/certificate received/).waitFor();
    await page.getByText(/This certificate was issued by .*Pebble Intermediate CA/).waitFor();
    await screenshots('2');
    const served = await servedCert(server.ports.imaps, { ca: await pebble.root(), servername: HOST });
    assert.equal(served.subjectAltName, `DNS:${HOST}`);
  });

  test('step 3: the DNS records, first missing, then found once published as listed', async () => {
    await page.getByRole('link', { name: 'Next: DNS records' }).click();
    const region = page.getByRole('region', { name: `Records for ${DOMAIN}` });
    await region.getByText('missing', { exact: true }).first().waitFor();
    await screenshots('3-missing');
    // The copy button puts the exact value on the clipboard.
    await region.getByRole('button', { name: `Copy MX value of ${DOMAIN}` }).click();
    assert.equal(await page.evaluate('navigator.clipboard.readText()'), `10 ${HOST}`);
    await publish();
    const checked = page.waitForResponse((r) => r.url().endsWith('/api/call/dns.check'));
    await page.getByRole('button', { name: 'Check again' }).click();
    await checked;
    await page.waitForLoadState('networkidle');
    const verdicts = await region.locator('.verdict').allTextContents();
    assert.deepEqual(
      verdicts.filter((v) => !v.startsWith('found') && !v.includes('optional')),
      [],
      `every required record found: ${verdicts.join(' | ')}`,
    );
    await screenshots('3-found');
  });

  test("step 4: through the provider's relay, with a test message the relay accepts", async () => {
    await page.getByRole('link', { name: 'Next: Sending out' }).click();
    const form = page.getByRole('form', { name: 'How mail leaves' });
    await form.getByLabel('through a relay').check();
    await form.getByLabel('Relay host', { exact: true }).fill('127.0.0.1');
    await form.getByLabel('Security').selectOption('starttls');
    await form.getByLabel('Port', { exact: true }).fill(String(relay.ports.submission));
    await form.getByLabel('User name (optional)').fill(relay.devAccount!.address);
    await form.getByLabel('Password', { exact: true }).fill(relay.devAccount!.password);
    // The relay's own certificate is self-signed.
    await form.getByLabel(/Check the relay’s certificate/).uncheck();
    await form.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').getByText('Saved: mail goes out through 127.0.0.1.').waitFor();
    const saved = await api<{ value: { user: string; password: string; security: string } }>('config.get', { key: 'outbound.smarthost' });
    assert.deepEqual([saved.value.user, saved.value.password, saved.value.security], [relay.devAccount!.address, '(set)', 'starttls']);
    await page.getByLabel('Send to (an address somewhere else)').fill(relay.devAccount!.address);
    await page.getByRole('button', { name: 'Send test message' }).click();
    await page.getByText(/^Accepted by 127\.0\.0\.1/).waitFor();
    await page.getByText(/the server answered 250 2\.\d\.\d/).waitFor();
    await screenshots('4');
    await until(() => inboxOf(relay.context.store, relay.devAccount!.address).length === 1, 'the test message at the relay');
  });

  test('step 5: an account; a mail program set up only from the autoconfig answer sends to it and reads it', async () => {
    await page.getByRole('link', { name: 'Next: Accounts and devices' }).click();
    await page.getByLabel('Address', { exact: true }).fill(ANNA.address);
    await page.getByLabel('Password', { exact: true }).fill(ANNA.password);
    await page.getByRole('button', { name: 'Add account' }).click();
    const settings = page.getByRole('region', { name: `Mail programs for ${ANNA.address}` });
    await settings.getByText(HOST, { exact: true }).waitFor();
    await screenshots('5');
    // Thunderbird's request, with the CA's root the only trust and the name resolved to loopback.
    const xmlFile = path.join(dir, 'config-v1.1.xml');
    const ca = path.join(dir, 'pebble-root.pem');
    writeFileSync(ca, await pebble.root());
    const url = `https://${HOST}:${server.ports.https}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(ANNA.address)}`;
    await run('curl', ['-sS', '--fail', '--cacert', ca, '--resolve', `${HOST}:${server.ports.https}:127.0.0.1`, '-o', xmlFile, url]);
    const client = run('python3', [
      MAIL_CLIENT,
      xmlFile,
      '--address',
      ANNA.address,
      '--cafile',
      ca,
      '--resolve',
      `${HOST}=127.0.0.1`,
      '--subject',
      'hello from the wizard',
    ]);
    client.child.stdin!.end(`${ANNA.password}\n`);
    const { stdout } = await client;
    const servers = (JSON.parse(stdout) as { servers: { type: string; result: unknown }[] }).servers;
    assert.ok(servers.some((s) => s.type === 'smtp') && servers.some((s) => s.type === 'imap'), stdout);
    for (const s of servers) assert.ok(s.result === 'sent' || Array.isArray(s.result), JSON.stringify(s));
  });

  test('step 6: the checklist asks for the SPF record that names the relay now, then is complete', async () => {
    await page.getByRole('link', { name: 'Next: Checklist' }).click();
    const dnsItem = page.getByRole('listitem').filter({ hasText: `DNS records of ${DOMAIN}` });
    await dnsItem.getByText(`1 not found yet: TXT ${DOMAIN}`).waitFor();
    await dnsItem.getByRole('link', { name: 'go to step 3' }).click();
    await page
      .getByRole('region', { name: `Records for ${DOMAIN}` })
      .getByText('v=spf1 mx ip4:127.0.0.1 ~all')
      .first()
      .waitFor();
    await publish();
    const items = (await api('setup')) as { id: string; state: string }[];
    assert.deepEqual(
      items.filter((i) => i.state !== 'done'),
      [],
    );
    assert.deepEqual(
      items.map((i) => i.id),
      ['domain', 'hostname', 'certificate', `dns:${DOMAIN}`, 'sending', 'account', 'received'],
    );
    await page.getByRole('link', { name: 'Checklist', exact: true }).click();
    await page.getByText('Everything is set up.').waitFor();
    await screenshots('6');
    assert.deepEqual(problems, [], 'no script errors or CSP violations');
  });
});
