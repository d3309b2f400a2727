import { describe, it, expect } from 'vitest';
import ExcelJS from 'exceljs';
import { buildReportModel, type ReportModel } from '../../domain/report-model.js';
import { INDICATOR_TYPES, type FrameworkNode, type Indicator, type IndicatorValue, type Result } from '../../domain/results-framework.js';
import { sampleProject, sampleReportModel } from '../../test/fixtures/sample-report.js';
import { renderReportWorkbook } from './render-workbook.js';

async function read(buffer: Buffer): Promise<ExcelJS.Workbook> {
  const workbook = new ExcelJS.Workbook();
  // exceljs types load()'s argument as its own ArrayBuffer-like "Buffer", which Node 22's Buffer type no longer matches.
  await workbook.xlsx.load(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer);
  return workbook;
}
const load = async (model: ReportModel) => read(await renderReportWorkbook(model));

function sheet(workbook: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = workbook.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  return ws;
}

/** The ITT's columns by header: "Period actual", or "2025-Q3 Actual" under a period band. */
function ittColumns(ws: ExcelJS.Worksheet): Map<string, number> {
  const columns = new Map<string, number>();
  ws.getRow(2).eachCell((cell, n) => {
    const band = String(ws.getRow(1).getCell(n).value);
    const header = String(cell.value); // a merged cell reads as its master's value
    columns.set(band === header ? header : `${band} ${header}`, n);
  });
  return columns;
}

/** The ITT cell of one indicator under one header. */
function ittCell(ws: ExcelJS.Worksheet, indicatorCode: string, header: string): ExcelJS.Cell {
  const columns = ittColumns(ws);
  const codeColumn = columns.get('Indicator code')!;
  const column = columns.get(header);
  if (!column) throw new Error(`no column ${header}`);
  for (let r = 3; r <= ws.rowCount; r++) {
    if (ws.getRow(r).getCell(codeColumn).value === indicatorCode) return ws.getRow(r).getCell(column);
  }
  throw new Error(`no row for ${indicatorCode}`);
}

function allCells(workbook: ExcelJS.Workbook): ExcelJS.Cell[] {
  const cells: ExcelJS.Cell[] = [];
  workbook.eachSheet((ws) => ws.eachRow((row) => row.eachCell((cell) => void cells.push(cell))));
  return cells;
}

describe('renderReportWorkbook', () => {
  it('writes the four sheets in order', async () => {
    const workbook = await load(sampleReportModel('draft'));
    expect(workbook.worksheets.map((ws) => ws.name)).toEqual(['Cover', 'ITT', 'Disaggregation', 'Data', 'Values', 'Data quality']);
  });

  it('puts the model figures of OP1.2.a and OP1.2.b into the ITT', async () => {
    const ws = sheet(await load(sampleReportModel('draft')), 'ITT');
    expect(ittCell(ws, 'OP1.2.a', 'Period actual').value).toBe(36);
    expect(ittCell(ws, 'OP1.2.a', 'Period target').value).toBe(40);
    expect(ittCell(ws, 'OP1.2.a', 'Cumulative actual').value).toBe(84);
    expect(ittCell(ws, 'OP1.2.a', 'LoP target').value).toBe(120);
    expect(ittCell(ws, 'OP1.2.a', '% of period target').value).toBe(90);
    expect(ittCell(ws, 'OP1.2.a', '% of LoP target').value).toBe(70);
    expect(ittCell(ws, 'OP1.2.a', '2025-Q1 Actual').value).toBe(18);
    expect(ittCell(ws, 'OP1.2.a', '2025-Q2 Target').value).toBe(30);
    expect(ittCell(ws, 'OP1.2.a', 'Status').value).toBe('On track');
    expect(ittCell(ws, 'OP1.2.b', 'Period actual').value).toBe(75);
    expect(ittCell(ws, 'OP1.2.b', 'Baseline').value).toBe(50);
  });

  it('formats numbers by indicator type, and % columns on the 0–100 scale', async () => {
    const ws = sheet(await load(sampleReportModel('draft')), 'ITT');
    expect(ittCell(ws, 'OP1.2.a', 'Period actual').numFmt).toBe('#,##0');
    expect(ittCell(ws, 'OP1.2.b', 'Period actual').numFmt).toBe('0.0');
    expect(ittCell(ws, 'OP1.2.a', '% of period target').numFmt).toBe('0.0"%"');
    const yesNo = ittCell(ws, 'OP1.1.a', 'Period actual');
    expect([yesNo.value, yesNo.numFmt]).toEqual([1, '"Yes";"Yes";"No"']);
    expect(ittCell(ws, 'OP1.2.c', 'Period actual').value).toMatch(/^The study visit/);
    expect(ittCell(ws, 'OP1.2.c', 'Status').value).toBe('Reported');
  });

  it('freezes the header, outlines sections and outputs, and colours the status column', async () => {
    const ws = sheet(await load(sampleReportModel('draft')), 'ITT');
    expect(ws.views[0]).toMatchObject({ state: 'frozen', ySplit: 2, xSplit: 0, topLeftCell: 'A3' });
    expect(ws.getRow(3).getCell(1).value).toMatch(/^UNSDCF Output 1\.2\.1: /);
    expect(ws.getRow(3).getCell(1).font?.bold).toBe(true);
    expect([3, 4, 5].map((r) => ws.getRow(r).outlineLevel)).toEqual([0, 1, 2]);
    // Read back by exceljs, but missing from its Worksheet type.
    const cf = (ws as ExcelJS.Worksheet & { conditionalFormattings: ExcelJS.ConditionalFormattingOptions[] }).conditionalFormattings;
    expect(cf).toHaveLength(1);
    const status = ittColumns(ws).get('Status')!;
    expect(cf[0]!.ref).toBe(`${ws.getColumn(status).letter}3:${ws.getColumn(status).letter}${ws.rowCount}`);
    expect(cf[0]!.rules.map((r: ExcelJS.ConditionalFormattingRule) => (r.type === 'cellIs' ? r.formulae?.[0] : null))).toEqual(['"On track"', '"At risk"', '"Off track"', '"No target"', '"No data"']);
  });

  it('lists disaggregated values of the report period with their share of the total', async () => {
    const ws = sheet(await load(sampleReportModel('draft')), 'Disaggregation');
    const rows = ws.getSheetValues().slice(2).map((v) => (v as ExcelJS.CellValue[]).slice(1, 11));
    expect(rows).toEqual([
      ['OP1.2.a', 'Officials trained', 'Count', 'people', '2025-Q3', 'Sex', 'male', 20, 36, 55.6],
      ['OP1.2.a', 'Officials trained', 'Count', 'people', '2025-Q3', 'Sex', 'female', 16, 36, 44.4],
      ['OP1.2.a', 'Officials trained', 'Count', 'people', '2025-Q3', 'Location', 'Tripoli', 24, 36, 66.7],
      ['OP1.2.a', 'Officials trained', 'Count', 'people', '2025-Q3', 'Location', 'Benghazi', 12, 36, 33.3],
    ]);
    expect(ws.autoFilter).toBe('A1:K5');
  });

  it('writes one Data row per indicator and period, with a filter', async () => {
    const model = sampleReportModel('draft');
    const ws = sheet(await load(model), 'Data');
    expect(ws.rowCount - 1).toBe(model.summary.indicatorCount * model.meta.periods.length);
    expect(ws.rowCount - 1).toBe(15);
    expect(ws.autoFilter).toBe(`A1:I${ws.rowCount}`);
    expect(ws.getRow(1).values).toEqual([undefined, 'Project code', 'Section', 'Result code', 'Indicator code', 'Indicator', 'Type', 'Period', 'Target', 'Actual']);
    const q3 = ws.getSheetValues().find((v) => Array.isArray(v) && v[4] === 'OP1.2.a' && v[7] === '2025-Q3') as ExcelJS.CellValue[];
    expect(q3.slice(8, 10)).toEqual([40, 36]);
  });

  it('states status, cycle and approvals on the cover', async () => {
    const ws = sheet(await load(sampleReportModel('final')), 'Cover');
    const byLabel = new Map(ws.getSheetValues().filter(Array.isArray).map((v) => [v[1], v[2]]));
    expect(byLabel.get('Status')).toBe('FINAL');
    expect(byLabel.get('Prima ID')).toBe('LY10P0542');
    expect(byLabel.get('Project ID')).toBe('PO.0185');
    expect(byLabel.get('Version')).toBe(1);
    expect(byLabel.get('Generated at')).toBe('2025-10-10 10:00 UTC');
    expect(byLabel.get('File SHA-256')).toBe('recorded in the audit trail');
    expect(byLabel.get('Project manager')).toBe('Amira Project-Manager');
    expect(byLabel.has('Contains illustrative demo data')).toBe(false);

    const demo = sampleReportModel('preview');
    demo.meta.project = { ...demo.meta.project, illustrative: true };
    const cover = sheet(await load(demo), 'Cover');
    expect(cover.getSheetValues().some((v) => Array.isArray(v) && v[1] === 'Contains illustrative demo data')).toBe(true);
  });

  it('never turns text from data into a formula', async () => {
    const titles = ['=HYPERLINK("http://x","y")', '+1+2', '-1-2', '@SUM(A1)', '\t=1+2'];
    const model = sampleReportModel('final');
    const rows = model.sections.flatMap((s) => s.rows);
    titles.forEach((t, i) => (rows[i]!.title = t));
    rows[0]!.meansOfVerification = "=cmd|' /C calc'!A0";
    rows[0]!.disaggregation.push({ dimension: 'sex', category: '=1+1', value: 1 });
    model.meta.project = { ...model.meta.project, title: '+SUM(1,2)' };
    model.approvals[0]!.comment = '=2*3';
    model.sections[0]!.title = '\r=1+2';
    const workbook = await load(model);

    const cells = allCells(workbook);
    expect(cells.filter((c) => c.type === ExcelJS.ValueType.Formula || c.formula)).toEqual([]);
    for (const text of [...titles, "=cmd|' /C calc'!A0", '=1+1', '+SUM(1,2)', '=2*3']) {
      const found = cells.filter((c) => c.value === text);
      expect(found.length, text).toBeGreaterThan(0);
      expect(found.every((c) => c.type === ExcelJS.ValueType.String), text).toBe(true);
    }
    // XML normalises a lone CR to LF; what matters is that it stays a string.
    const cr = sheet(workbook, 'ITT').getRow(3).getCell(1);
    expect(cr.type).toBe(ExcelJS.ValueType.String);
    expect(cr.value).toMatch(/^\n=1\+2/);
  });

  it('renders 80 indicators × 12 quarters, a Data row for each indicator and quarter', async () => {
    const model = syntheticModel(80, '2025-Q4');
    expect(model.meta.periods).toHaveLength(12);
    const started = performance.now();
    const buffer = await renderReportWorkbook(model);
    const ms = performance.now() - started;
    console.log(`ITT workbook, 80 indicators × 12 periods: ${ms.toFixed(0)} ms, ${(buffer.length / 1024).toFixed(0)} KiB`);
    const workbook = await read(buffer);
    expect(sheet(workbook, 'Data').rowCount).toBe(80 * 12 + 1);
  });
});

/** A project of `count` indicators (all types) over three years, with values for every quarter. */
function syntheticModel(count: number, period: string): ReportModel {
  const project = { ...sampleProject, startDate: '2023-01-01', endDate: '2025-12-31' };
  const frameworkNodes: FrameworkNode[] = [1, 2, 3, 4].map((i) => ({ code: `UNSDCF-1.${i}.1`, framework: 'unsdcf', level: 'output', parentCode: null, title: `Output ${i}`, illustrative: true }));
  const results: Result[] = [];
  for (let oc = 1; oc <= 4; oc++) {
    results.push({ code: `OC${oc}`, level: 'outcome', parentCode: null, statement: `Outcome ${oc}`, contributesTo: [`UNSDCF-1.${oc}.1`] });
    for (let op = 1; op <= 5; op++) results.push({ code: `OP${oc}.${op}`, level: 'output', parentCode: `OC${oc}`, statement: `Output ${oc}.${op}`, contributesTo: [] });
  }
  const outputs = results.filter((r) => r.level === 'output');
  const quarters = ['2023', '2024', '2025'].flatMap((y) => [1, 2, 3, 4].map((q) => `${y}-Q${q}`));
  const indicators: Indicator[] = [];
  const values: IndicatorValue[] = [];
  for (let i = 0; i < count; i++) {
    const type = INDICATOR_TYPES[i % INDICATOR_TYPES.length]!;
    const code = `${outputs[i % outputs.length]!.code}.${String.fromCharCode(97 + Math.floor(i / outputs.length))}`;
    const targets = Object.fromEntries([...quarters.map((q) => [q, type === 'yes_no' ? 1 : 50]), ['LOP', type === 'yes_no' ? 1 : 600]]);
    indicators.push({
      code, resultCode: outputs[i % outputs.length]!.code, title: `Indicator ${i + 1}`, type, unit: '', baseline: 0, baselineDate: null,
      timeAggregation: type === 'count' ? 'sum' : 'latest', direction: 'increase', disaggregations: ['sex'], disaggregationCheck: 'warning',
      dataSource: 'Records', meansOfVerification: 'Reports', commonIndicatorCode: null, reportingFrequency: 'quarter', targets: type === 'qualitative' ? {} : targets,
    });
    quarters.forEach((q, k) => {
      if (type === 'qualitative') return void values.push({ indicatorCode: code, period: q, disaggregation: {}, value: null, text: `Narrative ${k}` });
      const value = type === 'yes_no' ? k % 2 : 30 + k;
      values.push({ indicatorCode: code, period: q, disaggregation: {}, value });
      if (type === 'count') {
        values.push({ indicatorCode: code, period: q, disaggregation: { sex: 'male' }, value: 10 + k });
        values.push({ indicatorCode: code, period: q, disaggregation: { sex: 'female' }, value: 20 });
      }
    });
  }
  return buildReportModel({
    project, donorNames: ['Donor'], results, indicators, values, frameworkNodes, period,
    template: { id: 'itt', title: 'ITT', language: 'en', groupBy: 'unsdcf' },
    cycle: { id: 'cycle', version: 1, status: 'draft', dataAsOf: null }, approvals: [], generatedAt: '2025-12-31T00:00:00Z',
  });
}
