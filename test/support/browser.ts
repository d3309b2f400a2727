/**
 * A headless Chromium for browser specs: playwright-core drives Debian's Chromium (/usr/bin/chromium,
 * installed by .ci/run with apt-get); no browser is downloaded.
 */
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.RBM_CHROMIUM ?? '/usr/bin/chromium';

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (its own cookies), as a separate user would have. */
  newUser(): Promise<{ context: BrowserContext; page: Page }>;
  close(): Promise<void>;
}

export async function launchBrowser(): Promise<TestBrowser> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install -y chromium (or set RBM_CHROMIUM)`);
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    // playwright gives the browser a fresh profile in a temporary --user-data-dir and removes it on close
  });
  const contexts: BrowserContext[] = [];
  return {
    browser,
    async newUser() {
      const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1360, height: 900 } });
      contexts.push(context);
      return { context, page: await context.newPage() };
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => undefined);
      await browser.close();
    },
  };
}

let shot = 0;
/** A full-page screenshot into out/screenshots/, numbered in the order the spec takes them. */
export async function screenshot(page: Page, name: string, dir = path.resolve('out/screenshots')): Promise<string> {
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
