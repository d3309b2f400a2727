/**
 * Writes a project's results matrix as a logframe workbook (layout: logframe/layout.ts). Pure: the
 * same definition gives the same cells. Text from data is always written as a plain string, never as a
 * formula; dates are Excel dates (yyyy-mm-dd), numbers are numbers; drop-down lists on the coded columns.
 */
import ExcelJS from 'exceljs';
import type { DataValidation, Worksheet } from 'exceljs';
import type { CommonIndicator } from '../domain/common-indicators.js';
import { ruleText, type ValidationRule } from '../domain/data-quality.js';
import { comparePeriods } from '../domain/periods.js';
import type { FrameworkNode, Indicator, Project, Result } from '../domain/results-framework.js';
import {
  INDICATOR_COLUMNS, LIST_SEPARATOR, PROJECT_FIELDS, RESULT_COLUMNS, SHEETS, TARGET_PREFIX, VALIDATION_RULE_COLUMNS, targetHeader,
  type FieldSpec, type IndicatorField, type ProjectField, type ResultField,
} from './layout.js';

export interface LogframeContent {
  project: Project;
  results: Result[];
  indicators: Indicator[];
  validationRules?: ValidationRule[];
}
export interface LogframeReference {
  frameworkNodes: FrameworkNode[];
  donors: Array<{ code: string; name: string }>;
  /** The mission's library: listed on a read-only sheet, offered as the drop-down of "Common indicator code". */
  commonIndicators: CommonIndicator[];
}

/** Rows of the data sheets that carry drop-down lists (room to add results and indicators). */
const VALIDATED_ROWS = 500;
const HEADER_FILL = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FF1F4E79' } } as const;
const HEADER_FONT = { bold: true, color: { argb: 'FFFFFFFF' } };
const DATE_FORMAT = 'yyyy-mm-dd';

type CellValue = string | number | Date | null;

export async function writeLogframe(content: LogframeContent, reference: LogframeReference, generatedAt = new Date()): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  wb.creator = 'RBM Flow';
  wb.lastModifiedBy = 'RBM Flow';
  wb.created = wb.modified = generatedAt;
  writeInstructions(wb, content.project);
  writeProject(wb, content.project);
  writeResults(wb, content.results);
  writeIndicators(wb, content, reference.commonIndicators.length);
  writeValidationRules(wb, content.validationRules ?? []);
  writeFrameworkNodes(wb, reference.frameworkNodes);
  await writeCommonIndicators(wb, reference.commonIndicators);
  writeDonors(wb, reference.donors);
  wb.views = [{ x: 0, y: 0, width: 20000, height: 12000, firstSheet: 0, activeTab: 1, visibility: 'visible' }];
  return Buffer.from(await wb.xlsx.writeBuffer());
}

/** The period columns: every period with a target, in time order (the project's quarters when there is none). */
export function targetPeriods(indicators: Indicator[], fallback: string[] = []): string[] {
  const periods = new Set<string>();
  for (const i of indicators) for (const p of Object.keys(i.targets)) if (p !== 'LOP') periods.add(p);
  const list = periods.size ? [...periods] : fallback;
  return list.sort(comparePeriods);
}

const text = (v: string | null | undefined): string | null => (v === null || v === undefined || v === '' ? null : v);
const list = (values: string[]): string | null => text(values.join(`${LIST_SEPARATOR} `));
const number = (v: number | null | undefined): number | null => (v === null || v === undefined ? null : v);
/** An ISO date as an Excel date (midnight UTC, as exceljs reads and writes them). */
const date = (iso: string | null): Date | null => (iso ? new Date(`${iso.slice(0, 10)}T00:00:00Z`) : null);

function projectValue(p: Project, key: ProjectField): CellValue {
  switch (key) {
    case 'code': return p.code;
    case 'altCode': return text(p.altCode);
    case 'title': return p.title;
    case 'donors': return list(p.donors);
    case 'startDate': return date(p.startDate);
    case 'endDate': return date(p.endDate);
    case 'budget': return number(p.budget);
    case 'currency': return text(p.currency);
    case 'status': return p.status;
    case 'coverage': return text(p.coverage);
    case 'locations': return list(p.locations);
    case 'programmaticArea': return text(p.programmaticArea);
    case 'illustrative': return p.illustrative ? 'yes' : 'no';
  }
}

function resultValue(r: Result, key: ResultField): CellValue {
  switch (key) {
    case 'level': return r.level;
    case 'code': return r.code;
    case 'parentCode': return text(r.parentCode);
    case 'statement': return r.statement;
    case 'contributesTo': return list(r.contributesTo);
  }
}

function indicatorValue(i: Indicator, key: IndicatorField): CellValue {
  switch (key) {
    case 'resultCode': return i.resultCode;
    case 'code': return i.code;
    case 'title': return i.title;
    case 'type': return i.type;
    case 'unit': return text(i.unit);
    case 'baseline': return number(i.baseline);
    case 'baselineDate': return date(i.baselineDate);
    case 'timeAggregation': return i.timeAggregation;
    case 'reportingFrequency': return i.reportingFrequency;
    case 'direction': return i.direction;
    case 'disaggregations': return list(i.disaggregations);
    case 'disaggregationCheck': return i.disaggregationCheck;
    case 'dataSource': return text(i.dataSource);
    case 'meansOfVerification': return text(i.meansOfVerification);
    case 'commonIndicatorCode': return text(i.commonIndicatorCode);
    case 'lop': return number(i.targets.LOP);
  }
}

function styleHeader(ws: Worksheet, specs: ReadonlyArray<FieldSpec<string>>, extra: string[] = []): void {
  const header = ws.getRow(1);
  header.values = [...specs.map((s) => s.label), ...extra];
  header.font = HEADER_FONT;
  header.alignment = { vertical: 'middle', wrapText: true };
  header.height = 32;
  for (let c = 1; c <= specs.length + extra.length; c++) {
    const cell = header.getCell(c);
    cell.fill = HEADER_FILL;
    const spec = specs[c - 1];
    if (spec) cell.note = `${spec.required ? 'Required. ' : ''}${spec.help}`;
  }
  ws.views = [{ state: 'frozen', xSplit: 0, ySplit: 1, activeCell: 'A2' }];
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: specs.length + extra.length } };
}

/** A drop-down list on a column (rows 2..VALIDATED_ROWS). */
function dropDown(ws: Worksheet, column: number, values: readonly string[], rows = VALIDATED_ROWS, fromRow = 2): void {
  addValidation(ws, column, {
    type: 'list', allowBlank: true, formulae: [`"${values.join(',')}"`],
    showErrorMessage: true, errorStyle: 'warning', errorTitle: 'Not in the list', error: `Choose one of: ${values.join(', ')}`,
  }, rows, fromRow);
}

function addValidation(ws: Worksheet, column: number, validation: DataValidation, rows = VALIDATED_ROWS, fromRow = 2): void {
  const letter = ws.getColumn(column).letter;
  (ws as unknown as { dataValidations: { add(range: string, v: DataValidation): void } }).dataValidations.add(`${letter}${fromRow}:${letter}${rows}`, validation);
}

/** The range of the library's codes on the Common indicators sheet, for the drop-down of the Indicators sheet. */
export const commonCodesRange = (count: number): string => `'${SHEETS.commonIndicators}'!$A$2:$A$${count + 1}`;

function setCell(ws: Worksheet, row: number, column: number, value: CellValue, wrap = false): void {
  const cell = ws.getCell(row, column);
  cell.value = value;
  if (value instanceof Date) cell.numFmt = DATE_FORMAT;
  cell.alignment = { vertical: 'top', wrapText: wrap };
}

function writeInstructions(wb: ExcelJS.Workbook, project: Project): void {
  const ws = wb.addWorksheet(SHEETS.instructions, { properties: { tabColor: { argb: 'FF808080' } } });
  ws.columns = [{ width: 28 }, { width: 110 }];
  const lines: Array<[string, string]> = [
    ['Logframe workbook', `Results matrix of ${project.code} ${project.title}. Edit the Project, Results and Indicators sheets, then import it with: rbm logframe import FILE`],
    ['How the import works', 'The whole workbook is checked first; if anything is wrong nothing is imported and every problem is listed with its sheet, row and column. Results and indicators are matched by code: an existing code is updated, a new one is created. Results or indicators that are not in the workbook are kept as they are (never deleted).'],
    ['Cells', 'Type values, not formulas: formula cells and text starting with = + - @ are refused. Numbers with a dot for decimals and no thousands separators; percentages 0-100. Dates as Excel dates or YYYY-MM-DD. Lists separated by ";".'],
    [SHEETS.project, 'One field per row: the label in column A, the value in column B.'],
    ...PROJECT_FIELDS.map((f): [string, string] => [`  ${f.label}`, `${f.required ? 'Required. ' : ''}${f.help}`]),
    [SHEETS.results, 'One result per row, parents before or after their children, in the order they should be reported.'],
    ...RESULT_COLUMNS.map((f): [string, string] => [`  ${f.label}`, `${f.required ? 'Required. ' : ''}${f.help}`]),
    [SHEETS.indicators, 'One indicator per row.'],
    ...INDICATOR_COLUMNS.map((f): [string, string] => [`  ${f.label}`, `${f.required ? 'Required. ' : ''}${f.help}`]),
    [`  ${TARGET_PREFIX}<period>`, 'One column per reporting period, e.g. "Target 2025-Q1", "Target 2025-H1", "Target 2025" or "Target 2025-07", within the project dates. An empty cell is no target; add or remove columns as needed.'],
    [SHEETS.validationRules, 'Optional. One rule between indicators per row, checked on each period\'s actuals: a broken rule is a data-quality warning the reviewer sees beside the figures (never a refusal). The sheet replaces the project\'s rules; without the sheet, the stored rules are kept.'],
    ...VALIDATION_RULE_COLUMNS.map((f): [string, string] => [`  ${f.label}`, `${f.required ? 'Required. ' : ''}${f.help}`]),
    [SHEETS.frameworks, 'The framework nodes (UNSDCF, IOM pillars, SDG targets, GCM objectives) a result can contribute to. Reference only.'],
    [SHEETS.commonIndicators, 'The mission-wide library of common indicators (read-only): the codes the "Common indicator code" column can name, offered as its drop-down list. An indicator links only to a common indicator of its own type. The library is kept with: rbm common-indicators import FILE'],
    [SHEETS.donors, 'The donor codes the Project sheet can name. Reference only.'],
  ];
  lines.forEach(([a, b], k) => {
    const row = ws.getRow(k + 1);
    row.values = [a, b];
    row.alignment = { vertical: 'top', wrapText: true };
    if (!a.startsWith('  ')) row.font = { bold: true };
  });
}

function writeProject(wb: ExcelJS.Workbook, p: Project): void {
  const ws = wb.addWorksheet(SHEETS.project);
  ws.columns = [{ width: 22 }, { width: 70 }, { width: 60 }];
  const header = ws.getRow(1);
  header.values = ['Field', 'Value', 'Help'];
  header.font = HEADER_FONT;
  for (let c = 1; c <= 3; c++) header.getCell(c).fill = HEADER_FILL;
  ws.views = [{ state: 'frozen', xSplit: 1, ySplit: 1, activeCell: 'B2' }];
  PROJECT_FIELDS.forEach((f, k) => {
    const r = k + 2;
    setCell(ws, r, 1, f.label);
    ws.getCell(r, 1).font = { bold: f.required };
    setCell(ws, r, 2, projectValue(p, f.key), true);
    setCell(ws, r, 3, f.help, true);
    ws.getCell(r, 3).font = { italic: true, color: { argb: 'FF666666' } };
    if (f.list) dropDown(ws, 2, f.list, r, r);
  });
}

function writeResults(wb: ExcelJS.Workbook, results: Result[]): void {
  const ws = wb.addWorksheet(SHEETS.results);
  ws.columns = RESULT_COLUMNS.map((c) => ({ width: c.width }));
  styleHeader(ws, RESULT_COLUMNS);
  results.forEach((r, k) => {
    RESULT_COLUMNS.forEach((c, j) => setCell(ws, k + 2, j + 1, resultValue(r, c.key), c.key === 'statement'));
    if (r.level !== 'output') ws.getRow(k + 2).font = { bold: true };
  });
  RESULT_COLUMNS.forEach((c, j) => c.list && dropDown(ws, j + 1, c.list));
}

function writeIndicators(wb: ExcelJS.Workbook, content: LogframeContent, commonCount: number): void {
  const ws = wb.addWorksheet(SHEETS.indicators);
  const periods = targetPeriods(content.indicators);
  ws.columns = [...INDICATOR_COLUMNS.map((c) => ({ width: c.width })), ...periods.map(() => ({ width: 10 }))];
  styleHeader(ws, INDICATOR_COLUMNS, periods.map(targetHeader));
  const first = INDICATOR_COLUMNS.length + 1;
  for (let c = first; c < first + periods.length; c++) ws.getCell(1, c).note = 'A period target: a number, or empty for none.';
  content.indicators.forEach((i, k) => {
    const r = k + 2;
    INDICATOR_COLUMNS.forEach((c, j) => setCell(ws, r, j + 1, indicatorValue(i, c.key), c.key === 'title'));
    periods.forEach((p, j) => setCell(ws, r, first + j, number(i.targets[p])));
  });
  INDICATOR_COLUMNS.forEach((c, j) => c.list && dropDown(ws, j + 1, c.list));
  if (commonCount) {
    addValidation(ws, INDICATOR_COLUMNS.findIndex((c) => c.key === 'commonIndicatorCode') + 1, {
      type: 'list', allowBlank: true, formulae: [commonCodesRange(commonCount)], showErrorMessage: true, errorStyle: 'warning',
      errorTitle: 'Not a common indicator', error: `Choose a code of the ${SHEETS.commonIndicators} sheet (of the indicator's type), or leave it empty.`,
    });
  }
}

function writeFrameworkNodes(wb: ExcelJS.Workbook, nodes: FrameworkNode[]): void {
  const ws = wb.addWorksheet(SHEETS.frameworks, { properties: { tabColor: { argb: 'FF808080' } } });
  ws.columns = [{ width: 16 }, { width: 12 }, { width: 18 }, { width: 14 }, { width: 90 }];
  const header = ws.getRow(1);
  header.values = ['Code', 'Framework', 'Level', 'Parent', 'Title'];
  header.font = HEADER_FONT;
  for (let c = 1; c <= 5; c++) header.getCell(c).fill = HEADER_FILL;
  ws.views = [{ state: 'frozen', xSplit: 0, ySplit: 1, activeCell: 'A2' }];
  nodes.forEach((n, k) => {
    ws.getRow(k + 2).values = [n.code, n.framework, n.level, n.parentCode ?? '', `${n.title}${n.illustrative ? ' (illustrative)' : ''}`];
  });
}

/** The library, one entry per row, protected (no password) so that it reads as the reference it is. */
async function writeCommonIndicators(wb: ExcelJS.Workbook, entries: CommonIndicator[]): Promise<void> {
  const ws = wb.addWorksheet(SHEETS.commonIndicators, { properties: { tabColor: { argb: 'FF808080' } } });
  ws.columns = [{ width: 14 }, { width: 70 }, { width: 13 }, { width: 12 }, { width: 12 }, { width: 11 }, { width: 18 }, { width: 30 }, { width: 80 }];
  const header = ws.getRow(1);
  header.values = ['Code', 'Title', 'Type', 'Unit', 'Aggregation over time', 'Direction', 'Sector', 'Frameworks', 'Definition'];
  header.font = HEADER_FONT;
  header.alignment = { vertical: 'middle', wrapText: true };
  for (let c = 1; c <= 9; c++) header.getCell(c).fill = HEADER_FILL;
  ws.views = [{ state: 'frozen', xSplit: 1, ySplit: 1, activeCell: 'A2' }];
  entries.forEach((e, k) => {
    const values = [e.code, `${e.title}${e.illustrative ? ' (illustrative)' : ''}`, e.type, e.unit, e.timeAggregation, e.direction, e.sector, e.frameworkNodes.join(`${LIST_SEPARATOR} `), e.definition];
    values.forEach((v, j) => setCell(ws, k + 2, j + 1, text(v), j === 1 || j === 8));
  });
  await ws.protect('', { selectLockedCells: true, selectUnlockedCells: true, autoFilter: true, sort: true, formatColumns: true });
}

function writeValidationRules(wb: ExcelJS.Workbook, rules: ValidationRule[]): void {
  const ws = wb.addWorksheet(SHEETS.validationRules);
  ws.columns = VALIDATION_RULE_COLUMNS.map((c) => ({ width: c.width }));
  styleHeader(ws, VALIDATION_RULE_COLUMNS);
  rules.forEach((r, k) => {
    setCell(ws, k + 2, 1, r.code);
    setCell(ws, k + 2, 2, ruleText(r));
    setCell(ws, k + 2, 3, r.description, true);
  });
}

function writeDonors(wb: ExcelJS.Workbook, donors: Array<{ code: string; name: string }>): void {
  const ws = wb.addWorksheet(SHEETS.donors, { properties: { tabColor: { argb: 'FF808080' } } });
  ws.columns = [{ width: 16 }, { width: 60 }];
  const header = ws.getRow(1);
  header.values = ['Code', 'Name'];
  header.font = HEADER_FONT;
  for (let c = 1; c <= 2; c++) header.getCell(c).fill = HEADER_FILL;
  ws.views = [{ state: 'frozen', xSplit: 0, ySplit: 1, activeCell: 'A2' }];
  donors.forEach((d, k) => {
    ws.getRow(k + 2).values = [d.code, d.name];
  });
}
