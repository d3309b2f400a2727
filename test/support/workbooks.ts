/** Reading back what the renderers wrote: a report's workbook, as a user's Excel would open it. */
import ExcelJS from 'exceljs';
import type { ReportFiles } from '../../activities/report-files.js';

export async function workbookOf(files: ReportFiles): Promise<ExcelJS.Workbook> {
  const buf = files.files.find((f) => f.format === 'xlsx')!.content;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer);
  return wb;
}
