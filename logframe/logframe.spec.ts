import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { demoCommonIndicators } from '../demo/common-indicators.js';
import { demoFrameworkNodes } from '../demo/frameworks.js';
import { demoDonors } from '../demo/portfolio.js';
import { governanceProject } from '../demo/projects/governance.js';
import { libraryOf } from '../domain/common-indicators.js';
import { INDICATOR_COLUMNS, RESULT_COLUMNS, SHEETS, type LogframeIssue } from './layout.js';
import { readLogframe, type KnownCodes } from './reader.js';
import { targetPeriods, writeLogframe } from './writer.js';

const demo = governanceProject();
const reference = { frameworkNodes: demoFrameworkNodes(), donors: demoDonors().map((d) => ({ code: d.code, name: d.name })), commonIndicators: demoCommonIndicators() };
const known: KnownCodes = {
  frameworkNodes: new Set(reference.frameworkNodes.map((n) => n.code)), donors: new Set(reference.donors.map((d) => d.code)),
  commonIndicators: libraryOf(reference.commonIndicators),
  // The project itself (a re-import keeps its codes) and another project of the portfolio.
  projects: [{ code: demo.project.code, altCode: demo.project.altCode ?? null }, { code: 'LY10P0570', altCode: 'PO.0999' }],
};
/** The first "Target <period>" column of the Indicators sheet. */
const FIRST_TARGET = INDICATOR_COLUMNS.length + 1;

let bytes: Buffer;
beforeAll(async () => {
  bytes = await writeLogframe(demo, reference, new Date('2025-10-01T00:00:00Z'));
});

async function load(buffer: Buffer = bytes): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buffer.buffer.slice(buffer.byteOffset, buffer.byteOffset + buffer.byteLength) as ArrayBuffer);
  return wb;
}
const sheet = (wb: ExcelJS.Workbook, name: string) => wb.getWorksheet(name)!;
const indicatorCol = (label: string) => INDICATOR_COLUMNS.findIndex((c) => c.label === label) + 1;
const resultCol = (label: string) => RESULT_COLUMNS.findIndex((c) => c.label === label) + 1;
/** The row of the Project sheet whose label is `label`. */
const projectRow = (wb: ExcelJS.Workbook, label: string) => {
  const ws = sheet(wb, SHEETS.project);
  for (let r = 1; r <= ws.rowCount; r++) if (ws.getCell(r, 1).value === label) return r;
  throw new Error(`no ${label}`);
};
const problems = (wb: ExcelJS.Workbook) => {
  const reading = readLogframe(wb, 'lf.xlsx', known);
  expect(reading.ok).toBe(false);
  return reading.issues.map((i: LogframeIssue) => `${i.sheet}|${i.row}|${i.column}|${i.message}`);
};

describe('the logframe workbook', () => {
  it('has the sheets M&E officers expect, frozen headers, drop-down lists and the targets by period', async () => {
    const wb = await load();
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Instructions', 'Project', 'Results', 'Indicators', 'Validation rules', 'Framework nodes', 'Common indicators', 'Donors']);
    const ind = sheet(wb, SHEETS.indicators);
    expect(ind.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const header = (ind.getRow(1).values as unknown[]).slice(1);
    expect(header.slice(0, FIRST_TARGET - 1)).toEqual(INDICATOR_COLUMNS.map((c) => c.label));
    expect(header.slice(FIRST_TARGET - 1)).toEqual(targetPeriods(demo.indicators).map((p) => `Target ${p}`));
    expect(header[FIRST_TARGET - 1]).toBe('Target 2023-Q1');
    expect(header.at(-1)).toBe('Target 2025-Q4');
    // OP1.3.b: 15 per quarter in 2023 -> LOP 15*4 + 30*4 + 30*4
    const row = 2 + demo.indicators.findIndex((i) => i.code === 'OP1.3.b');
    expect(ind.getCell(row, indicatorCol('Code')).value).toBe('OP1.3.b');
    expect(ind.getCell(row, indicatorCol('LOP target')).value).toBe(300);
    expect(ind.getCell(row, indicatorCol('Disaggregations')).value).toBe('sex; location');
    expect(ind.getCell(row, indicatorCol('Baseline date')).value).toEqual(new Date('2021-12-31T00:00:00Z'));
    expect(ind.getCell(row, FIRST_TARGET).value).toBe(15);
    expect(ind.getCell(row, indicatorCol('Reporting frequency')).value).toBe('quarter');
    expect(ind.getCell(`${ind.getColumn(indicatorCol('Type')).letter}2`).dataValidation).toMatchObject({ type: 'list', formulae: ['"count,percentage,ratio,yes_no,qualitative"'] });
    const res = sheet(wb, SHEETS.results);
    expect(res.getCell(`${res.getColumn(resultCol('Level')).letter}7`).dataValidation).toMatchObject({ type: 'list', formulae: ['"objective,outcome,output"'] });
    expect(res.getCell(3, resultCol('Contributes to')).value).toBe('UNSDCF-1.1.1; IOM-GOVERNANCE; SDG-10.7; GCM-23');
    const project = sheet(wb, SHEETS.project);
    expect(project.getCell(projectRow(wb, 'Start date'), 2).value).toEqual(new Date('2022-01-01T00:00:00Z'));
    expect(project.getCell(projectRow(wb, 'Budget'), 2).value).toBe(300000);
  });

  it('reads back exactly what was written', async () => {
    const reading = readLogframe(await load(), 'lf.xlsx', known);
    expect(reading.issues).toEqual([]);
    if (!reading.ok) return;
    expect(reading.definition).toEqual({ ...demo, validationRules: demo.validationRules ?? [] });
  });

  it('reads a workbook as people edit it: other column order, labels in any case, numbers as text, Excel percentages, Yes/No', async () => {
    const wb = await load();
    const ind = sheet(wb, SHEETS.indicators);
    // swap Title and Code columns, header in capitals
    const a = indicatorCol('Code');
    const b = indicatorCol('Title');
    for (let r = 1; r <= ind.rowCount; r++) {
      const x = ind.getCell(r, a).value;
      ind.getCell(r, a).value = ind.getCell(r, b).value;
      ind.getCell(r, b).value = x;
    }
    ind.getCell(1, a).value = 'TITLE';
    const row = 2 + demo.indicators.findIndex((i) => i.code === 'OC1.b');
    ind.getCell(row, indicatorCol('Baseline')).value = '20';
    ind.getCell(row, indicatorCol('LOP target')).value = 0.65;
    const lop = ind.getCell(row, indicatorCol('LOP target'));
    lop.style = { ...lop.style, numFmt: '0%' }; // a style of its own: loaded cells share style objects
    ind.getCell(row, indicatorCol('Type')).value = 'Percentage';
    const yn = 2 + demo.indicators.findIndex((i) => i.code === 'OP1.1.a');
    ind.getCell(yn, indicatorCol('LOP target')).value = 'Yes';
    ind.getCell(yn, indicatorCol('Type')).value = 'Yes/No';
    const reading = readLogframe(wb, 'lf.xlsx', known);
    expect(reading.issues).toEqual([]);
    if (reading.ok) expect(reading.definition).toEqual({ ...demo, validationRules: demo.validationRules ?? [] });
  });
});

describe('a bad workbook is refused whole, every problem with its sheet, row and column', () => {
  it("refuses a code or other code that names another project, in any case (its rows would land in this one)", async () => {
    const wb = await load();
    const ws = sheet(wb, SHEETS.project);
    ws.getCell(projectRow(wb, 'Alt code'), 2).value = 'ly10p0570';
    expect(problems(wb)).toEqual([`Project|${projectRow(wb, 'Alt code')}|Alt code|"ly10p0570" already names project LY10P0570: an other code must name no other project (in any case)`]);
    ws.getCell(projectRow(wb, 'Alt code'), 2).value = 'po.0999';
    expect(problems(wb)).toEqual([`Project|${projectRow(wb, 'Alt code')}|Alt code|"po.0999" already names project LY10P0570: an other code must name no other project (in any case)`]);
    // A new project whose code is another's other code.
    ws.getCell(projectRow(wb, 'Alt code'), 2).value = null;
    ws.getCell(projectRow(wb, 'Code'), 2).value = 'PO.0999';
    expect(problems(wb)).toEqual([`Project|${projectRow(wb, 'Code')}|Code|"PO.0999" already names project LY10P0570: a project code must name no other project (in any case)`]);
  });


  it('numbers that are not numbers, dates that are not dates, values out of range, unknown choices', async () => {
    const wb = await load();
    const ind = sheet(wb, SHEETS.indicators);
    ind.getCell(2, indicatorCol('Baseline')).value = 'abc';
    ind.getCell(2, indicatorCol('Baseline date')).value = '31/12/2021';
    ind.getCell(3, indicatorCol('LOP target')).value = 120; // OC1.b is a percentage
    ind.getCell(4, indicatorCol('Type')).value = 'text';
    ind.getCell(5, FIRST_TARGET).value = 2; // OP1.1.a is yes/no
    ind.getCell(6, indicatorCol('Disaggregations')).value = 'gender';
    ind.getCell(7, FIRST_TARGET + 1).value = -3;
    ind.getCell(8, indicatorCol('Aggregation over time')).value = 'cumulative';
    const project = sheet(wb, SHEETS.project);
    project.getCell(projectRow(wb, 'End date'), 2).value = 'next year';
    project.getCell(projectRow(wb, 'Budget'), 2).value = '300,000';
    expect(problems(wb)).toEqual([
      'Project|7|End date|"next year" is not a date: write YYYY-MM-DD (e.g. 2025-12-31) or use an Excel date',
      'Project|8|Budget|"300,000" is not a number: write it with a dot for decimals and no thousands separators (e.g. 1234.5)',
      'Indicators|2|Baseline|"abc" is not a number',
      'Indicators|2|Baseline date|"31/12/2021" is not a date: write YYYY-MM-DD (e.g. 2025-12-31) or use an Excel date',
      'Indicators|3|LOP target|120 is outside 0-100: a percentage is written 0 to 100 (not 0 to 1)',
      'Indicators|4|Type|"text" is not one of count, percentage, ratio, yes_no, qualitative',
      'Indicators|5|Target 2023-Q1|2 is not yes or no: a yes/no indicator takes 1 (yes) or 0 (no)',
      'Indicators|6|Disaggregations|"gender" is not a disaggregation: use sex, age_group, population_type, nationality, location',
      'Indicators|7|Target 2023-Q2|-3 is negative: a count cannot be below 0',
      'Indicators|8|Aggregation over time|"cumulative" is not one of sum, latest, max, average',
    ]);
  });

  it('unknown parents and result codes, misplaced levels, duplicate codes, unknown framework nodes and donors', async () => {
    const wb = await load();
    const res = sheet(wb, SHEETS.results);
    res.getCell(4, resultCol('Parent code')).value = 'OC9'; // OP1.1
    res.getCell(5, resultCol('Parent code')).value = 'OBJ'; // OP1.2 under the objective
    res.getCell(7, resultCol('Code')).value = 'OP1.3'; // OP1.4 -> a duplicate
    res.getCell(3, resultCol('Contributes to')).value = 'UNSDCF-1.1.1; UNSDCF-9.9.9';
    const ind = sheet(wb, SHEETS.indicators);
    ind.getCell(2, indicatorCol('Result code')).value = 'OC7';
    ind.getCell(4, indicatorCol('Code')).value = 'OC1.a';
    sheet(wb, SHEETS.project).getCell(projectRow(wb, 'Donors'), 2).value = 'DONOR-A; DONOR-Z';
    expect(problems(wb)).toEqual([
      'Project|5|Donors|unknown donor "DONOR-Z" (see the Donors sheet)',
      'Results|3|Contributes to|unknown framework node "UNSDCF-9.9.9" (see the Framework nodes sheet)',
      'Results|7|Code|the result code OP1.3 is already used on row 6',
      'Results|4|Parent code|unknown parent "OC9": it is not a result code of this sheet',
      'Results|5|Parent code|the parent of output OP1.2 must be an outcome, not objective OBJ',
      'Indicators|2|Result code|unknown result code "OC7": it is not on the Results sheet',
      'Indicators|4|Code|the indicator code OC1.a is already used on row 2',
      // OP1.4 was renamed: its indicators now point nowhere
      'Indicators|10|Result code|unknown result code "OP1.4": it is not on the Results sheet',
      'Indicators|11|Result code|unknown result code "OP1.4": it is not on the Results sheet',
    ]);
  });

  it('period columns that are not periods or fall outside the project; unknown and missing columns', async () => {
    const wb = await load();
    const ind = sheet(wb, SHEETS.indicators);
    ind.getCell(1, FIRST_TARGET).value = 'Target 2023-Q5';
    ind.getCell(1, FIRST_TARGET + 1).value = 'Target 2021-Q4';
    ind.getCell(1, indicatorCol('Unit')).value = 'Units of measure';
    const res = sheet(wb, SHEETS.results);
    res.getCell(1, resultCol('Statement')).value = 'Result statement';
    expect(problems(wb)).toEqual([
      'Results|1|Result statement|unknown column "Result statement": the columns are Level, Code, Parent code, Statement, Contributes to',
      'Results|1|Statement|the required column "Statement" is missing',
      'Indicators|1|Units of measure|unknown column "Units of measure": the columns are Result code, Code, Title, Type, Unit, Baseline, Baseline date, Aggregation over time, Reporting frequency, Direction, Disaggregations, Disaggregation check, Data source, Means of verification, Common indicator code, LOP target, then "Target <period>" columns',
      'Indicators|1|Target 2023-Q5|"2023-Q5" is not a period: name target columns "Target 2025-Q3", "Target 2025-H1", "Target 2025" or "Target 2025-07"',
      'Indicators|1|Target 2021-Q4|Q4 2021 (1 Oct – 31 Dec 2021) is outside the project (2022-01-01 to 2025-12-31)',
    ]);
  });

  it('formula cells and text that starts like a formula', async () => {
    const wb = await load();
    const ind = sheet(wb, SHEETS.indicators);
    ind.getCell(2, indicatorCol('LOP target')).value = { formula: 'SUM(P2:AE2)', result: 4 } as ExcelJS.CellFormulaValue;
    ind.getCell(3, indicatorCol('Data source')).value = '=HYPERLINK("http://example.org")';
    ind.getCell(4, indicatorCol('Title')).value = '+218 91 000';
    sheet(wb, SHEETS.results).getCell(2, resultCol('Statement')).value = '@SUM(A1)';
    sheet(wb, SHEETS.project).getCell(projectRow(wb, 'Title'), 2).value = { formula: 'B2&"x"', result: 'x' } as ExcelJS.CellFormulaValue;
    expect(problems(wb)).toEqual([
      'Project|4|Title|holds a formula (=B2&"x"): type or paste the value only',
      'Results|2|Statement|"@SUM(A1)" starts like a spreadsheet formula (= + - @): remove or reword that first character',
      'Indicators|2|LOP target|holds a formula (=SUM(P2:AE2)): type or paste the value only',
      'Indicators|3|Data source|"=HYPERLINK("http://example.org")" starts like a spreadsheet formula (= + - @): remove or reword that first character',
      'Indicators|4|Title|"+218 91 000" starts like a spreadsheet formula (= + - @): remove or reword that first character',
    ]);
  });

  it('missing sheets and required cells', async () => {
    const wb = await load();
    wb.removeWorksheet(sheet(wb, SHEETS.results).id);
    sheet(wb, SHEETS.indicators).getCell(3, indicatorCol('Title')).value = null;
    sheet(wb, SHEETS.project).getCell(projectRow(wb, 'Code'), 2).value = '';
    expect(problems(wb)).toEqual([
      'Project|2|Code|Code is required',
      'Results|null|null|the workbook has no "Results" sheet',
      'Indicators|3|Title|Title is required',
    ]);
  });
});

describe('the common indicator library and the reporting frequency in the workbook', () => {
  const rowOfCode = (ws: ExcelJS.Worksheet, code: string) => {
    for (let r = 2; r <= ws.rowCount; r++) if (ws.getCell(r, indicatorCol('Code')).value === code) return r;
    throw new Error(`no ${code}`);
  };

  it('lists the library on a read-only sheet and offers its codes as the drop-down of "Common indicator code"', async () => {
    const wb = await load();
    const lib = sheet(wb, SHEETS.commonIndicators);
    expect(lib.rowCount).toBe(1 + reference.commonIndicators.length);
    expect((lib.getRow(1).values as unknown[]).slice(1, 4)).toEqual(['Code', 'Title', 'Type']);
    expect((lib.getRow(3).values as unknown[]).slice(1, 4)).toEqual(['CI-GOV-01', 'Number of government officials trained on migration governance, migration data or migration health (illustrative)', 'count']);
    expect((lib as unknown as { sheetProtection: Record<string, unknown> }).sheetProtection).toMatchObject({ sheet: true });
    const ind = sheet(wb, SHEETS.indicators);
    const letter = (label: string) => ind.getColumn(indicatorCol(label)).letter;
    expect(ind.getCell(`${letter('Common indicator code')}2`).dataValidation).toMatchObject({ type: 'list', formulae: [`'Common indicators'!$A$2:$A$${1 + reference.commonIndicators.length}`] });
    expect(ind.getCell(`${letter('Reporting frequency')}9`).dataValidation).toMatchObject({ type: 'list', formulae: ['"month,quarter,half,year"'] });
    expect(ind.getCell(rowOfCode(ind, 'OP1.4.a'), indicatorCol('Common indicator code')).value).toBe('CI-GOV-01');
  });

  it('refuses a code that is not in the library or is of another type, naming sheet, row and column', async () => {
    const wb = await load();
    const ind = sheet(wb, SHEETS.indicators);
    const unknown = rowOfCode(ind, 'OP1.3.a'); // a count
    const otherType = rowOfCode(ind, 'OC1.b'); // a percentage
    ind.getCell(unknown, indicatorCol('Common indicator code')).value = 'CI-NOPE';
    ind.getCell(otherType, indicatorCol('Common indicator code')).value = 'CI-GOV-01';
    expect(problems(wb)).toEqual([
      `Indicators|${otherType}|Common indicator code|CI-GOV-01 "Number of government officials trained on migration governa…" is a count indicator: a percentage indicator cannot link to it (the roll-up adds up only indicators of the same type)`,
      `Indicators|${unknown}|Common indicator code|"CI-NOPE" is not in the common indicator library (see the Common indicators sheet)`,
    ]);
  });

  it('reads the reporting frequency as people write it, refuses an unknown one, and leaves it unset without the column', async () => {
    const wb = await load();
    const ind = sheet(wb, SHEETS.indicators);
    ind.getCell(rowOfCode(ind, 'OC1.a'), indicatorCol('Reporting frequency')).value = 'Yearly';
    ind.getCell(rowOfCode(ind, 'OP1.3.a'), indicatorCol('Reporting frequency')).value = 'half-year';
    ind.getCell(rowOfCode(ind, 'OP1.3.b'), indicatorCol('Reporting frequency')).value = null; // empty: quarter
    const reading = readLogframe(wb, 'lf.xlsx', known);
    expect(reading.issues).toEqual([]);
    if (!reading.ok) return;
    const frequency = (code: string) => reading.definition.indicators.find((i) => i.code === code)!.reportingFrequency;
    expect([frequency('OC1.a'), frequency('OP1.3.a'), frequency('OP1.3.b'), frequency('OP1.4.a')]).toEqual(['year', 'half', 'quarter', 'quarter']);

    const bad = await load();
    const bind = sheet(bad, SHEETS.indicators);
    bind.getCell(4, indicatorCol('Reporting frequency')).value = 'fortnightly';
    expect(problems(bad)).toEqual(['Indicators|4|Reporting frequency|"fortnightly" is not one of month, quarter, half, year']);

    const old = await load();
    sheet(old, SHEETS.indicators).spliceColumns(indicatorCol('Reporting frequency'), 1);
    const without = readLogframe(old, 'lf.xlsx', known);
    expect(without.issues).toEqual([]);
    if (without.ok) {
      expect(without.definition.indicators.map((i) => i.reportingFrequency)).toEqual(demo.indicators.map(() => undefined));
      expect(without.definition.indicators.map(({ reportingFrequency: _f, ...i }) => i)).toEqual(demo.indicators.map(({ reportingFrequency: _f, ...i }) => i));
    }
  });
});

describe('validation rules on the logframe', () => {
  const rules = [
    { code: 'R1', left: ['OP1.4.a'], operator: '<=' as const, right: ['OP1.3.b'], description: 'trained ≤ workshop participants' },
    { code: 'R2', left: ['OP1.1.b', 'OP1.3.a'], operator: '>=' as const, right: ['OC1.a'], description: '' },
  ];
  it('round-trips the rules exactly; a workbook without the sheet leaves the stored rules alone', async () => {
    const wb = await load(await writeLogframe({ ...demo, validationRules: rules }, reference));
    const reading = readLogframe(wb, 'lf.xlsx', known);
    expect(reading.ok && reading.definition.validationRules).toEqual(rules);
    const without = await load();
    wb.removeWorksheet(sheet(wb, SHEETS.validationRules).id);
    const old = readLogframe(without, 'lf.xlsx', known);
    expect(old.ok && 'validationRules' in old.definition && old.definition.validationRules).toEqual([]);
    const none = readLogframe(wb, 'lf.xlsx', known);
    expect(none.ok && none.definition.validationRules).toBeUndefined();
  });
  it('refuses a rule that is not a comparison, names an unknown indicator, or repeats a code, with sheet, row and column', async () => {
    const wb = await load(await writeLogframe({ ...demo, validationRules: rules }, reference));
    const ws = sheet(wb, SHEETS.validationRules);
    ws.getCell(2, 2).value = 'OP1.4.a OP1.3.b';
    ws.getCell(3, 2).value = 'OP9.z <= OC1.a';
    ws.getRow(4).values = ['R1', 'OC1.a = OC1.a'];
    expect(problems(wb)).toEqual([
      `${SHEETS.validationRules}|2|Rule|"OP1.4.a OP1.3.b" has no comparison: write e.g. "OP1.a <= OP1.b" (operators <=, >=, =, <, >)`,
      `${SHEETS.validationRules}|3|Rule|unknown indicator code "OP9.z": it is not on the Indicators sheet`,
      `${SHEETS.validationRules}|4|Code|rule R1 appears twice (rows 2 and 4)`,
    ]);
  });
});
