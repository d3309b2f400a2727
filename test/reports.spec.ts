/**
 * Donor reports end to end on the real PostgreSQL: every template rendered for LY10P0542 2025-Q3 through
 * buildReportFiles (the code the render activity runs), the workbook read back and compared cell by
 * cell with the domain's numbers, the PDF text extracted with pdftotext, the mission overview across
 * every project, per-cycle narrative printed as typed, and `rbm report render` run as a process.
 */
import { workbookOf } from './support/workbooks.js';
import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildReportFiles, type ReportFiles } from '../activities/report-files.js';
import { writeNarrative } from '../app/reports.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { PROJECT_ROOT } from '../config/config.js';
import { migrateDatabase } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { getProjectBundle, listProjects } from '../db/portfolio-repository.js';
import { databaseNow, readRollupValuesAsOf, readValuesAsOf } from '../db/values-repository.js';
import { computeIndicatorProgress, type IndicatorProgress } from '../domain/progress.js';
import { projectQuartersTo } from '../domain/report-model.js';
import type { MissionOverviewModel } from '../domain/rollup.js';
import { reduceForRollup } from '../domain/rollup-values.js';
import type { Indicator, IndicatorValue } from '../domain/results-framework.js';
import { closePdfPool } from '../render/pdf/pool.js';
import { createLogger } from '../runtime/logger.js';

const PROJECT = 'LY10P0542';
const PERIOD = '2025-Q3';
let pool: Pool;
let dataAsOf: string;
const outDir = path.join(inject('scratchDir'), 'out', 'reports');

beforeAll(async () => {
  await migrateDatabase(inject('databaseUrl'), createLogger('warn'));
  pool = createPool(inject('databaseUrl'));
  await loadDemoPortfolio({ pool }, '2025-Q4');
  await writeNarrative({ pool }, {
    projectCode: PROJECT, period: PERIOD, templateId: 'eu-results-report', sectionKey: 'challenges', by: 'me.officer',
    text: 'Access to the south was limited & one workshop moved <b>online</b> {{project.code}}.',
  });
  await writeNarrative({ pool }, { projectCode: PROJECT, period: PERIOD, templateId: 'eu-results-report', sectionKey: 'indicator:OC1.a', by: 'me.officer', text: 'Two drafts are with the ministry.' });
  dataAsOf = await databaseNow(pool);
  fs.mkdirSync(outDir, { recursive: true });
});
afterAll(async () => {
  await closePdfPool();
  await pool?.end();
});

const render = (templateId: string, projectCode = PROJECT) =>
  buildReportFiles(pool, { projectCode, period: PERIOD, templateId, dataAsOf, cycleId: null, version: 0, stage: 'preview', decisions: [], generatedAt: '2025-10-10T10:00:00Z' });

function pdfText(files: ReportFiles, name: string): { plain: string; pages: number } {
  const file = path.join(outDir, name);
  fs.writeFileSync(file, files.files.find((f) => f.format === 'pdf')!.content);
  const layout = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  return { plain: execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' '), pages: layout.split('\f').filter((p) => p.trim()).length };
}

/** The domain's own numbers for the project, straight from the database (independent of the model). */
async function domainProgress(projectCode: string): Promise<Map<string, { indicator: Indicator; progress: IndicatorProgress }>> {
  const bundle = await getProjectBundle(pool, projectCode);
  const values = await readValuesAsOf(pool, projectCode, dataAsOf);
  const quarters = projectQuartersTo(bundle.project, PERIOD);
  return new Map(bundle.indicators.map((i) => [i.code, { indicator: i, progress: computeIndicatorProgress(i, values, PERIOD, quarters) }]));
}

/** ITT cells by indicator code and header ("Period actual", "2025-Q3 Actual"). */
function ittRows(wb: ExcelJS.Workbook): Map<string, Map<string, unknown>> {
  const ws = wb.getWorksheet('ITT')!;
  const headers = new Map<number, string>();
  ws.getRow(2).eachCell((cell, n) => {
    const band = String(ws.getRow(1).getCell(n).value);
    headers.set(n, band === String(cell.value) ? String(cell.value) : `${band} ${String(cell.value)}`);
  });
  const code = [...headers].find(([, h]) => h === 'Indicator code')![0];
  const rows = new Map<string, Map<string, unknown>>();
  for (let r = 3; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const c = row.getCell(code).value;
    if (typeof c !== 'string' || !/^O[CP]\d/.test(c)) continue;
    rows.set(c, new Map([...headers].map(([n, h]) => [h, row.getCell(n).value])));
  }
  return rows;
}

describe('project templates for LY10P0542 2025-Q3', () => {
  it('IOM donor report: every ITT figure equals the domain’s, and the PDF prints them', async () => {
    const files = await render('iom-donor-report');
    const expected = await domainProgress(PROJECT);
    const rows = ittRows(await workbookOf(files));
    expect([...rows.keys()].sort()).toEqual([...expected.keys()].sort());
    for (const [code, { indicator, progress }] of expected) {
      const row = rows.get(code)!;
      if (indicator.type !== 'qualitative') expect(row.get('Period actual') ?? null, code).toBe(progress.periodActual);
      expect(row.get('Period target') ?? null, code).toBe(progress.periodTarget);
      expect(row.get('Cumulative actual') ?? null, code).toBe(progress.cumulativeActual);
      expect(row.get('LoP target') ?? null, code).toBe(progress.lifeOfProjectTarget);
      expect(row.get('% of period target') ?? null, code).toBe(progress.percentOfPeriodTarget);
      // Qualitative indicators: the text of every quarter, not only the report's.
      for (const f of progress.byPeriod) expect(row.get(`${f.period} Actual`) ?? null, `${code} ${f.period}`).toBe(indicator.type === 'qualitative' ? (f.text ?? null) : f.actual);
      if (indicator.type === 'qualitative') expect(progress.byPeriod.filter((f) => f.text).length, code).toBeGreaterThan(1);
    }
    // No formula anywhere: data is never a formula.
    const wb = await workbookOf(files);
    wb.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => expect(cell.type).not.toBe(ExcelJS.ValueType.Formula))));
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Cover', 'ITT', 'Disaggregation', 'Data', 'Values', 'Data quality']);

    const { plain } = pdfText(files, 'iom.pdf');
    expect(plain).toContain('Strengthening Migration Governance in Libya');
    expect(plain).toMatch(/In Q3 2025 \(1 Jul – 30 Sep 2025\), the project reported on \d+ of \d+ indicators/);
    for (const code of expected.keys()) expect(plain).toContain(code);
  });

  it('EU results report: the logframe with baseline, target, current value, source of verification and comments', async () => {
    const files = await render('eu-results-report');
    const expected = await domainProgress(PROJECT);
    const { plain } = pdfText(files, 'eu.pdf');
    expect(plain).toContain('Logframe: results and indicators');
    expect(plain).toMatch(/Results chain \/ indicator Baseline Target Current value Source of verification Comments/);
    for (const { indicator } of expected.values()) expect(plain).toContain(indicator.meansOfVerification.split(/\s+/).slice(0, 3).join(' '));
    // The M&E officer's comment and narrative, printed as typed: no escaping, never a template.
    expect(plain).toContain('Two drafts are with the ministry.');
    expect(plain).toContain('Access to the south was limited & one workshop moved <b>online</b> {{project.code}}.');
    const model = files.model as Extract<ReportFiles['model'], { layout: unknown }>;
    expect(model.narrative['challenges']).toContain('{{project.code}}');
    // Grouped by the project's own outcomes.
    expect(model.sections.every((s) => s.key === 'other' || /^OC\d/.test(s.key))).toBe(true);
    // The Excel carries the same comment.
    expect(ittRows(await workbookOf(files)).get('OC1.a')!.get('Comments')).toBe('Two drafts are with the ministry.');
  });

  it('one-page donor summary: one page, outcome indicators only', async () => {
    const files = await render('donor-summary');
    const { plain, pages } = pdfText(files, 'summary.pdf');
    expect(pages).toBe(1);
    const expected = await domainProgress(PROJECT);
    const bundle = await getProjectBundle(pool, PROJECT);
    const outcomeResults = new Set(bundle.results.filter((r) => r.level === 'outcome').map((r) => r.code));
    for (const { indicator } of expected.values()) {
      if (outcomeResults.has(indicator.resultCode)) expect(plain).toContain(indicator.code);
      else expect(plain).not.toContain(`${indicator.code} `);
    }
  });
});

describe('mission overview', () => {
  it('reads values reduced in SQL exactly as domain/rollup-values.ts reduces every value', async () => {
    const reduced = await readRollupValuesAsOf(pool, dataAsOf);
    const projects = await listProjects(pool);
    expect([...reduced.keys()].sort()).toEqual(projects.map((p) => p.code).sort());
    for (const p of projects) {
      const all = await readValuesAsOf(pool, p.code, dataAsOf);
      const key = (v: { indicatorCode: string; period: string; disaggregation: object }) => `${v.indicatorCode}|${v.period}|${JSON.stringify(v.disaggregation)}`;
      // PostgreSQL sums numerics exactly; JavaScript sums floats (69.69999999999999): compared to 1e-9.
      const exact = (x: number | null | undefined) => (typeof x === 'number' ? Math.round(x * 1e9) / 1e9 : x ?? null);
      const same = (v: IndicatorValue) => ({ ...v, value: exact(v.value), numerator: exact(v.numerator), denominator: exact(v.denominator), text: v.text ?? null });
      const expected = reduceForRollup(all).map(same).sort((a, b) => key(a).localeCompare(key(b)));
      const actual = reduced.get(p.code)!.map(same).sort((a, b) => key(a).localeCompare(key(b)));
      expect(actual.length, p.code).toBeLessThan(all.length);
      expect(actual, p.code).toEqual(expected);
    }
  });

  it('rolls every project up by UNSDCF output and IOM pillar; counts add up to the domain’s', async () => {
    const files = await render('mission-overview', 'ignored');
    expect(files.files.map((f) => f.filename)).toEqual([`MISSION_${PERIOD}_mission-overview_v0_preview.xlsx`, `MISSION_${PERIOD}_mission-overview_v0_preview.pdf`]);
    const wb = await workbookOf(files);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Cover', 'By UNSDCF output', 'By IOM pillar', 'Projects']);

    // Independently: every project's indicators and their period actuals, from the domain.
    const projects = await listProjects(pool);
    let indicators = 0;
    let countActualSum = 0;
    for (const p of projects) {
      for (const { indicator, progress } of (await domainProgress(p.code)).values()) {
        indicators++;
        if (indicator.type === 'count' && progress.periodActual !== null) countActualSum += progress.periodActual;
      }
    }
    for (const sheet of ['By UNSDCF output', 'By IOM pillar']) {
      const ws = wb.getWorksheet(sheet)!;
      const header = (ws.getRow(1).values as unknown[]).map(String);
      const col = (h: string) => header.indexOf(h);
      let n = 0;
      let counts = 0;
      for (let r = 2; r <= ws.rowCount; r++) {
        const row = ws.getRow(r);
        if (typeof row.getCell(col('Indicators')).value !== 'number') continue;
        n += row.getCell(col('Indicators')).value as number;
        if (row.getCell(col('Type')).value === 'Count') counts += (row.getCell(col('Actual')).value as number | null) ?? 0;
        // Percentages are the ratio of the summed parts, never a sum or mean of percentages.
        if (row.getCell(col('Type')).value === 'Percentage' && row.getCell(col('Denominator')).value) {
          const num = row.getCell(col('Numerator')).value as number;
          const den = row.getCell(col('Denominator')).value as number;
          expect(row.getCell(col('Actual')).value as number).toBeCloseTo((num / den) * 100, 2);
        }
      }
      expect(n, sheet).toBe(indicators);
      expect(counts, sheet).toBe(countActualSum);
    }
    const { plain } = pdfText(files, 'mission.pdf');
    for (const p of projects) expect(plain).toContain(p.code);
    expect(plain).toContain('Achievement by UNSDCF output');
    expect(plain).toContain('Achievement by IOM pillar');
    expect((files.model as MissionOverviewModel).rollup.projectCount).toBe(projects.length);
    expect((files.model as MissionOverviewModel).rollup.indicatorCount).toBe(indicators);
  });
});

describe('rbm report render', () => {
  const run = promisify(execFile);
  const env = () => ({ ...process.env, DATABASE_URL: inject('databaseUrl'), RBM_DATA_DIR: path.join(inject('scratchDir'), 'reports-cli-data') });

  it('renders the mission overview without --project, and refuses a project template without it', async () => {
    const out = path.join(outDir, 'cli');
    const { stdout } = await run('node', ['bin/rbm.js', 'report', 'render', '--template', 'mission-overview', '--period', PERIOD, '--out', out], { cwd: PROJECT_ROOT, env: env(), timeout: 120_000 });
    const paths = stdout.trim().split('\n');
    expect(paths.map((p) => path.basename(p))).toEqual([`MISSION_${PERIOD}_mission-overview_v0_preview.xlsx`, `MISSION_${PERIOD}_mission-overview_v0_preview.pdf`]);
    expect(fs.readFileSync(paths[1]!).subarray(0, 5).toString()).toBe('%PDF-');
    const refused = await run('node', ['bin/rbm.js', 'report', 'render', '--template', 'eu-results-report', '--period', PERIOD, '--out', out], { cwd: PROJECT_ROOT, env: env(), timeout: 120_000 }).catch((e: { code: number; stderr: string }) => e);
    expect(refused).toMatchObject({ code: 2 });
    expect((refused as { stderr: string }).stderr).toContain('--project');
  });

  it('renders a project template as a preview, the same files the workflow makes', async () => {
    const out = path.join(outDir, 'cli-project');
    const { stdout } = await run('node', ['bin/rbm.js', 'report', 'render', '--project', PROJECT, '--template', 'eu-results-report', '--period', PERIOD, '--out', out], { cwd: PROJECT_ROOT, env: env(), timeout: 120_000 });
    expect(stdout.trim().split('\n').map((p) => path.basename(p))).toEqual([`${PROJECT}_${PERIOD}_eu-results-report_v0_preview.xlsx`, `${PROJECT}_${PERIOD}_eu-results-report_v0_preview.pdf`]);
  });
});
