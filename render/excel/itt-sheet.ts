/**
 * The "ITT" sheet (Indicator Tracking Table): a two-row frozen header, then per section a title row,
 * per result a group row (outline level 1) and its indicators (outline level 2), so a reader can fold
 * the table by section or by output. Rows are committed as they are written.
 */
import type ExcelJS from 'exceljs';
import type { ConditionalFormattingRule, Row, Style } from 'exceljs';
import type { ReportModel, ReportRow, ReportSection } from '../../domain/report-model.js';
import type { ProgressStatus } from '../../domain/progress.js';
import {
  PERCENT_FORMAT, RESULT_STYLE, SECTION_STYLE, HEADER_STYLE, STATUS_LABEL, TYPE_LABEL, VALUE_FORMAT,
  colLetter, fillRow, frozenBelow, num, reportPeriods, sheetOptions, text, type CellSpec,
} from './format.js';

export const ITT_SHEET = 'ITT';
export const ITT_HEADER_ROWS = 2;

interface IttColumn {
  /** Text over a group of columns in header row 1 (the period id); null: the header spans both rows. */
  band: string | null;
  header: string;
  width: number;
  cell(row: ReportRow, section: ReportSection): CellSpec;
}

const figure = (r: ReportRow, value: number | null | undefined): CellSpec => ({ value: num(value), numFmt: VALUE_FORMAT[r.type] });
const percent = (value: number | null): CellSpec => ({ value: num(value), numFmt: PERCENT_FORMAT });
/** A qualitative indicator's "actual" is its narrative; left unwrapped so it overflows into the empty cells beside it. */
const actual = (r: ReportRow, value: number | null | undefined): CellSpec => (r.type === 'qualitative' ? { value: text(r.narrative) } : figure(r, value));
const plain = (value: string | null, wrap = false): CellSpec => ({ value: text(value), wrap });

function ittColumns(model: ReportModel): IttColumn[] {
  const col = (header: string, width: number, cell: IttColumn['cell']): IttColumn => ({ band: null, header, width, cell });
  const periodColumns = reportPeriods(model).flatMap((p): IttColumn[] => {
    const at = (r: ReportRow) => r.byPeriod.find((f) => f.period === p);
    return [
      { band: p, header: 'Target', width: 10, cell: (r) => figure(r, at(r)?.target) },
      // A qualitative indicator's text of every quarter, not only the report's.
      { band: p, header: 'Actual', width: 10, cell: (r) => (r.type === 'qualitative' ? { value: text(at(r)?.text ?? (p === model.meta.period ? r.narrative : null)) } : figure(r, at(r)?.actual)) },
    ];
  });
  return [
    col('Section / UNSDCF output', 16, (_r, s) => plain(s.frameworkCode ?? (s.key === 'other' ? 'Other' : s.key))),
    col('Result code', 10, (r) => plain(r.resultCode)),
    col('Result', 36, (r) => plain(r.resultStatement, true)),
    col('Indicator code', 12, (r) => plain(r.indicatorCode)),
    col('Indicator', 40, (r) => plain(r.title, true)),
    col('Type', 11, (r) => plain(TYPE_LABEL[r.type])),
    col('Unit', 10, (r) => plain(r.unit)),
    col('Baseline', 10, (r) => figure(r, r.baseline)),
    ...periodColumns,
    col('Period target', 10, (r) => figure(r, r.periodTarget)),
    col('Period actual', 10, (r) => actual(r, r.periodActual)),
    col('Cumulative actual', 11, (r) => figure(r, r.cumulativeActual)),
    col('LoP target', 10, (r) => figure(r, r.lifeOfProjectTarget)),
    col('% of period target', 10, (r) => percent(r.percentOfPeriodTarget)),
    col('% of LoP target', 10, (r) => percent(r.percentOfLifeTarget)),
    col('Status', 11, (r) => plain(STATUS_LABEL[r.status])),
    col('Data source', 24, (r) => plain(r.dataSource, true)),
    col('Means of verification', 24, (r) => plain(r.meansOfVerification, true)),
    col('Comments', 30, (r) => plain(r.comment, true)),
  ];
}

function writeHeader(ws: ExcelJS.Worksheet, columns: IttColumn[]): void {
  const top = ws.getRow(1);
  const bottom = ws.getRow(2);
  top.height = 20;
  bottom.height = 30;
  columns.forEach((c, i) => {
    const n = i + 1;
    top.getCell(n).style = HEADER_STYLE;
    bottom.getCell(n).style = HEADER_STYLE;
    if (c.band === null) {
      top.getCell(n).value = c.header;
      ws.mergeCells(1, n, 2, n);
      return;
    }
    bottom.getCell(n).value = c.header;
    if (columns[i - 1]?.band === c.band) return;
    top.getCell(n).value = c.band;
    let last = n;
    while (columns[last]?.band === c.band) last++;
    if (last > n) ws.mergeCells(1, n, 1, last);
  });
  bottom.commit();
}

/** A full-width title row: text in column 1, the style across so the fill spans the table. */
function banner(row: Row, width: number, style: Partial<Style>, values: Array<string | null>): void {
  for (let i = 1; i <= width; i++) row.getCell(i).style = style;
  values.forEach((v, i) => (row.getCell(i + 1).value = text(v)));
}

function sectionTitle(s: ReportSection): string {
  return s.illustrative && !/illustrative/i.test(s.title) ? `${s.title} (illustrative wording)` : s.title;
}

// Excel's built-in Good / Neutral / Bad palette, plus grey for missing data. The streaming writer
// supports conditional formatting (written when the sheet is committed), so status cells keep no fill.
const STATUS_COLOURS: Array<[ProgressStatus, string, string]> = [
  ['on_track', 'FFC6EFCE', 'FF006100'],
  ['at_risk', 'FFFFEB9C', 'FF9C5700'],
  ['off_track', 'FFFFC7CE', 'FF9C0006'],
  ['no_target', 'FFE4DFEC', 'FF403151'],
  ['no_data', 'FFD9D9D9', 'FF404040'],
];
const statusRules = (): ConditionalFormattingRule[] =>
  STATUS_COLOURS.map(([status, fill, font], i) => ({
    type: 'cellIs',
    operator: 'equal',
    formulae: [`"${STATUS_LABEL[status]}"`],
    priority: i + 1,
    // Differential (dxf) solid fills take their colour from bgColor, not fgColor.
    style: { fill: { type: 'pattern', pattern: 'solid', bgColor: { argb: fill } }, font: { color: { argb: font } } },
  }));

export function writeIttSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, model: ReportModel): void {
  const columns = ittColumns(model);
  const ws = workbook.addWorksheet(
    ITT_SHEET,
    // Views and outline properties are written when the sheet opens, so they must be given here.
    sheetOptions(model, {
      views: frozenBelow(ITT_HEADER_ROWS),
      properties: { outlineLevelRow: 2, outlineProperties: { summaryBelow: false, summaryRight: true } },
      pageSetup: { orientation: 'landscape', paperSize: 9, fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: `1:${ITT_HEADER_ROWS}` },
    }),
  );
  // Column widths are written with the first committed row, so they come first too.
  ws.columns = columns.map((c) => ({ width: c.width }));
  writeHeader(ws, columns);

  let n = ITT_HEADER_ROWS;
  for (const section of model.sections) {
    const sectionRow = ws.getRow(++n);
    banner(sectionRow, columns.length, SECTION_STYLE, [sectionTitle(section)]);
    sectionRow.commit();
    for (const result of section.results) {
      const rows = section.rows.filter((r) => r.resultCode === result.code);
      if (rows.length === 0) continue;
      const resultRow = ws.getRow(++n);
      resultRow.outlineLevel = 1;
      banner(resultRow, columns.length, RESULT_STYLE, [null, result.code, result.statement]);
      resultRow.commit();
      for (const r of rows) {
        const row = ws.getRow(++n);
        row.outlineLevel = 2;
        fillRow(row, columns.map((c) => c.cell(r, section)));
        row.commit();
      }
    }
  }

  const status = colLetter(columns.findIndex((c) => c.header === 'Status') + 1);
  if (n > ITT_HEADER_ROWS) ws.addConditionalFormatting({ ref: `${status}${ITT_HEADER_ROWS + 1}:${status}${n}`, rules: statusRules() });
  ws.commit();
}
