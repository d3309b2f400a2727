/**
 * Two sheets that let a reader trace and trust the figures: "Values" lists every stored value behind
 * them (the revision of its cell, where it came from, who entered it and when), and "Data quality"
 * lists the warnings a reviewer sees (validation rules broken, outliers) with the data's time and digest.
 */
import type ExcelJS from 'exceljs';
import type { ReportModel } from '../../domain/report-model.js';
import { cellLabel } from '../../domain/value-history.js';
import { colLetter, fillRow, frozenBelow, headerRow, num, sheetOptions, text } from './format.js';

export const VALUES_SHEET = 'Values';
export const DATA_QUALITY_SHEET = 'Data quality';

const VALUE_HEADERS = ['Indicator code', 'Period', 'Cell', 'Value', 'Numerator', 'Denominator', 'Text', 'Revision', 'Source', 'Import batch', 'Batch kind', 'File', 'Entered by', 'Entered at (UTC)', 'Comment'];
const VALUE_WIDTHS = [13, 10, 28, 10, 11, 11, 30, 9, 16, 11, 11, 28, 16, 20, 30];

/** Where a value came from, in words: the file, a correction on the web, a resubmission, or a data source. */
export function sourceLabel(v: ReportModel['provenance'][number]): string {
  if (v.batchKind === 'correction') return 'correction';
  if (v.batchKind === 'resubmit') return 'quarantine resubmission';
  if (v.fileName) return 'file';
  return v.source || 'entered';
}

export function writeValuesSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, model: ReportModel): void {
  const ws = workbook.addWorksheet(VALUES_SHEET, sheetOptions(model, { views: frozenBelow(1) }));
  ws.columns = VALUE_WIDTHS.map((width) => ({ width }));
  const header = ws.getRow(1);
  headerRow(header, VALUE_HEADERS);
  header.commit();
  let n = 1;
  for (const v of model.provenance) {
    const row = ws.getRow(++n);
    fillRow(row, [
      { value: text(v.indicatorCode) },
      { value: text(v.period) },
      { value: text(cellLabel(v.disaggregation)) },
      { value: num(v.value) },
      { value: num(v.numerator) },
      { value: num(v.denominator) },
      { value: v.text === null ? null : text(v.text), wrap: true },
      { value: v.revision },
      { value: text(sourceLabel(v)) },
      { value: v.batchId },
      { value: v.batchKind === null ? null : text(v.batchKind) },
      { value: v.fileName === null ? null : text(v.fileName) },
      { value: text(v.enteredBy) },
      { value: text(v.enteredAt.replace('T', ' ').replace('Z', '')) },
      { value: v.comment ? text(v.comment) : null, wrap: true },
    ]);
    row.commit();
  }
  ws.autoFilter = `A1:${colLetter(VALUE_HEADERS.length)}${Math.max(n, 1)}`;
  ws.commit();
}

export function writeDataQualitySheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, model: ReportModel): void {
  const ws = workbook.addWorksheet(DATA_QUALITY_SHEET, sheetOptions(model));
  ws.columns = [{ width: 16 }, { width: 14 }, { width: 10 }, { width: 90 }];
  const facts: Array<[string, string]> = [
    ['Data as of', model.meta.dataAsOf ?? '—'],
    ['Data SHA-256', model.meta.dataSha256 ?? '—'],
    ['Values behind the figures', String(model.provenance.length)],
    ['Warnings', String(model.dataQuality.length)],
  ];
  let n = 0;
  for (const [label, value] of facts) {
    const row = ws.getRow(++n);
    fillRow(row, [{ value: label }, { value: text(value) }]);
    row.commit();
  }
  const header = ws.getRow(n += 2);
  headerRow(header, ['Kind', 'Indicator', 'Period', 'Warning']);
  header.commit();
  for (const w of model.dataQuality) {
    const row = ws.getRow(++n);
    fillRow(row, [
      { value: w.kind === 'rule' ? `Rule ${w.ruleCode}` : 'Outlier' },
      { value: text(w.indicatorCode) },
      { value: text(w.period) },
      { value: text(w.message), wrap: true },
    ]);
    row.commit();
  }
  ws.commit();
}
