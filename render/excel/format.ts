/**
 * Cell values, number formats and styles shared by every sheet of the ITT workbook.
 *
 * Percent scale: every "% of target" and "share" cell stores the model's 0–100 number (90 means 90 %) with
 * the number format `0.0"%"`. The model computes percentages on that scale already, so the cells equal the
 * model's figures exactly, with no /100 rounding noise; a formula over them must divide by 100 itself.
 */
import type { AddWorksheetOptions, Alignment, Borders, CellValue, Fill, Font, Row, Style } from 'exceljs';
import type { DisaggregationDimension, IndicatorType } from '../../domain/results-framework.js';
import { STATUS_LABEL, type ProgressStatus } from '../../domain/progress.js';
import type { ReportModel } from '../../domain/report-model.js';

export const PERCENT_FORMAT = '0.0"%"';
/** Per indicator type; yes/no keeps the number 1/0 (pivot-friendly) and only displays "Yes"/"No". */
export const VALUE_FORMAT: Record<IndicatorType, string> = {
  count: '#,##0',
  percentage: '0.0',
  ratio: '0.00',
  yes_no: '"Yes";"Yes";"No"',
  qualitative: 'General',
};

export const TYPE_LABEL: Record<IndicatorType, string> = {
  count: 'Count',
  percentage: 'Percentage',
  ratio: 'Ratio',
  yes_no: 'Yes/No',
  qualitative: 'Qualitative',
};

export { STATUS_LABEL }; // one wording everywhere (domain/progress.ts)

export const DIMENSION_LABEL: Record<DisaggregationDimension, string> = {
  sex: 'Sex',
  age_group: 'Age group',
  population_type: 'Population type',
  nationality: 'Nationality',
  location: 'Location',
};

/** The periods shown per indicator (ITT columns, Data rows); the report period alone when the model lists none. */
export const reportPeriods = (model: ReportModel): string[] => (model.meta.periods.length ? model.meta.periods : [model.meta.period]);

/** Excel refuses cells longer than this; longer narrative is cut rather than corrupting the file. */
const MAX_CELL_TEXT = 32_767;

/**
 * Every piece of text from data goes through here and becomes a plain string cell. exceljs only writes a
 * formula for a `{ formula }` object, never for a string, so "=HYPERLINK(...)", "+1+2", "@x" stay text
 * (written as `t="str"` without `<f>`). exceljs also drops XML-illegal control characters itself.
 */
export function text(value: string | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  return value.length > MAX_CELL_TEXT ? `${value.slice(0, MAX_CELL_TEXT - 1)}…` : value;
}

/** A number cell, or empty; NaN/Infinity would be written as invalid XML numbers. */
export function num(value: number | null | undefined): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** "2025-10-10 10:00 UTC", or the input unchanged when it is not a timestamp. */
export function utcText(iso: string | null): string | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function colLetter(n: number): string {
  let s = '';
  for (let c = n; c > 0; c = Math.floor((c - 1) / 26)) s = String.fromCharCode(65 + ((c - 1) % 26)) + s;
  return s;
}

// --- styles: shared, never mutated, so exceljs dedups them cheaply -------------------------------------

const IOM_BLUE = 'FF0033A0';
const thin = { style: 'thin' as const, color: { argb: 'FFBFBFBF' } };
const BORDER: Partial<Borders> = { top: thin, left: thin, bottom: thin, right: thin };
const solid = (argb: string): Fill => ({ type: 'pattern', pattern: 'solid', fgColor: { argb } });

export const HEADER_STYLE: Partial<Style> = {
  font: { bold: true, color: { argb: 'FFFFFFFF' } },
  fill: solid(IOM_BLUE),
  alignment: { vertical: 'middle', horizontal: 'center', wrapText: true },
  border: BORDER,
};
export const SECTION_STYLE: Partial<Style> = { font: { bold: true }, fill: solid('FFD9E1F2'), border: BORDER };
export const RESULT_STYLE: Partial<Style> = { font: { bold: true, italic: true }, fill: solid('FFF2F2F2'), border: BORDER };
export const TITLE_FONT: Partial<Font> = { bold: true, size: 14 };
export const LABEL_STYLE: Partial<Style> = { font: { bold: true }, alignment: { vertical: 'top' } };
export const WARNING_STYLE: Partial<Style> = { font: { bold: true, color: { argb: 'FFC00000' } } };

const dataStyles = new Map<string, Partial<Style>>();
/** A bordered data cell with an optional number format; wrapped text for long strings. */
export function dataStyle(numFmt?: string, wrap = false): Partial<Style> {
  const key = `${numFmt ?? ''}|${wrap}`;
  let style = dataStyles.get(key);
  if (!style) {
    const alignment: Partial<Alignment> = { vertical: 'top', wrapText: wrap };
    style = numFmt ? { numFmt, alignment, border: BORDER } : { alignment, border: BORDER };
    dataStyles.set(key, style);
  }
  return style;
}

export interface CellSpec {
  value: CellValue;
  numFmt?: string;
  wrap?: boolean;
}

/** Writes `specs` into `row` starting at column 1 with the data style. */
export function fillRow(row: Row, specs: CellSpec[]): void {
  specs.forEach((spec, i) => {
    const cell = row.getCell(i + 1);
    cell.value = spec.value;
    cell.style = dataStyle(spec.numFmt, spec.wrap);
  });
}

/** A header row of a flat table (Disaggregation, Data). */
export function headerRow(row: Row, headers: string[]): void {
  headers.forEach((h, i) => {
    const cell = row.getCell(i + 1);
    cell.value = h;
    cell.style = HEADER_STYLE;
  });
}

/** Freeze panes below the first `rows` rows. */
export const frozenBelow = (rows: number): AddWorksheetOptions['views'] => [
  { state: 'frozen', xSplit: 0, ySplit: rows, topLeftCell: `A${rows + 1}`, activeCell: `A${rows + 1}` },
];

/** Print footer with status and project on every sheet ("&" is a control character in footers). */
export function sheetOptions(model: ReportModel, extra: Partial<AddWorksheetOptions> = {}): Partial<AddWorksheetOptions> {
  const esc = (s: string) => s.replace(/&/g, '&&');
  const left = `${model.meta.status.toUpperCase()} · ${model.meta.project.code} · ${model.meta.period}`;
  return {
    headerFooter: { oddFooter: `&L${esc(left)}&RPage &P of &N` },
    ...extra,
  };
}
