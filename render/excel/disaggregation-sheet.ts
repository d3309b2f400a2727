/** The "Disaggregation" sheet: one row per indicator × dimension × category for the report period. */
import type ExcelJS from 'exceljs';
import type { ReportModel, ReportRow } from '../../domain/report-model.js';
import type { DisaggregationFigure } from '../../domain/progress.js';
import { DIMENSION_LABEL, PERCENT_FORMAT, TYPE_LABEL, VALUE_FORMAT, colLetter, fillRow, frozenBelow, headerRow, num, sheetOptions, text } from './format.js';

export const DISAGGREGATION_SHEET = 'Disaggregation';
const HEADERS = ['Indicator code', 'Indicator', 'Type', 'Unit', 'Period', 'Dimension', 'Category', 'Value', 'Indicator total', 'Share of total', 'Check'];
const WIDTHS = [12, 40, 11, 10, 10, 16, 18, 10, 10, 10, 36];

/** Share of the total on the 0–100 scale; only counts add up to a total. */
function share(r: ReportRow, d: DisaggregationFigure): number | null {
  if (r.type !== 'count' || !r.periodActual) return null;
  return Math.round((d.value / r.periodActual) * 1000) / 10;
}

function check(r: ReportRow, d: DisaggregationFigure): string | null {
  const m = r.disaggregationMismatches.find((x) => x.dimension === d.dimension);
  return m ? `${DIMENSION_LABEL[d.dimension]} categories sum to ${m.sum}; total is ${m.total}` : null;
}

export function writeDisaggregationSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, model: ReportModel): void {
  const ws = workbook.addWorksheet(DISAGGREGATION_SHEET, sheetOptions(model, { views: frozenBelow(1), pageSetup: { orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } }));
  ws.columns = WIDTHS.map((width) => ({ width }));
  const header = ws.getRow(1);
  headerRow(header, HEADERS);
  header.commit();

  let n = 1;
  for (const r of model.sections.flatMap((s) => s.rows)) {
    for (const d of r.disaggregation) {
      const row = ws.getRow(++n);
      fillRow(row, [
        { value: text(r.indicatorCode) },
        { value: text(r.title) },
        { value: TYPE_LABEL[r.type] },
        { value: text(r.unit) },
        { value: text(r.period) },
        { value: DIMENSION_LABEL[d.dimension] },
        { value: text(d.category) },
        { value: num(d.value), numFmt: VALUE_FORMAT[r.type] },
        { value: num(r.periodActual), numFmt: VALUE_FORMAT[r.type] },
        { value: share(r, d), numFmt: PERCENT_FORMAT },
        { value: check(r, d) },
      ]);
      row.commit();
    }
  }
  ws.autoFilter = `A1:${colLetter(HEADERS.length)}${n}`;
  ws.commit();
}
