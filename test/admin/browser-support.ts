// What the setup page's browser tests share: Debian's Chromium started headless for this closed
// network, where screenshots go, and first boot through the page itself.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { ROOT } from '../support/serve-child.ts';
import type { AdminServer } from './support.ts';

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

// Screenshots of the page's views and wizard steps (README, "The setup page"); not committed.
export const SCREENSHOTS = process.env.HOMEPOST_SCREENSHOTS ?? path.join(ROOT, 'test/screenshots');

// First boot: the setup code from the server's log and a new admin password; ends on the wizard.
export async function setUpAdmin(page: Page, server: AdminServer, password: string): Promise<void> {
  await page.goto(`${server.base}/`);
  await page.getByLabel('Setup code').fill(server.setupCode());
  await page.getByLabel('New admin password').fill(password);
  await page.getByLabel('Repeat the password').fill(password);
  await page.getByRole('button', { name: 'Set up' }).click();
  await page.getByRole('heading', { name: 'Name and domain' }).waitFor();
}
