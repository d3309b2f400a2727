/** The "Data" sheet: a flat, filterable table (one row per indicator × period) to feed a pivot table. */
import type ExcelJS from 'exceljs';
import type { ReportModel } from '../../domain/report-model.js';
import { TYPE_LABEL, VALUE_FORMAT, colLetter, fillRow, frozenBelow, headerRow, num, reportPeriods, sheetOptions, text } from './format.js';

export const DATA_SHEET = 'Data';
const HEADERS = ['Project code', 'Section', 'Result code', 'Indicator code', 'Indicator', 'Type', 'Period', 'Target', 'Actual'];
const WIDTHS = [12, 40, 11, 13, 40, 11, 10, 10, 10];

export function writeDataSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, model: ReportModel): void {
  const ws = workbook.addWorksheet(DATA_SHEET, sheetOptions(model, { views: frozenBelow(1) }));
  ws.columns = WIDTHS.map((width) => ({ width }));
  const header = ws.getRow(1);
  headerRow(header, HEADERS);
  header.commit();

  const periods = reportPeriods(model);
  let n = 1;
  for (const section of model.sections) {
    for (const r of section.rows) {
      const byPeriod = new Map(r.byPeriod.map((f) => [f.period, f]));
      for (const period of periods) {
        const f = byPeriod.get(period);
        const row = ws.getRow(++n);
        // Numbers only in Target/Actual, so a pivot can sum them; qualitative text stays on the ITT sheet.
        fillRow(row, [
          { value: text(model.meta.project.code) },
          { value: text(section.title) },
          { value: text(r.resultCode) },
          { value: text(r.indicatorCode) },
          { value: text(r.title) },
          { value: TYPE_LABEL[r.type] },
          { value: text(period) },
          { value: num(f?.target), numFmt: VALUE_FORMAT[r.type] },
          { value: num(f?.actual), numFmt: VALUE_FORMAT[r.type] },
        ]);
        row.commit();
      }
    }
  }
  ws.autoFilter = `A1:${colLetter(HEADERS.length)}${n}`;
  ws.commit();
}
