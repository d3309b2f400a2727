/**
 * The Indicator Tracking Table workbook: Cover, ITT, Disaggregation, Data, Values (provenance) and
 * Data quality sheets, written with
 * exceljs's streaming writer (rows are committed as they go) and returned as one Buffer.
 * Layout only: every figure comes computed in the ReportModel.
 */
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import ExcelJS from 'exceljs';
import type { ReportModel } from '../../domain/report-model.js';
import { writeCoverSheet } from './cover-sheet.js';
import { writeIttSheet } from './itt-sheet.js';
import { writeDisaggregationSheet } from './disaggregation-sheet.js';
import { writeDataSheet } from './data-sheet.js';
import { writeDataQualitySheet, writeValuesSheet } from './provenance-sheets.js';

export async function renderReportWorkbook(model: ReportModel): Promise<Buffer> {
  const stream = new PassThrough();
  const bytes = buffer(stream); // start draining now so the zip never stalls on back-pressure
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  workbook.creator = 'RBM Flow';
  workbook.lastModifiedBy = 'RBM Flow';
  const generated = new Date(model.meta.generatedAt);
  if (!Number.isNaN(generated.getTime())) workbook.created = workbook.modified = generated;

  // Sheets are written in tab order, each committed before the next is opened.
  writeCoverSheet(workbook, model);
  writeIttSheet(workbook, model);
  writeDisaggregationSheet(workbook, model);
  writeDataSheet(workbook, model);
  writeValuesSheet(workbook, model);
  writeDataQualitySheet(workbook, model);
  await workbook.commit();
  return bytes;
}

export { ITT_SHEET, ITT_HEADER_ROWS } from './itt-sheet.js';
export { COVER_SHEET } from './cover-sheet.js';
export { DISAGGREGATION_SHEET } from './disaggregation-sheet.js';
export { DATA_SHEET } from './data-sheet.js';
export { DATA_QUALITY_SHEET, VALUES_SHEET } from './provenance-sheets.js';
