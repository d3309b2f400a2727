/**
 * One arithmetic everywhere (issue #13): every template rendered for every demo project, and each
 * indicator's figure and status compared wherever it appears — the report model, the ITT workbook,
 * the PDF's text, the mission overview (its model and its workbook), the common indicators' results
 * and the web's project overview — against the domain's own computation from the same values.
 */
import { workbookOf } from './support/workbooks.js';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { buildReportFiles, type ReportFiles } from '../activities/report-files.js';
import { commonIndicatorResults } from '../app/common-indicators.js';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { projectOverview } from '../app/values.js';
import { listCommonIndicators } from '../db/common-indicators-repository.js';
import { migrateDatabase } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { getProjectBundle, listProjects } from '../db/portfolio-repository.js';
import { databaseNow, readValuesAsOf } from '../db/values-repository.js';
import { computeIndicatorProgress, STATUS_LABEL, type IndicatorProgress } from '../domain/progress.js';
import { projectQuartersTo, type ReportModel } from '../domain/report-model.js';
import type { MissionOverviewModel } from '../domain/rollup.js';
import { formatPercentAchieved } from '../render/pdf/format.js';
import { closePdfPool } from '../render/pdf/pool.js';
import { createLogger } from '../runtime/logger.js';

const PERIOD = '2025-Q3';
const PROJECT_TEMPLATES = ['iom-donor-report', 'eu-results-report', 'donor-summary'];
let pool: Pool;
let dataAsOf: string;
let projects: string[];
const outDir = path.join(inject('scratchDir'), 'out', 'consistency');
/** The domain's figures per project and indicator, computed here from the values as of the reports' time. */
const expected = new Map<string, Map<string, IndicatorProgress>>();

beforeAll(async () => {
  await migrateDatabase(inject('databaseUrl'), createLogger('warn'));
  pool = createPool(inject('databaseUrl'));
  await loadDemoPortfolio({ pool }, '2025-Q4');
  dataAsOf = await databaseNow(pool);
  fs.mkdirSync(outDir, { recursive: true });
  projects = (await listProjects(pool)).map((p) => p.code);
  for (const code of projects) {
    const bundle = await getProjectBundle(pool, code);
    const values = await readValuesAsOf(pool, code, dataAsOf);
    const quarters = projectQuartersTo(bundle.project, PERIOD);
    expected.set(code, new Map(bundle.indicators.map((i) => [i.code, computeIndicatorProgress(i, values, PERIOD, quarters)])));
  }
});
afterAll(async () => {
  await closePdfPool();
  await pool?.end();
});

const render = (templateId: string, projectCode: string) =>
  buildReportFiles(pool, { projectCode, period: PERIOD, templateId, dataAsOf, cycleId: null, version: 0, stage: 'preview', decisions: [], generatedAt: '2025-10-10T10:00:00Z' });

/** Rows of a sheet keyed by the values of columns `keyHeaders` (joined by "|"), each a map from header to cell value. */
function rowsBy(ws: ExcelJS.Worksheet, headerRow: number, ...keyHeaders: string[]): Map<string, Map<string, unknown>> {
  const headers = new Map<number, string>();
  ws.getRow(headerRow).eachCell((cell, n) => headers.set(n, String(cell.value)));
  const keyCols = keyHeaders.map((k) => [...headers].find(([, h]) => h === k)?.[0]);
  const rows = new Map<string, Map<string, unknown>>();
  if (keyCols.some((c) => c === undefined)) return rows;
  for (let r = headerRow + 1; r <= ws.rowCount; r++) {
    const row = ws.getRow(r);
    const key = keyCols.map((c) => row.getCell(c!).value);
    if (key.every((k) => typeof k === 'string' && k)) rows.set(key.join('|'), new Map([...headers].map(([n, h]) => [h, row.getCell(n).value])));
  }
  return rows;
}

function pdfLayoutText(files: ReportFiles, name: string): string {
  const file = path.join(outDir, name);
  fs.writeFileSync(file, files.files.find((f) => f.format === 'pdf')!.content);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
}

describe('every project template, every demo project', () => {
  it('prints each indicator\'s figure and status exactly as the domain computes it, in the model, the ITT and the PDF', async () => {
    let checkedCells = 0;
    for (const projectCode of projects) {
      const own = expected.get(projectCode)!;
      for (const templateId of PROJECT_TEMPLATES) {
        const files = await render(templateId, projectCode);
        const model = files.model as ReportModel;
        const where = `${projectCode} ${templateId}`;
        // The model: the renderers' only input.
        for (const row of model.sections.flatMap((s) => s.rows)) {
          const p = own.get(row.indicatorCode)!;
          expect({ pct: row.percentOfPeriodTarget, lop: row.percentOfLifeTarget, status: row.status, actual: row.periodActual, cumulative: row.cumulativeActual }, `${where} ${row.indicatorCode}`)
            .toEqual({ pct: p.percentOfPeriodTarget, lop: p.percentOfLifeTarget, status: p.status, actual: p.periodActual, cumulative: p.cumulativeActual });
        }
        // The ITT workbook (row 2 holds the column headers under the period bands).
        const itt = (await workbookOf(files)).getWorksheet('ITT');
        if (itt) {
          for (const [code, cells] of rowsBy(itt, 2, 'Indicator code')) {
            const p = own.get(code);
            if (!p) continue;
            if (cells.has('% of period target')) expect(cells.get('% of period target') ?? null, `${where} ${code} ITT %`).toBe(p.percentOfPeriodTarget);
            if (cells.has('Status')) expect(cells.get('Status'), `${where} ${code} ITT status`).toBe(STATUS_LABEL[p.status]);
            checkedCells += 2;
          }
        }
        // The PDF: the row of each indicator shown with a status column carries its % and status.
        if (model.layout.columns.includes('status')) {
          const lines = pdfLayoutText(files, `${projectCode}-${templateId}.pdf`).split('\n');
          const shown = model.layout.sections.flatMap((s) => (s.kind === 'results' ? s.indicatorCodes : []));
          for (const code of shown) {
            const p = own.get(code)!;
            const at = lines.findIndex((l) => new RegExp(`(^|\\s)${code.replace(/\./g, '\\.')}(\\s|$)`).test(l));
            expect(at, `${where} ${code} in the PDF`).toBeGreaterThanOrEqual(0);
            const block = lines.slice(Math.max(0, at - 3), at + 4).join(' ');
            expect(block, `${where} ${code} PDF status`).toContain(STATUS_LABEL[p.status]);
            if (model.layout.columns.includes('percent_period') && p.status !== 'reported') expect(block, `${where} ${code} PDF %`).toContain(formatPercentAchieved(p.percentOfPeriodTarget));
            checkedCells += 2;
          }
        }
      }
    }
    expect(checkedCells).toBeGreaterThan(300);
  });
});

describe('across projects', () => {
  it('the mission overview: a line of one indicator shows that indicator\'s own figure and status, in the model and the workbook', async () => {
    const files = await render('mission-overview', projects[0]!);
    const model = files.model as MissionOverviewModel;
    const byKey = rowsBy((await workbookOf(files)).getWorksheet('By UNSDCF output')!, 1, 'Group', 'Line');
    let single = 0;
    for (const group of [...model.rollup.byUnsdcf, ...model.rollup.byPillar]) {
      for (const line of group.lines) {
        if (line.indicatorCount !== 1) continue;
        const [projectCode, indicatorCode] = line.common ? [line.projects[0]!, null] : line.key.split('/');
        const p = indicatorCode ? expected.get(projectCode!)!.get(indicatorCode)! : null;
        if (!p) continue;
        expect({ pct: line.percentOfTarget, status: line.status }, line.key).toEqual({ pct: p.percentOfPeriodTarget, status: p.status });
        if (p.periodActual !== null && line.type !== 'yes_no' && line.type !== 'qualitative') expect(line.actual, line.key).toBe(p.periodActual);
        single++;
      }
    }
    let lines = 0;
    for (const [group, line] of model.rollup.byUnsdcf.flatMap((g) => g.lines.map((l) => [g.key, l] as const))) {
      const cells = byKey.get(`${group}|${line.key}`);
      expect(cells, `${group} ${line.key} in the workbook`).toBeDefined();
      if (!cells) continue;
      lines++;
      expect(cells.get('% of target') ?? null, `${line.key} workbook %`).toBe(line.percentOfTarget);
      expect(cells.get('Status'), `${line.key} workbook status`).toBe(STATUS_LABEL[line.status]);
    }
    expect(single).toBeGreaterThan(20);
    expect(lines).toBeGreaterThan(20);
  });

  it('common indicators and the web\'s project overview take the same figures', async () => {
    let checked = 0;
    for (const entry of await listCommonIndicators(pool)) {
      const results = await commonIndicatorResults({ pool }, entry.code, { quarters: 8 });
      for (const { period, line } of results.periods) {
        if (line.indicatorCount !== 1 || period !== PERIOD) continue;
        const bundle = await getProjectBundle(pool, line.projects[0]!);
        const linked = bundle.indicators.find((i) => i.commonIndicatorCode === entry.code)!;
        const own = expected.get(line.projects[0]!)!.get(linked.code)!;
        expect({ pct: line.percentOfTarget, status: line.status }, `${entry.code} ${period}`).toEqual({ pct: own.percentOfPeriodTarget, status: own.status });
        checked++;
      }
    }
    for (const projectCode of projects) {
      const overview = await projectOverview({ pool }, projectCode);
      const bundle = await getProjectBundle(pool, projectCode);
      const values = await readValuesAsOf(pool, projectCode, new Date().toISOString());
      for (const line of overview.results.flatMap((r) => r.indicators)) {
        if (!line.progress) continue;
        const p = computeIndicatorProgress(line.indicator, values, line.period!, projectQuartersTo(bundle.project, line.period!));
        expect({ pct: line.progress.percentOfPeriodTarget, status: line.progress.status }, `${projectCode} ${line.indicator.code}`).toEqual({ pct: p.percentOfPeriodTarget, status: p.status });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(30);
  });
});
