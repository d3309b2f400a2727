/**
 * The M&E portfolio's status by UNSDCF output and data quality, the admin pages (donors and
 * agreements, schedules with pause and resume) and the data/admin JSON API (quarantine, imports,
 * deliveries, agreements, schedules, frameworks), over real HTTP against the real servers.
 *
 * Data: the demo portfolio; project LY10P0551 (MHPSS: manager pm.health, donor EU), whose demo data
 * misses OP1.1.b in 2024-Q3. Screenshots of the new pages go to out/screenshots/.
 */
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { groupByOutput, portfolioQuality } from '../app/admin-views.js';
import { demoPassword, principalFor, setDemoPasswords } from '../app/auth.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { contributionOf } from '../domain/report-model.js';
import { beginGatherRun, finishGatherRun } from '../db/sources-repository.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import { startHttpServer } from '../web/server.js';
import { launchBrowser, screenshot } from './support/browser.js';
import { freePort } from './support/global-setup.js';
import { startTestSystem, type TestSystem } from './support/test-system.js';
import { Agent, useWebServer } from './support/web-agent.js';

const PROJECT = 'LY10P0551';
let sys: TestSystem;
let http: FastifyInstance;
let base: string;


beforeAll(async () => {
  sys = await startTestSystem('web-admin');
  await loadDemoPortfolio(sys.ctx, '2025-Q4');
  await setDemoPasswords(sys.ctx);
  const port = await freePort();
  http = await startHttpServer({ port, isReady: () => true, context: () => sys.ctx });
  base = `http://127.0.0.1:${port}`;
  useWebServer(base);
});
afterAll(async () => {
  await http?.close();
  await sys?.stop();
});

async function officerQuality(now?: string) {
  const p = (await principalFor(sys.ctx, 'me.officer', 'session'))!;
  return (await portfolioQuality(sys.ctx, p, [PROJECT], { now })).get(PROJECT)!;
}

describe('M&E portfolio: status by UNSDCF output and data quality', () => {
  it("groups each project's indicators by the UNSDCF output its results contribute to", async () => {
    const q = await officerQuality();
    const bundle = await getProjectBundle(sys.ctx.pool, PROJECT);
    const results = new Map(bundle.results.map((r) => [r.code, r]));
    const nodes = new Map(bundle.frameworkNodes.map((n) => [n.code, n]));
    const expected = new Map<string, number>();
    for (const i of bundle.indicators) {
      const key = contributionOf(results.get(i.resultCode)!, 'unsdcf', results, nodes)?.code ?? 'other';
      expected.set(key, (expected.get(key) ?? 0) + 1);
    }
    expect(new Map(q.byOutput.map((o) => [o.key, o.indicators]))).toEqual(expected);
    expect(q.byOutput.some((o) => o.key.startsWith('UNSDCF-'))).toBe(true);
    for (const o of q.byOutput) expect(Object.values(o.byStatus).reduce((a, b) => a + b, 0)).toBe(o.indicators);

    const grouped = groupByOutput(new Map([[PROJECT, q]]), new Map([[PROJECT, 'MHPSS']]));
    expect(grouped.map((g) => g.key)).toEqual(q.byOutput.map((o) => o.key));

    const page = await (await (await Agent.signedIn('me.officer')).fetch('/portfolio')).text();
    for (const key of expected.keys()) expect(page).toContain(`data-output="${key}" data-project="${PROJECT}"`);
    expect(page).toMatch(/Latest status by UNSDCF output/);
  });

  it('lists the indicators without a value for the quarter checked', async () => {
    const q = await officerQuality('2024-10-15T00:00:00Z');
    expect(q.period).toBe('2024-Q3');
    expect(q.missing).toContain('OP1.1.b'); // MISSING_CELLS of the demo data
    const noData = q.byOutput.reduce((a, o) => a + o.byStatus.no_data, 0);
    expect(noData).toBeGreaterThanOrEqual(1);
  });

  it('counts the rejected rows of each project in the quarantine, through POST /api/v1/imports and GET /api/v1/quarantine', async () => {
    const me = await Agent.signedIn('me.officer');
    const before = (await officerQuality()).quarantined;
    const beforeApi = (await me.json(`/api/v1/quarantine?project=${PROJECT}`)).length;
    const csv = ['project_code,indicator_code,period,value', `${PROJECT},NO-SUCH-INDICATOR,2023-Q2,5`, `${PROJECT},OP1.1.b,2023-Q2,many`, `${PROJECT},OP1.1.b,2023-Q1,12`].join('\n');
    const body = new FormData();
    body.append('file', new Blob([csv], { type: 'text/csv' }), 'web-admin-upload.csv');
    const res = await me.fetch('/api/v1/imports', { method: 'POST', body, headers: { 'x-csrf-token': me.csrf } });
    const report = await res.json();
    expect(res.status, JSON.stringify(report)).toBe(200);
    expect(report).toMatchObject({ rejected: 2, refused: false });
    expect(report.accepted + report.unchanged).toBe(1);
    expect(report.errors).toEqual([
      expect.objectContaining({ file: 'web-admin-upload.csv', row: 2, column: 'indicator_code' }),
      expect.objectContaining({ file: 'web-admin-upload.csv', row: 3, column: 'value' }),
    ]);

    const quarantined = await me.json(`/api/v1/quarantine?project=${PROJECT}`);
    expect(quarantined.length).toBe(beforeApi + 2);
    expect(quarantined.filter((q: { file: string }) => q.file === 'web-admin-upload.csv').map((q: { row: number }) => q.row).sort()).toEqual([2, 3]); // quarantine ids follow no row order
    expect((await officerQuality()).quarantined).toBe(before + 2);
    const page = await (await me.fetch('/portfolio')).text();
    expect(page).toMatch(new RegExp(`data-quality="${PROJECT}">[\\s\\S]*?${before + 2} in quarantine`));

    // Without a file, or without the CSRF token, nothing is imported.
    const noFile = await me.fetch('/api/v1/imports', { method: 'POST', body: new FormData(), headers: { 'x-csrf-token': me.csrf } });
    expect(noFile.status).toBe(400);
    expect(await noFile.json()).toMatchObject({ field: 'file', in: 'body' });
    const forged = await me.fetch('/api/v1/imports', { method: 'POST', body });
    expect(forged.status).toBe(403);
    // A file refused as a whole is a 400 that says why.
    const bad = new FormData();
    bad.append('file', new Blob(['what,ever\n1,2'], { type: 'text/csv' }), 'wrong-header.csv');
    const refused = await me.fetch('/api/v1/imports', { method: 'POST', body: bad, headers: { 'x-csrf-token': me.csrf } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ refused: true, accepted: 0, errors: expect.arrayContaining([expect.objectContaining({ file: 'wrong-header.csv', row: 1 })]) });
  });

  it('flags a source whose last run failed, or whose last success is too old; a fresh success clears it', async () => {
    const run = async (sourceId: string, error: string | null, runId: string) => {
      const { id } = await beginGatherRun(sys.ctx.pool, { sourceId, sourceKind: 'form-api', projectCode: PROJECT, workflowId: `gather/${sourceId}`, runId });
      await finishGatherRun(sys.ctx.pool, { id, sourceId, counts: { fetched: 0, accepted: 0, rejected: 0, unchanged: 0, skipped: 0 }, error, watermark: null, detail: {} });
      return id;
    };
    const tag = Date.now();
    await run(`web-admin-failing-${tag}`, 'HTTP 401 from the form server', `r1-${tag}`);
    const oldRun = await run(`web-admin-old-${tag}`, null, `r2-${tag}`);
    await sys.ctx.pool.query(`UPDATE gather_runs SET started_at = now() - interval '30 days', finished_at = now() - interval '30 days' WHERE id = $1`, [oldRun]);
    await run(`web-admin-fresh-${tag}`, null, `r3-${tag}`);

    const stale = new Map((await officerQuality()).staleSources.map((s) => [s.sourceId, s]));
    expect(stale.get(`web-admin-failing-${tag}`)).toMatchObject({ reason: 'failed', lastError: 'HTTP 401 from the form server', lastSuccessAt: null });
    expect(stale.get(`web-admin-old-${tag}`)).toMatchObject({ reason: 'old' });
    expect(stale.has(`web-admin-fresh-${tag}`)).toBe(false);

    const page = await (await (await Agent.signedIn('me.officer')).fetch('/portfolio')).text();
    expect(page).toContain(`web-admin-failing-${tag}: last run failed`);
    expect(page).toContain(`web-admin-old-${tag}: last success`);

    await run(`web-admin-failing-${tag}`, null, `r4-${tag}`);
    expect((await officerQuality()).staleSources.map((s) => s.sourceId)).not.toContain(`web-admin-failing-${tag}`);
  });
});

describe('admin: donors and agreements', () => {
  it('adds and then changes an agreement with the form; its Temporal Schedule follows', async () => {
    const admin = await Agent.signedIn('admin');
    const page = await (await admin.fetch('/admin/agreements')).text();
    expect(page).toMatch(/European Union \(illustrative\)/);

    const form = { donor: 'EU', project: PROJECT, template: 'donor-summary', frequency: 'semiannual', dueDays: '45', leadDays: '20' };
    const saved = await admin.postForm('/admin/agreements', form);
    expect(saved.status).toBe(302);
    const scheduleId = `agreement/EU/${PROJECT}/donor-summary`;
    const listed = (await admin.json(`/api/v1/agreements?project=${PROJECT}`)).find((a: { templateId: string }) => a.templateId === 'donor-summary');
    expect(listed).toMatchObject({ donorCode: 'EU', frequency: 'semiannual', dueDays: 45, leadDays: 20, sendExcel: false });
    let d = await sys.ctx.temporal.schedule.getHandle(scheduleId).describe();
    expect(d.spec.calendars?.[0]?.month?.map((m) => m.start)).toEqual(['JANUARY', 'JULY']);

    const edit = await (await admin.fetch(`/admin/agreements?edit=${listed.id}`)).text();
    expect(edit).toMatch(/<option value="semiannual" selected>/);
    expect((await admin.postForm('/admin/agreements', { ...form, frequency: 'quarterly', sendExcel: 'on' })).status).toBe(302);
    const changed = (await admin.json(`/api/v1/agreements?project=${PROJECT}`)).filter((a: { templateId: string }) => a.templateId === 'donor-summary');
    expect(changed).toEqual([expect.objectContaining({ id: listed.id, frequency: 'quarterly', sendExcel: true })]);
    d = await sys.ctx.temporal.schedule.getHandle(scheduleId).describe();
    expect(d.spec.calendars?.[0]?.month?.map((m) => m.start)).toEqual(['JANUARY', 'APRIL', 'JULY', 'OCTOBER']);
    expect(await (await admin.fetch('/admin/agreements')).text()).toContain(scheduleId);
  });

  it('refuses a bad form with the field named, and a donor that does not fund the project', async () => {
    const admin = await Agent.signedIn('admin');
    const base = { donor: 'EU', project: PROJECT, template: 'iom-donor-report', frequency: 'quarterly', dueDays: '30', leadDays: '15' };
    const lead = await admin.postForm('/admin/agreements', { ...base, leadDays: '40' });
    expect(lead.status).toBe(400);
    expect(await lead.text()).toMatch(/field &quot;leadDays&quot;|field "leadDays"/);
    const freq = await admin.postForm('/admin/agreements', { ...base, frequency: 'monthly' });
    expect(freq.status).toBe(400);
    const mission = await admin.postForm('/admin/agreements', { ...base, template: 'mission-overview' });
    expect(mission.status).toBe(400);
    const notFunding = await admin.postForm('/admin/agreements', { ...base, donor: 'DONOR-B' });
    expect(notFunding.status).toBe(400);
    expect(await notFunding.text()).toMatch(/does not fund project/);
  });
});

describe('admin: schedules', () => {
  it('lists agreement and source schedules with their next run, and pauses and resumes one', async () => {
    const admin = await Agent.signedIn('admin');
    const id = `agreement/EU/${PROJECT}/donor-summary`;
    await admin.postForm('/admin/agreements', { donor: 'EU', project: PROJECT, template: 'donor-summary', frequency: 'quarterly', dueDays: '45', leadDays: '20' });
    await expect.poll(async () => (await admin.json('/api/v1/schedules?kind=agreement')).map((s: { id: string }) => s.id), { timeout: 20_000 }).toContain(id);
    const listed = (await admin.json('/api/v1/schedules')).find((s: { id: string }) => s.id === id);
    expect(listed).toMatchObject({ kind: 'agreement', paused: false, workflowType: 'agreementCycleWorkflow' });
    expect(Date.parse(listed.nextRun)).toBeGreaterThan(Date.now());

    expect((await admin.postForm('/admin/schedules/pause', { id })).status).toBe(302);
    let d = await sys.ctx.temporal.schedule.getHandle(id).describe();
    expect(d.state).toMatchObject({ paused: true, note: 'paused by admin in the web application' });
    const page = await (await admin.fetch('/admin/schedules')).text();
    expect(page).toMatch(new RegExp(`data-schedule="${id}">[\\s\\S]*?paused[\\s\\S]*?action="/admin/schedules/resume"`));

    expect((await admin.postForm('/admin/schedules/resume', { id })).status).toBe(302);
    d = await sys.ctx.temporal.schedule.getHandle(id).describe();
    expect(d.state.paused).toBe(false);

    expect((await admin.postForm('/admin/schedules/pause', { id: 'agreement/NOPE/NOPE/none' })).status).toBe(404);
    expect((await admin.postForm('/admin/schedules/pause', { id: 'report-cycle/whatever' })).status).toBe(404);
  });
});

describe('data and admin API', () => {
  it('serves deliveries, frameworks as trees, and validates queries naming the field', async () => {
    const me = await Agent.signedIn('me.officer');
    expect(Array.isArray(await me.json('/api/v1/deliveries'))).toBe(true);
    const bad = await me.fetch('/api/v1/deliveries?state=lost');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_input', field: 'state', in: 'query' });
    expect(await (await me.fetch('/api/v1/quarantine?limit=0')).json()).toMatchObject({ field: 'limit', in: 'query' });

    const pm = await Agent.signedIn('pm.health');
    const unsdcf = await pm.json('/api/v1/frameworks?framework=unsdcf');
    expect(unsdcf.length).toBeGreaterThan(0);
    expect(unsdcf.every((n: { framework: string; parentCode: string | null }) => n.framework === 'unsdcf' && n.parentCode === null)).toBe(true);
    const outputs = unsdcf.flatMap((sp: any) => sp.children.flatMap((oc: any) => oc.children));
    expect(outputs.length).toBeGreaterThan(0);
    expect(outputs.every((o: { level: string }) => o.level === 'output')).toBe(true);
    expect(outputs.some((o: { projects: string[] }) => o.projects.includes(PROJECT))).toBe(true);
    expect((await pm.fetch('/api/v1/frameworks?framework=nope')).status).toBe(400);
  });

  it('documents the new endpoints in /openapi.json', async () => {
    const doc = await (await fetch(`${base}/openapi.json`)).json();
    for (const p of ['/api/v1/quarantine', '/api/v1/deliveries', '/api/v1/agreements', '/api/v1/schedules', '/api/v1/frameworks']) expect(doc.paths[p]?.get, p).toBeDefined();
    expect(doc.paths['/api/v1/imports'].post.requestBody.content['multipart/form-data'].schema.required).toEqual(['file']);
    expect(doc.paths['/api/v1/deliveries'].get.parameters.map((p: { name: string }) => p.name)).toEqual(['cycle', 'state']);
    expect(doc.paths['/api/v1/projects']).toBeDefined(); // the existing routes are still there
  });
});

describe('screenshots of the new pages', () => {
  it('portfolio (by UNSDCF output, data quality), agreements and schedules', async () => {
    const chrome = await launchBrowser();
    try {
      const signIn = async (user: string): Promise<Page> => {
        const { page } = await chrome.newUser();
        await page.goto(`${base}/login`);
        await page.fill('input[name=username]', user);
        await page.fill('input[name=password]', demoPassword(user));
        await page.click('button[type=submit]');
        await page.waitForLoadState('networkidle');
        return page;
      };
      const officer = await signIn('me.officer');
      await officer.goto(`${base}/portfolio`);
      await expect.poll(() => officer.locator('#by-output h3').count()).toBeGreaterThan(0);
      await screenshot(officer, 'admin-portfolio-quality');
      const admin = await signIn('admin');
      await admin.goto(`${base}/admin/agreements`);
      expect(await admin.locator('[data-agreement]').count()).toBeGreaterThan(0);
      await screenshot(admin, 'admin-agreements');
      await admin.goto(`${base}/admin/schedules`);
      const row = admin.locator(`[data-schedule="agreement/EU/${PROJECT}/donor-summary"]`);
      await row.locator('button', { hasText: 'Pause' }).click();
      await admin.waitForLoadState('networkidle');
      expect(await row.locator('button').innerText()).toBe('Resume');
      await screenshot(admin, 'admin-schedules');
      await row.locator('button', { hasText: 'Resume' }).click();
      await admin.waitForLoadState('networkidle');
    } finally {
      await chrome.close();
    }
  });
});
