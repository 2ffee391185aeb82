// What the setup page's browser tests share: Debian's Chromium started headless for this closed
// network, where screenshots go, and first boot through the page itself.
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { ROOT } from '../support/serve-child.ts';
import type { AdminServer } from './support.ts';

export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

// Screenshots of the page's views and wizard steps (README, "The setup page"); not committed.
export const SCREENSHOTS = process.env.HOMEPOST_SCREENSHOTS ?? path.join(ROOT, 'test/screenshots');

export interface BrowserPage {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  // Script errors and CSP violations the page reported (answers the test asks for, like a 403
  // for a wrong code, show on the console too: those are left out).
  problems: string[];
}

// Chromium with one page; viewport and permissions as the test needs.
export async function openPage(o: { viewport?: { width: number; height: number }; permissions?: string[]; timeoutMs?: number } = {}): Promise<BrowserPage> {
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const context = await browser.newContext({ ignoreHTTPSErrors: true, ...(o.viewport ? { viewport: o.viewport } : {}) });
  if (o.permissions) await context.grantPermissions(o.permissions);
  const page = await context.newPage();
  page.setDefaultTimeout(o.timeoutMs ?? 15_000);
  const problems: string[] = [];
  page.on('console', (m) => m.type() === 'error' && !m.text().startsWith('Failed to load resource') && problems.push(m.text()));
  page.on('pageerror', (e) => problems.push(e.message));
  return { browser, context, page, problems };
}

// First boot: the setup code from the server's log and a new admin password; ends on the wizard.
export async function setUpAdmin(page: Page, server: AdminServer, password: string): Promise<void> {
  await page.goto(`${server.base}/`);
  await page.getByLabel('Setup code').fill(server.setupCode());
  await page.getByLabel('New admin password').fill(password);
  await page.getByLabel('Repeat the password').fill(password);
  await page.getByRole('button', { name: 'Set up' }).click();
  await page.getByRole('heading', { name: 'Name and domain' }).waitFor();
}
