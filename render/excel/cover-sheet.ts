/** The "Cover" sheet: what the workbook is, for which cycle and version, and who approved it. */
import type ExcelJS from 'exceljs';
import type { ReportModel } from '../../domain/report-model.js';
import { LABEL_STYLE, TITLE_FONT, WARNING_STYLE, fillRow, headerRow, sheetOptions, text, utcText } from './format.js';

export const COVER_SHEET = 'Cover';

export function writeCoverSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, model: ReportModel): void {
  const { meta } = model;
  const ws = workbook.addWorksheet(COVER_SHEET, sheetOptions(model, { pageSetup: { orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 } }));
  ws.columns = [{ width: 26 }, { width: 48 }, { width: 12 }, { width: 20 }, { width: 10 }, { width: 50 }];
  let n = 0;
  const next = () => ws.getRow(++n);
  const blank = () => void ++n;

  const title = next();
  title.getCell(1).value = text(`${meta.title} — Indicator Tracking Table`);
  title.getCell(1).font = TITLE_FONT;
  if (meta.project.illustrative) {
    const demo = next();
    demo.getCell(1).value = 'Contains illustrative demo data';
    demo.getCell(1).style = WARNING_STYLE;
  }
  if (meta.revision) {
    const r = meta.revision;
    const revised = next();
    revised.getCell(1).value = text(`Revised after approval: version ${r.approvedVersion} was approved; ${r.by} reopened it (${r.reason}). ${r.changes.length} value${r.changes.length === 1 ? '' : 's'} changed: ${r.changes.slice(0, 20).map((c) => `${c.indicatorCode} ${c.period} ${c.cell}: ${c.before ?? '—'} → ${c.after ?? '—'}`).join('; ')}${r.changes.length > 20 ? '; …' : ''}`);
    revised.getCell(1).style = WARNING_STYLE;
  }
  blank();

  const facts: Array<[string, string | number | null]> = [
    ['Project', text(meta.project.title)],
    ['Prima ID', text(meta.project.code)],
    ['Project ID', text(meta.project.altCode)],
    ['Donors', text(meta.donorNames.join('; '))],
    ['Reporting period', text(meta.periodLabel)],
    ['Template', text(`${meta.templateTitle} (${meta.templateId})`)],
    ['Report cycle', text(meta.cycleId) ?? '— (preview, no cycle)'],
    ['Version', meta.version],
    ['Status', meta.status.toUpperCase()],
    ['Generated at', utcText(meta.generatedAt)],
    ['Data as of', utcText(meta.dataAsOf) ?? '—'],
    ['Data SHA-256', meta.dataSha256 ?? '—'],
    // A file cannot contain its own hash; the audit trail records it when the file is stored.
    ['File SHA-256', 'recorded in the audit trail'],
  ];
  for (const [label, value] of facts) {
    const row = next();
    row.getCell(1).value = label;
    row.getCell(1).style = LABEL_STYLE;
    row.getCell(2).value = value;
    row.getCell(2).alignment = { horizontal: 'left', vertical: 'top', wrapText: true };
  }
  blank();

  const summary = next();
  summary.getCell(1).value = 'Summary';
  summary.getCell(1).font = { bold: true, size: 12 };
  for (const figure of model.summary.keyFigures) {
    const row = next();
    row.getCell(1).value = text(figure.label);
    row.getCell(1).style = LABEL_STYLE;
    row.getCell(2).value = text(figure.value);
  }
  blank();

  const heading = next();
  heading.getCell(1).value = 'Approvals';
  heading.getCell(1).font = { bold: true, size: 12 };
  headerRow(next(), ['Step', 'Decided by', 'Decision', 'Decided at', 'Version', 'Comment']);
  if (model.approvals.length === 0) {
    const none = next();
    none.getCell(1).value = 'No approvals recorded';
    none.getCell(1).font = { italic: true };
  }
  for (const a of model.approvals) {
    fillRow(next(), [
      { value: text(a.step), wrap: true },
      { value: text(a.decidedByName || a.decidedBy), wrap: true },
      { value: a.decision === 'approved' ? 'Approved' : 'Returned' },
      { value: utcText(a.decidedAt) },
      { value: a.version },
      { value: text(a.comment), wrap: true },
    ]);
  }
  ws.commit();
}
