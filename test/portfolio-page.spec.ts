/**
 * The M&E portfolio page at scale (issue 16): paged, filtered and sorted, with totals over every
 * readable project, and a data-quality column computed with set-based reads that must show exactly
 * what the report model computes project by project (the way the page computed it before).
 *
 * Data: a database of its own with the demo portfolio (6 projects) and 110 synthetic projects (116 in all,
 * three pages of 50), a few of them given data-quality problems: SYN0007 lost its 2025-Q4 value of
 * one indicator (missing, no data), SYN0008 lost an indicator's 2025-Q4 target (no target), SYN0009
 * has rejected rows in the quarantine, SYN0010 a source whose last run failed; SYN0001-SYN0005 have a
 * completed cycle.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTFOLIO_PAGE_SIZE, portfolioPage, portfolioQuality, type OutputStatus, type ProjectQuality } from '../app/admin-views.js';
import { principalFor } from '../app/auth.js';
import type { AppContext } from '../app/context.js';
import { importFile } from '../app/imports.js';
import { loadSynthPortfolio } from '../app/synth.js';
import { getProjectBundle, getProjectBundles } from '../db/portfolio-repository.js';
import type { Pool } from '../db/pool.js';
import { indicatorsWithoutValue } from '../db/quality-repository.js';
import { beginGatherRun, finishGatherRun } from '../db/sources-repository.js';
import { databaseNow, readRollupValuesAsOf } from '../db/values-repository.js';
import { SYNTH_LAST_QUARTER, SYNTH_TEMPLATE } from '../demo/synth.js';
import { qualityPeriod } from '../domain/periods.js';
import { emptyStatusCounts, type ProgressStatus } from '../domain/progress.js';
import { buildReportModel } from '../domain/report-model.js';
import type { IndicatorValue } from '../domain/results-framework.js';
import { ownDatabase } from './support/own-database.js';
import { Agent, databaseOnlyContext, serveWeb } from './support/web-agent.js';

let pool: Pool;
let ctx: AppContext;
let http: FastifyInstance;
let allCodes: string[];

const SYNTH_PROJECTS = 110;
const MISSING = 'SYN0007';
const NO_TARGET = 'SYN0008';
const QUARANTINED = 'SYN0009';
const STALE = 'SYN0010';
const COMPLETED = ['SYN0001', 'SYN0002', 'SYN0003', 'SYN0004', 'SYN0005'];

beforeAll(async () => {
  ({ pool } = await ownDatabase('portfolio_page'));
  await loadSynthPortfolio({ pool }, { projects: SYNTH_PROJECTS, force: true });
  // SYN0007: no 2025-Q4 value for its first indicator; SYN0008: no 2025-Q4 target for its first indicator.
  const firstIndicator = `SELECT i.id FROM indicators i JOIN projects p ON p.id = i.project_id WHERE p.code = $1 ORDER BY i.ordinal LIMIT 1`;
  await pool.query(`DELETE FROM indicator_values WHERE indicator_id = (${firstIndicator}) AND period = $2`, [MISSING, SYNTH_LAST_QUARTER]);
  await pool.query(`DELETE FROM indicator_targets WHERE indicator_id = (${firstIndicator}) AND period = $2`, [NO_TARGET, SYNTH_LAST_QUARTER]);
  // SYN0009: two rejected rows in the quarantine.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portfolio-page-'));
  const csv = path.join(dir, 'portfolio-page.csv');
  fs.writeFileSync(csv, ['project_code,indicator_code,period,value', `${QUARANTINED},NO-SUCH-INDICATOR,2025-Q1,5`, `${QUARANTINED},NOR-ANOTHER,2025-Q2,6`].join('\n'));
  const report = await importFile({ pool }, { path: csv, importedBy: 'me.officer' });
  expect(report.rejected).toBe(2);
  fs.rmSync(dir, { recursive: true, force: true });
  // SYN0010: a source whose last run failed.
  const { id } = await beginGatherRun(pool, { sourceId: 'portfolio-page-failing', sourceKind: 'form-api', projectCode: STALE, workflowId: 'gather/portfolio-page-failing', runId: 'portfolio-page-r1' });
  await finishGatherRun(pool, { id, sourceId: 'portfolio-page-failing', counts: { fetched: 0, accepted: 0, rejected: 0, unchanged: 0, skipped: 0 }, error: 'HTTP 401 from the form server', watermark: null, detail: {} });
  // A completed cycle for the first five synthetic projects (rows only: closed cycles need no Temporal).
  await pool.query(
    `INSERT INTO report_cycles (id, project_code, period, template_id, state, current_version, started_by)
     SELECT 'report-cycle/' || code || '/' || $1 || '/' || $2, code, $1, $2, 'completed', 1, 'me.officer' FROM projects WHERE code = ANY($3::text[])`,
    [SYNTH_LAST_QUARTER, SYNTH_TEMPLATE, COMPLETED],
  );
  allCodes = (await pool.query<{ code: string }>('SELECT code FROM projects ORDER BY code')).rows.map((r) => r.code);
  ctx = databaseOnlyContext(pool, 'portfolio-page');
  http = await serveWeb(ctx);
});
afterAll(async () => {
  await http?.close();
  await pool?.end();
});

/** What the page showed before: each project's bundle and full report model, one after the other. */
async function qualityAsBefore(code: string, read?: { now: string; values: Map<string, IndicatorValue[]> }): Promise<Pick<ProjectQuality, 'period' | 'byOutput' | 'missing'>> {
  const now = read?.now ?? await databaseNow(pool);
  const bundle = await getProjectBundle(pool, code);
  const period = qualityPeriod(bundle.project, now);
  if (!period) return { period, byOutput: [], missing: [] };
  const values = (read?.values ?? await readRollupValuesAsOf(pool, now)).get(code) ?? [];
  const model = buildReportModel({
    ...bundle, values, period,
    template: { id: 'portfolio', title: 'Portfolio', language: 'en', groupBy: 'unsdcf' },
    cycle: { id: null, version: 0, status: 'preview', dataAsOf: now }, approvals: [], generatedAt: now,
  });
  const byOutput: OutputStatus[] = model.sections.map((s) => {
    const byStatus: Record<ProgressStatus, number> = emptyStatusCounts();
    for (const r of s.rows) byStatus[r.status]++;
    return { key: s.key, title: s.title, illustrative: s.illustrative, indicators: s.rows.length, byStatus };
  });
  return { period, byOutput, missing: await indicatorsWithoutValue(pool, code, period) };
}

const projectRows = (html: string) => [...html.matchAll(/data-project-row="([^"]+)"/g)].map((m) => m[1]!);
const cellsOf = (row: string) => [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
/** The rows of "Latest status by UNSDCF output": project -> output -> [indicators, on track, at risk, off track, no target, no data, reported]. */
function outputRows(html: string): Map<string, Map<string, number[]>> {
  const out = new Map<string, Map<string, number[]>>();
  for (const m of html.matchAll(/<tr data-output="([^"]+)" data-project="([^"]+)">([\s\S]*?)<\/tr>/g)) {
    const cells = cellsOf(m[3]!);
    const byOutput = out.get(m[2]!) ?? new Map<string, number[]>();
    byOutput.set(m[1]!, cells.slice(2).map(Number));
    out.set(m[2]!, byOutput);
  }
  return out;
}
const figures = (o: OutputStatus) => [o.indicators, o.byStatus.on_track, o.byStatus.at_risk, o.byStatus.off_track, o.byStatus.no_target, o.byStatus.no_data, o.byStatus.reported];

describe('the portfolio page in pages', () => {
  it('shows every project once, 50 to a page in code order, with page links; past the last page shows the last', async () => {
    const me = await Agent.signedIn('me.officer');
    const pageCount = Math.ceil(allCodes.length / PORTFOLIO_PAGE_SIZE);
    expect(pageCount).toBe(3);
    const seen: string[] = [];
    for (let page = 1; page <= pageCount; page++) {
      const res = await me.fetch(`/portfolio${page === 1 ? '' : `?page=${page}`}`);
      expect(res.status).toBe(200);
      const html = await res.text();
      const rows = projectRows(html);
      expect(rows).toEqual(allCodes.slice((page - 1) * PORTFOLIO_PAGE_SIZE, page * PORTFOLIO_PAGE_SIZE));
      seen.push(...rows);
      // Each listed project has its data-quality row, and no other project has one.
      expect([...html.matchAll(/data-quality="([^"]+)"/g)].map((m) => m[1])).toEqual(rows);
      expect(html).toContain(`${(page - 1) * PORTFOLIO_PAGE_SIZE + 1}–${(page - 1) * PORTFOLIO_PAGE_SIZE + rows.length} of ${allCodes.length}`);
      if (page < pageCount) expect(html.replaceAll('&#x3D;', '=')).toContain(`href="/portfolio?page=${page + 1}" rel="next"`);
      else expect(html).not.toContain('rel="next"');
      // The totals span the whole portfolio on every page.
      expect(html).toMatch(new RegExp(`data-total="projects">${allCodes.length}<`));
    }
    expect(seen).toEqual(allCodes);
    expect(projectRows(await (await me.fetch('/portfolio?page=999')).text())).toEqual(allCodes.slice((pageCount - 1) * PORTFOLIO_PAGE_SIZE));
    // A malformed page or filter is ignored, never an error.
    const odd = await me.fetch('/portfolio?page=abc&sort=nonsense&flag=&state=');
    expect(odd.status).toBe(200);
    expect(projectRows(await odd.text())).toEqual(allCodes.slice(0, PORTFOLIO_PAGE_SIZE));
  });

  it("lists every cycle of a state, 25 a page, each state's list paged on its own while the projects keep their page", async () => {
    // 60 cancelled cycles of an earlier quarter (rows only: closed cycles need no Temporal), removed after.
    const cancelled = allCodes.filter((c) => c.startsWith('SYN')).slice(0, 60);
    await pool.query(
      `INSERT INTO report_cycles (id, project_code, period, template_id, state, current_version, started_by, started_at)
       SELECT 'report-cycle/' || code || '/2024-Q1/' || $1, code, '2024-Q1', $1, 'cancelled', 1, 'me.officer', now() - make_interval(mins => n::int)
         FROM unnest($2::text[]) WITH ORDINALITY AS t(code, n)`,
      [SYNTH_TEMPLATE, cancelled],
    );
    try {
      const me = await Agent.signedIn('me.officer');
      const cyclesOf = (html: string, state: string) => {
        const section = html.split(`data-cycles-state="${state}"`)[1]!.split('data-cycles-state=')[0]!;
        return [...section.matchAll(/href="\/cycles\/([^/"]+)\/2024-Q1\//g)].map((m) => m[1]!);
      };
      const listed: string[] = [];
      for (const page of [1, 2, 3]) {
        const res = await me.fetch(`/portfolio?page=2${page === 1 ? '' : `&cycles=cancelled&cyclesPage=${page}`}`);
        expect(res.status).toBe(200);
        const html = (await res.text()).replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
        const shown = cyclesOf(html, 'cancelled');
        expect(shown).toHaveLength(page < 3 ? 25 : 10);
        listed.push(...shown);
        expect(html).toContain(`cycles ${(page - 1) * 25 + 1}–${(page - 1) * 25 + shown.length} of 60`);
        // The projects stay on their page 2; the other states are not paged.
        expect(projectRows(html)).toEqual(allCodes.slice(PORTFOLIO_PAGE_SIZE, 2 * PORTFOLIO_PAGE_SIZE));
        if (page < 3) expect(html).toContain(`href="/portfolio?page=2&cycles=cancelled&cyclesPage=${page + 1}#cycles-cancelled"`);
        expect(html).not.toContain('data-cycles-pager="completed"');
      }
      // Newest first, each once: every cancelled cycle is reachable from the list.
      expect(listed).toEqual(cancelled);
      // A page past the last shows the last; a state without cycles in the query is ignored.
      const past = (await (await me.fetch('/portfolio?cycles=cancelled&cyclesPage=99')).text());
      expect(cyclesOf(past, 'cancelled')).toEqual(cancelled.slice(50));
      expect((await me.fetch('/portfolio?cycles=nonsense&cyclesPage=x')).status).toBe(200);
    } finally {
      await pool.query(`DELETE FROM report_cycles WHERE period = '2024-Q1' AND state = 'cancelled'`);
    }
  });

  it('reads the bundles of many projects at once exactly as one by one', async () => {
    const codes = ['LY10P0542', 'LY10P0551', 'LY10P0570', 'SYN0001', MISSING, NO_TARGET, 'SYN0110'];
    const many = await getProjectBundles(pool, [...codes, 'NO-SUCH-PROJECT']);
    expect([...many.keys()].sort()).toEqual([...codes].sort());
    for (const code of codes) expect(many.get(code), code).toEqual(await getProjectBundle(pool, code));
  });
});

describe('the data-quality column: the same figures as the report model', () => {
  it('portfolioQuality over every project equals the per-project report model computation', async () => {
    const me = (await principalFor(ctx, 'me.officer', 'session'))!;
    const quality = await portfolioQuality(ctx, me, allCodes);
    expect([...quality.keys()]).toEqual(allCodes);
    const seen = emptyStatusCounts();
    const now = await databaseNow(pool);
    const read = { now, values: await readRollupValuesAsOf(pool, now) }; // the data does not change in between
    for (const code of allCodes) {
      const q = quality.get(code)!;
      expect({ period: q.period, byOutput: q.byOutput, missing: q.missing }, code).toEqual(await qualityAsBefore(code, read));
      for (const o of q.byOutput) for (const [k, n] of Object.entries(o.byStatus)) seen[k as ProgressStatus] += n;
    }
    // The comparison covered every status, "no target" included.
    for (const [status, n] of Object.entries(seen)) expect(n, status).toBeGreaterThan(0);
    expect(quality.get(MISSING)!.missing.length).toBe(1);
    expect(quality.get(MISSING)!.byOutput.reduce((a, o) => a + o.byStatus.no_data, 0)).toBeGreaterThanOrEqual(1);
    expect(quality.get(NO_TARGET)!.byOutput.reduce((a, o) => a + o.byStatus.no_target, 0)).toBeGreaterThanOrEqual(1);
    expect(quality.get(QUARANTINED)!.quarantined).toBe(2);
    expect(quality.get(STALE)!.staleSources).toEqual([expect.objectContaining({ sourceId: 'portfolio-page-failing', reason: 'failed' })]);
  });

  it('the page shows, for each project on it, the counts the report model gives', async () => {
    const me = await Agent.signedIn('me.officer');
    const checked = new Set<string>();
    for (const page of [1, 2, 3]) {
      const html = await (await me.fetch(`/portfolio?page=${page}`)).text();
      const shown = outputRows(html);
      const onPage = projectRows(html);
      for (const code of onPage.filter((c) => !c.startsWith('SYN') || [MISSING, NO_TARGET, 'SYN0050', 'SYN0101'].includes(c))) {
        const before = await qualityAsBefore(code);
        expect(new Map([...(shown.get(code) ?? new Map())]), code).toEqual(new Map(before.byOutput.map((o) => [o.key, figures(o)])));
        const row = new RegExp(`<tr data-quality="${code}">([\\s\\S]*?)</tr>`).exec(html)![1]!;
        const cells = cellsOf(row);
        expect(cells[1], code).toBe(before.period ?? 'not started');
        if (before.missing.length) expect(cells[3]).toMatch(new RegExp(`^${before.missing.length} of \\d+ ${before.missing.join(', ')}`));
        else expect(cells[3]).toBe('none');
        checked.add(code);
      }
      // Only the page's projects have rows by output.
      expect([...shown.keys()].every((c) => onPage.includes(c))).toBe(true);
    }
    expect(checked).toContain(MISSING);
    expect(checked).toContain(NO_TARGET);
    expect(checked).toContain('LY10P0551');
  });
});

describe('filters, sorting and totals', () => {
  it('filters by data-quality flag, latest cycle state and search; sorts by issues; totals count every project', async () => {
    const me = await Agent.signedIn('me.officer');
    const quality = await portfolioQuality(ctx, (await principalFor(ctx, 'me.officer', 'session'))!, allCodes);
    const withMissing = allCodes.filter((c) => quality.get(c)!.missing.length);
    expect(withMissing).toContain(MISSING);

    expect(projectRows(await (await me.fetch('/portfolio?flag=quarantine')).text())).toEqual([QUARANTINED]);
    expect(projectRows(await (await me.fetch('/portfolio?flag=stale')).text())).toEqual([STALE]);
    expect(projectRows(await (await me.fetch('/portfolio?flag=missing')).text())).toEqual(withMissing.slice(0, PORTFOLIO_PAGE_SIZE));
    expect(projectRows(await (await me.fetch('/portfolio?state=completed')).text())).toEqual(COMPLETED);
    const none = projectRows(await (await me.fetch('/portfolio?state=none&page=3')).text());
    expect(none).toEqual(allCodes.filter((c) => !COMPLETED.includes(c)).slice(2 * PORTFOLIO_PAGE_SIZE));
    expect(projectRows(await (await me.fetch('/portfolio?q=syn000')).text())).toEqual(allCodes.filter((c) => /^SYN000\d$/.test(c)));
    expect(projectRows(await (await me.fetch('/portfolio?q=SYN0009&flag=quarantine')).text())).toEqual([QUARANTINED]);
    const noMatch = await (await me.fetch('/portfolio?q=no-such-project')).text();
    expect(projectRows(noMatch)).toEqual([]);
    // Nothing on the page: no per-page sections with an empty range ("projects 0–0").
    expect(noMatch).toContain('No project matches.');
    expect(noMatch).not.toContain('id="by-output"');
    expect(noMatch).not.toContain('0–0');

    const issues = (c: string) => { const q = quality.get(c)!; return q.quarantined + q.missing.length + q.staleSources.length; };
    const byIssues = [...allCodes].sort((a, b) => issues(b) - issues(a) || (a < b ? -1 : 1));
    expect(projectRows(await (await me.fetch('/portfolio?sort=issues')).text())).toEqual(byIssues.slice(0, PORTFOLIO_PAGE_SIZE));

    const html = await (await me.fetch('/portfolio?flag=quarantine')).text();
    expect(html).toMatch(new RegExp(`data-total="projects">${allCodes.length}<`)); // totals ignore the filters
    expect(html).toMatch(/data-total="quarantine"><a href="[^"]+">2 in 1 project</);
    expect(html.replaceAll('&#x3D;', '=')).toMatch(/data-latest-state="completed"><span class="state completed">Completed<\/span> <a href="\/portfolio\?state=completed">5</);
    expect(html).toMatch(new RegExp(`data-latest-state="none">.*?No cycle yet</span> <a href="[^"]+">${allCodes.length - COMPLETED.length}<`));
  });
});

describe('who sees which projects', () => {
  it("a project manager sees only the projects he manages, on every page, in every total and filter", async () => {
    const pm = await Agent.signedIn('pm.health'); // manager of LY10P0551 and LY10P0563
    const own = ['LY10P0551', 'LY10P0563'];
    for (const url of ['/portfolio', '/portfolio?page=2', '/portfolio?page=3', '/portfolio?flag=any', '/portfolio?q=SYN', '/portfolio?state=completed', '/portfolio?sort=issues']) {
      const res = await pm.fetch(url);
      expect(res.status, url).toBe(200);
      const html = await res.text();
      expect(projectRows(html).every((c) => own.includes(c)), url).toBe(true);
      const named = new Set([...html.matchAll(/\b(LY10P\d{4}|SYN\d{4})\b/g)].map((m) => m[1]));
      expect([...named].filter((c) => !own.includes(c!)), url).toEqual([]);
      expect(html, url).toMatch(/data-total="projects">2</);
      expect(html, url).toMatch(/data-total="quarantine"><span class="muted">none/); // SYN0009's rows are not his
    }
    expect(projectRows(await (await pm.fetch('/portfolio')).text())).toEqual(own);
  });

  it('a synthetic project manager sees his one project; a donor gets a 403', async () => {
    const pm = (await principalFor(ctx, 'pm.syn0042', 'session'))!;
    const view = await portfolioPage(ctx, pm, { search: '' });
    expect(view.projects.map((p) => p.code)).toEqual(['SYN0042']);
    expect(view.totals.projects).toBe(1);
    expect((await portfolioPage(ctx, pm, { page: 3, flag: 'any' })).projects).toEqual([]);
    expect((await portfolioPage(ctx, pm, { search: QUARANTINED })).totals.quarantine).toEqual({ projects: 0, rows: 0 });

    const donor = await Agent.signedIn('donor.eu');
    expect((await donor.fetch('/portfolio')).status).toBe(403);
    expect((await donor.fetch('/portfolio?page=2')).status).toBe(403);
  });
});
