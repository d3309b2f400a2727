/**
 * The logframe round trip in the browser's terms: an M&E officer downloads a project's workbook from
 * its page, changes a target, checks it on the data desk (nothing stored), imports it (stored), and a
 * broken workbook is refused whole with every problem by sheet, row and column. A project manager may
 * download but not upload. On a database of its own (it changes a project).
 */
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Pool } from '../db/pool.js';
import { INDICATOR_COLUMNS, SHEETS } from '../logframe/layout.js';
import { ownDatabase } from './support/own-database.js';
import { Agent, databaseOnlyContext, serveWeb } from './support/web-agent.js';

const PROJECT = 'LY10P0542';
const INDICATOR = 'OP1.3.b';
let pool: Pool;
let http: FastifyInstance;

beforeAll(async () => {
  ({ pool } = await ownDatabase('rbm_logframe_web_spec'));
  http = await serveWeb(databaseOnlyContext(pool, 'logframe-web'));
});
afterAll(async () => {
  await http?.close();
  await pool?.end();
});

const target = async (period: string) => (await pool.query(
  `SELECT t.value AS target FROM indicator_targets t JOIN indicators i ON i.id = t.indicator_id JOIN projects p ON p.id = i.project_id
    WHERE p.code = $1 AND i.code = $2 AND t.period = $3`, [PROJECT, INDICATOR, period],
)).rows[0]?.target as number | undefined;

async function workbookOf(res: Response): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(await res.arrayBuffer());
  return wb;
}
function targetCell(wb: ExcelJS.Workbook, period: string): ExcelJS.Cell {
  const ws = wb.getWorksheet(SHEETS.indicators)!;
  const codeColumn = INDICATOR_COLUMNS.findIndex((c) => c.label === 'Code') + 1;
  let row = 0;
  for (let r = 2; r <= ws.rowCount && !row; r++) if (ws.getCell(r, codeColumn).value === INDICATOR) row = r;
  let col = 0;
  ws.getRow(1).eachCell((c, n) => { if (c.value === `Target ${period}`) col = n; });
  expect(row * col, `${INDICATOR} and its ${period} target in the workbook`).toBeGreaterThan(0);
  return ws.getCell(row, col);
}
async function upload(a: Agent, wb: ExcelJS.Workbook, name: string, check: boolean): Promise<Response> {
  const token = await a.formToken('/data');
  const body = new FormData();
  body.append('file', new Blob([await wb.xlsx.writeBuffer()]), name);
  return a.fetch(`/data/logframe?${check ? 'check=1&' : ''}_csrf=${encodeURIComponent(token)}`, { method: 'POST', body });
}

describe('the logframe on the web', () => {
  it('downloads from the project page, checks, imports a changed target, and refuses a broken workbook whole', async () => {
    const officer = await Agent.signedIn('me.officer');
    const page = await (await officer.fetch(`/projects/${PROJECT}`)).text();
    expect(page).toContain(`<a href="/projects/${PROJECT}/logframe.xlsx">Download the logframe (Excel)</a>`);
    const download = await officer.fetch(`/projects/${PROJECT}/logframe.xlsx`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toContain('spreadsheetml');
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="${PROJECT}_logframe.xlsx"`);
    const wb = await workbookOf(download);
    const before = await target('2025-Q3');
    expect(targetCell(wb, '2025-Q3').value).toBe(before);

    targetCell(wb, '2025-Q3').value = before! + 7;
    const checked = await (await upload(officer, wb, 'governance.xlsx', true)).text();
    expect(checked).toMatch(/Project <a href="\/projects\/LY10P0542"><code>LY10P0542<\/code><\/a> would be updated/);
    expect(checked).toContain('checked only: nothing stored');
    expect(await target('2025-Q3')).toBe(before);

    const imported = await (await upload(officer, wb, 'governance.xlsx', false)).text();
    expect(imported).toMatch(/<code>LY10P0542<\/code><\/a> was updated/);
    expect(await target('2025-Q3')).toBe(before! + 7);

    // Two problems on two sheets: both listed, nothing stored.
    targetCell(wb, '2025-Q3').value = 'many';
    wb.getWorksheet(SHEETS.results)!.getCell(2, 1).value = null;
    const refused = await upload(officer, wb, 'broken.xlsx', false);
    expect(refused.status).toBe(200);
    const html = await refused.text();
    expect(html).toContain('Nothing was stored:');
    expect(html).toMatch(/<tr><td>Indicators<\/td><td>\d+<\/td><td>Target 2025-Q3<\/td><td>[^<]*many/);
    expect(html).toMatch(/<tr><td>Results<\/td><td>2<\/td>/);
    expect(await target('2025-Q3')).toBe(before! + 7);
  });

  it('lets a project manager download the logframe of their project, not upload one', async () => {
    const pm = await Agent.signedIn('pm.governance');
    expect((await pm.fetch(`/projects/${PROJECT}/logframe.xlsx`)).status).toBe(200);
    expect((await pm.fetch('/projects/LY10P0563/logframe.xlsx')).status).toBe(404);
    const body = new FormData();
    body.append('file', new Blob(['x']), 'x.xlsx');
    const token = await pm.formToken(`/projects/${PROJECT}`);
    expect((await pm.fetch(`/data/logframe?_csrf=${encodeURIComponent(token)}`, { method: 'POST', body })).status).toBe(403);
  });
});
