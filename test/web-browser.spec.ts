/**
 * The approval round in a real browser (playwright-core driving Debian's Chromium): the M&E officer
 * starts the 2023-Q3 cycle of LY10P0576 (DTM: manager pm.dtm; donors DONOR-A and POOLED-FUND), the
 * manager returns the draft with a comment, the officer resubmits, the manager and then the Chief of
 * Mission approve, and donor.a downloads the final PDF. donor.b (who does not fund the project)
 * cannot reach that report by URL. Each page is screenshotted into out/screenshots/.
 */
import fs from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPassword, setDemoPasswords } from '../app/auth.js';
import { cycleStatus, waitForCycleState, waitForStep } from '../app/cycles.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { reportCycleId } from '../domain/report-cycle.js';
import { startHttpServer } from '../web/server.js';
import { launchBrowser, screenshot, type TestBrowser } from './support/browser.js';
import { freePort } from './support/global-setup.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';

const PROJECT = 'LY10P0576';
const PERIOD = '2023-Q3';
const CYCLE = reportCycleId(PROJECT, PERIOD, 'iom-donor-report');
const CYCLE_PATH = `/cycles/${PROJECT}/${PERIOD}/iom-donor-report`;
let sys: TestSystem;
let http: FastifyInstance;
let base: string;
let chrome: TestBrowser;

beforeAll(async () => {
  // Only this spec's own screenshots (numbered NN-name.png): other specs write theirs beside them.
  fs.mkdirSync('out/screenshots', { recursive: true });
  for (const f of fs.readdirSync('out/screenshots')) if (/^\d\d-(login|me-|pm-|com-|donor-|admin-users|admin-templates|account-|other-donor)/.test(f)) fs.rmSync(`out/screenshots/${f}`);
  sys = await startTestSystem('web-browser');
  await loadDemoPortfolio(sys.ctx, '2025-Q4');
  await setDemoPasswords(sys.ctx);
  const port = await freePort();
  http = await startHttpServer({ port, isReady: () => true, context: () => sys.ctx });
  base = `http://127.0.0.1:${port}`;
  chrome = await launchBrowser();
});
afterAll(async () => {
  await chrome?.close();
  await http?.close();
  await sys?.stop();
});

async function signIn(user: string): Promise<Page> {
  const { page } = await chrome.newUser();
  await page.goto(`${base}/`);
  await expect.poll(() => page.url()).toContain('/login');
  await page.fill('input[name=username]', user);
  await page.fill('input[name=password]', demoPassword(user));
  await page.click('button[type=submit]');
  await page.waitForLoadState('networkidle');
  expect(page.url()).not.toContain('/login');
  return page;
}

describe('approval round in the browser', () => {
  it('officer starts, manager returns, officer resubmits, manager and Chief of Mission approve, donor downloads', async () => {
    // The log-in page.
    const { page: anon } = await chrome.newUser();
    await anon.goto(`${base}/login`);
    await screenshot(anon, 'login');

    // The M&E officer starts the cycle from the portfolio.
    const officer = await signIn('me.officer');
    expect(officer.url()).toContain('/portfolio');
    await officer.selectOption('select[name=project]', PROJECT);
    await officer.fill('input[name=period]', PERIOD);
    expect(await officer.inputValue('select[name=template]')).toBe('iom-donor-report');
    await screenshot(officer, 'me-portfolio');
    await officer.click('form[action="/portfolio/cycles"] button[type=submit]');
    await officer.waitForLoadState('networkidle');
    expect(officer.url()).toContain(CYCLE_PATH);
    expect(await officer.textContent('.flash')).toMatch(/Started the 2023-Q3 report cycle/);
    await waitForStep(sys.ctx, CYCLE, 1, 0);

    // The manager finds the draft in the inbox, sees the PDF in the page, and returns it.
    const manager = await signIn('pm.dtm');
    expect(manager.url()).toContain('/inbox');
    expect(await manager.textContent('main')).toContain(PROJECT);
    await screenshot(manager, 'pm-inbox');
    await manager.click(`a[href="${CYCLE_PATH}"]`);
    await manager.waitForLoadState('networkidle');
    const frameSrc = await manager.getAttribute('iframe', 'src');
    expect(frameSrc).toMatch(/^\/files\/[0-9a-f-]{36}\?inline=1/);
    const pdf = await manager.request.get(`${base}${frameSrc!.split('#')[0]}`);
    expect(pdf.headers()['content-type']).toBe('application/pdf');
    expect((await pdf.body()).subarray(0, 5).toString()).toBe('%PDF-');
    await manager.waitForTimeout(2000); // let Chromium's PDF viewer paint the draft
    await screenshot(manager, 'pm-draft-v1');
    await manager.fill('textarea[name=comment]', 'Q3 IDP counts for Sebha look doubled: please check the DTM round 47 import.');
    await manager.click('button[value=return]');
    await manager.waitForLoadState('networkidle');
    expect(await manager.textContent('.flash')).toMatch(/returned version 1/);
    await waitForCycleState(sys.ctx, CYCLE, ['returned']);
    await manager.reload();
    await screenshot(manager, 'pm-returned');

    // The officer sees the comment and resubmits.
    await officer.goto(`${base}${CYCLE_PATH}`);
    expect(await officer.textContent('blockquote')).toContain('Sebha look doubled');
    await officer.fill('form[action$="/resubmit"] textarea[name=comment]', 'Re-imported round 47; duplicates removed.');
    await officer.waitForTimeout(2000);
    await screenshot(officer, 'me-resubmit');
    await officer.click('form[action$="/resubmit"] button[type=submit]');
    await officer.waitForLoadState('networkidle');
    expect(await officer.textContent('.flash')).toMatch(/Resubmitted/);
    await waitForStep(sys.ctx, CYCLE, 2, 0);

    // The manager approves version 2.
    await manager.goto(`${base}/inbox`);
    await manager.click(`a[href="${CYCLE_PATH}"]`);
    await manager.waitForLoadState('networkidle');
    expect(await manager.textContent('h1')).toContain('Awaiting approval');
    expect(await manager.textContent('main')).toContain('Draft v2');
    expect(await manager.textContent('main')).toContain('Since version 1');
    await manager.waitForTimeout(2000);
    await screenshot(manager, 'pm-draft-v2');
    await manager.click('button[value=approve]');
    await manager.waitForLoadState('networkidle');
    expect(await manager.textContent('.flash')).toMatch(/approved version 2/);
    await waitForStep(sys.ctx, CYCLE, 2, 1);

    // The Chief of Mission approves: the cycle finalizes and is delivered.
    const com = await signIn('com.libya');
    await com.goto(`${base}/inbox`);
    await screenshot(com, 'com-inbox');
    await com.click(`a[href="${CYCLE_PATH}"]`);
    await com.waitForLoadState('networkidle');
    await com.click('button[value=approve]');
    await com.waitForLoadState('networkidle');
    const final = await waitForCycleState(sys.ctx, CYCLE, ['completed']);
    expect(final.decisions.map((d) => `${d.by}:${d.decision}`)).toEqual(['pm.dtm:return', 'pm.dtm:approve', 'com.libya:approve']);
    await com.reload();
    expect(await com.textContent('h1')).toContain('Completed');
    await com.waitForTimeout(2000);
    await screenshot(com, 'com-completed');

    // The officer's portfolio shows it completed.
    await officer.goto(`${base}/portfolio`);
    await screenshot(officer, 'me-portfolio-after');

    // The donor downloads the final PDF from its portal.
    const donor = await signIn('donor.a');
    expect(donor.url()).toContain('/reports');
    expect(await donor.textContent('main')).toContain(PROJECT);
    await screenshot(donor, 'donor-reports');
    const finalPdf = final.final.find((f) => f.format === 'pdf')!;
    const [download] = await Promise.all([donor.waitForEvent('download'), donor.click(`a[href="/files/${finalPdf.id}"]`)]);
    expect(download.suggestedFilename()).toBe(finalPdf.filename);
    const bytes = fs.readFileSync((await download.path())!);
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(bytes.length).toBe(finalPdf.sizeBytes);
    // A donor reaches no staff page.
    const portfolio = await donor.goto(`${base}/portfolio`);
    expect(portfolio!.status()).toBe(403);
  });

  it('admin pages list users with their roles and the templates with their approval chains', async () => {
    const admin = await signIn('admin');
    await admin.goto(`${base}/admin/users`);
    expect(await admin.textContent('main')).toContain('pm.dtm');
    await screenshot(admin, 'admin-users');
    await admin.goto(`${base}/admin/templates`);
    expect(await admin.textContent('main')).toMatch(/Project manager \(Project manager\) → Chief of Mission/);
    await screenshot(admin, 'admin-templates');
    await admin.click('a[href="/account"]');
    await admin.fill('input[name=name]', 'Power BI refresh');
    await admin.click('form[action="/account/tokens"] button[type=submit]');
    await admin.waitForLoadState('networkidle');
    expect(await admin.textContent('code.token')).toMatch(/^rbm_/);
    await screenshot(admin, 'account-token-created');
  });

  it("a donor cannot reach another donor's report by URL", async () => {
    const status = await cycleStatus(sys.ctx, CYCLE);
    const finalPdf = status.final.find((f) => f.format === 'pdf')!;
    const draftPdf = status.versions.at(-1)!.draft.find((f) => f.format === 'pdf')!;
    const other = await signIn('donor.b'); // funds LY10P0570 and LY10P0558, not LY10P0576
    expect(await other.textContent('main')).not.toContain(PROJECT);
    for (const path of [`/files/${finalPdf.id}`, `/files/${draftPdf.id}`, `/api/v1/files/${finalPdf.id}`, CYCLE_PATH, `/api/v1/cycles/${PROJECT}/${PERIOD}/iom-donor-report`]) {
      const res = await other.request.get(`${base}${path}`);
      expect([403, 404], path).toContain(res.status());
      expect(res.headers()['content-type'], path).not.toBe('application/pdf');
    }
    const page = await other.goto(`${base}/files/${finalPdf.id}`);
    expect(page!.status()).toBe(404);
    await screenshot(other, 'other-donor-denied');
  });
});
