// The setup page on a 390 px phone and on a 1280 px screen, in headless Chromium: every view and
// every wizard step fits the viewport's width (nothing scrolls sideways), every form control has
// a label, and no element jumps the keyboard's focus order (tabindex > 0). The store holds long
// names and a queued message with its error, the widest content the views show. Screenshots of
// each view at both widths go to test/screenshots/ (README, "The setup page"; not committed).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CHROMIUM_ARGS, SCREENSHOTS, setUpAdmin } from './browser-support.ts';
import { startAdmin, type AdminServer } from './support.ts';

const VIEWS = [
  '#status',
  '#setup/1',
  '#setup/2',
  '#setup/3',
  '#setup/4',
  '#setup/5',
  '#setup/6',
  '#accounts',
  '#sending',
  '#relay',
  '#certificate',
  '#queue',
  '#junk',
  '#settings',
];
const WIDTHS = [390, 1280];

// Relays one message from loopback (trusted with --dev) to another domain.
const QUEUE_ONE = `
import smtplib, sys
s = smtplib.SMTP('127.0.0.1', int(sys.argv[1]), timeout=20)
s.sendmail('someone-with-a-long-name@example.test', ['a-very-long-recipient-name-for-layout@nowhere-at-all.invalid'], b'Subject: a subject line long enough to need wrapping on a phone screen\\r\\n\\r\\nhello\\r\\n')
s.quit()
`;

describe('setup page layout', () => {
  let server: AdminServer;
  let browser: Browser;

  before(async () => {
    server = await startAdmin();
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    mkdirSync(SCREENSHOTS, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    if (server) await server.stop();
  });

  test('content with long names: a domain, an account, an alias, a queued message', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await setUpAdmin(page, server, ADMIN);
    const call = async (method: string, params: Record<string, unknown>) => {
      const r = await context.request.post(`${server.base}/api/call/${method}`, { data: params });
      assert.equal(r.status(), 200, await r.text());
    };
    await call('domain.add', { domain: 'a-rather-long-family-domain-name.example' });
    await call('user.add', { address: 'firstname.lastname-of-someone@a-rather-long-family-domain-name.example', password: 'layout password 1' });
    await call('alias.add', {
      address: 'everyone@a-rather-long-family-domain-name.example',
      targets: ['firstname.lastname-of-someone@a-rather-long-family-domain-name.example', 'dev@example.test'],
    });
    // A resolver that refuses: the delivery is deferred (a temporary failure), not bounced.
    await call('config.set', { key: 'dns.servers', value: ['127.0.0.1:9'] });
    await promisify(execFile)('python3', ['-c', QUEUE_ONE, String(server.ports.smtp)]);
    // The first delivery attempt fails on DNS and leaves its error on the recipient.
    for (let i = 0; i < 100; i++) {
      const r = await context.request.post(`${server.base}/api/call/queue.list`, { data: {} });
      const rows = (await r.json()).result as { waiting: { attempts: number }[] }[];
      if (rows.length === 1 && rows[0].waiting[0].attempts > 0) break;
      assert.ok(i < 99, 'one queued message, tried once');
      await new Promise((res) => setTimeout(res, 100));
    }
    await context.close();
  });

  test('the keyboard alone: log in, open the wizard, save its first step', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${server.base}/`);
    // Tab until a control has focus whose label starts so; then type and press Enter.
    const tabTo = async (name: string) => {
      for (let i = 0; i < 40; i++) {
        await page.keyboard.press('Tab');
        if (String(await page.evaluate(FOCUSED_NAME)).startsWith(name)) return;
      }
      assert.fail(`Tab never reached ${name}`);
    };
    await page.getByRole('button', { name: 'Log in' }).waitFor();
    await tabTo('Admin password');
    await page.keyboard.type(ADMIN);
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: 'Log out' }).waitFor();
    await tabTo('Setup');
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Name and domain' }).waitFor();
    await page.getByLabel('Mail domain', { exact: true }).waitFor();
    await tabTo('Server name (empty: mail.');
    await page.keyboard.type('mail.keyboard.example');
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('this server is called mail.keyboard.example').waitFor();
    await context.close();
  });

  for (const width of WIDTHS) {
    test(`every view at ${width} px: no sideways scroll, labelled controls, natural focus order`, async () => {
      const context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width, height: 844 } });
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await logIn(page, server);
      for (const view of VIEWS) {
        await page.goto(`${server.base}/${view}`);
        await page.getByRole('heading', { level: 2 }).first().waitFor();
        // Let the view's data arrive (its loading state is narrower than its content).
        await page.waitForLoadState('networkidle');
        if (view === '#settings') for (const s of await page.locator('summary').all()) await s.click();
        const widths = (await page.evaluate(WIDTHS_NOW)) as { doc: number; viewport: number };
        assert.ok(widths.doc <= widths.viewport, `${view} at ${width} px is ${widths.doc} px wide`);
        const unlabelled = await page.evaluate(UNLABELLED);
        assert.deepEqual(unlabelled, [], `${view}: controls without a label or with tabindex > 0`);
        await page.screenshot({ path: path.join(SCREENSHOTS, `${view.slice(1).replace('/', '-')}-${width}.png`), fullPage: true });
      }
      await context.close();
    });
  }
});

async function logIn(page: Page, server: AdminServer): Promise<void> {
  // Should the page not come up: what it showed and what the server said meanwhile (refusals,
  // evictions, TLS, the requests it answered).
  const explain = async (e: Error) => {
    const said = server.logRecords().filter((r) => r.level !== 'info' || /^(net|tls|admin)\./.test(r.event));
    const shown = await page.evaluate('document.body.innerText').catch((f: Error) => `(unreadable: ${f.message})`);
    throw new Error(`${e.message}\npage shows: ${JSON.stringify(shown)}\nserver log: ${JSON.stringify(said.slice(-30))}`);
  };
  await page.goto(`${server.base}/`).catch(explain);
  await page.getByLabel('Admin password', { exact: true }).fill(ADMIN).catch(explain);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('button', { name: 'Log out' }).waitFor();
}

const ADMIN = 'layout admin password';

// Run in the page (the test's own TypeScript has no DOM types).
const FOCUSED_NAME = `(() => { const e = document.activeElement; return e.labels?.[0]?.querySelector('span')?.textContent ?? e.textContent; })()`;
const WIDTHS_NOW = '({ doc: document.documentElement.scrollWidth, viewport: window.innerWidth })';
const UNLABELLED = `[...document.querySelectorAll('input, select, textarea, button')]
  .filter((el) => !((el.labels?.length ?? 0) > 0 || el.getAttribute('aria-label') || (el.tagName === 'BUTTON' && el.textContent.trim())) || el.tabIndex > 0)
  .map((el) => el.outerHTML.slice(0, 120))`;
