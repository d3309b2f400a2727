/**
 * The mission overview workbook: Cover, one sheet per roll-up (by UNSDCF output, by IOM pillar) and a
 * Projects sheet; streaming writer, figures as computed by domain/rollup.ts (never formulas).
 */
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import ExcelJS from 'exceljs';
import type { AddWorksheetOptions } from 'exceljs';
import { PROGRESS_STATUSES } from '../../domain/progress.js';
import type { MissionOverviewModel, RollupGroup } from '../../domain/rollup.js';
import {
  LABEL_STYLE, PERCENT_FORMAT, SECTION_STYLE, STATUS_LABEL, TITLE_FONT, TYPE_LABEL, VALUE_FORMAT, colLetter, fillRow, frozenBelow, headerRow, num, text, utcText,
} from './format.js';

export const ROLLUP_UNSDCF_SHEET = 'By UNSDCF output';
export const ROLLUP_PILLAR_SHEET = 'By IOM pillar';
export const PROJECTS_SHEET = 'Projects';

const ROLLUP_HEADERS = ['Group', 'Group title', 'Line', 'Common indicator', 'Indicator', 'Type', 'Unit', 'Projects', 'Indicators', 'Actual', 'Target', 'Numerator', 'Denominator', 'Reporting', '% of target', 'Status', 'Notes'];
const ROLLUP_WIDTHS = [16, 40, 22, 10, 40, 11, 10, 28, 10, 11, 11, 11, 11, 10, 10, 11, 40];

function options(model: MissionOverviewModel, extra: Partial<AddWorksheetOptions> = {}): Partial<AddWorksheetOptions> {
  const esc = (s: string) => s.replace(/&/g, '&&');
  return { headerFooter: { oddFooter: `&L${esc(`${model.meta.status.toUpperCase()} · Mission overview · ${model.meta.period}`)}&RPage &P of &N` }, ...extra };
}

function writeRollupSheet(workbook: ExcelJS.stream.xlsx.WorkbookWriter, model: MissionOverviewModel, name: string, groups: RollupGroup[]): void {
  const ws = workbook.addWorksheet(name, options(model, { views: frozenBelow(1) }));
  ws.columns = ROLLUP_WIDTHS.map((width) => ({ width }));
  const header = ws.getRow(1);
  headerRow(header, ROLLUP_HEADERS);
  header.commit();
  let n = 1;
  for (const g of groups) {
    const banner = ws.getRow(++n);
    banner.getCell(1).value = text(g.key === 'none' ? '—' : g.key);
    banner.getCell(2).value = text(`${g.title} — ${g.projects.length} projects, ${g.indicatorCount} indicators`);
    for (let c = 1; c <= ROLLUP_HEADERS.length; c++) banner.getCell(c).style = SECTION_STYLE;
    banner.commit();
    for (const l of g.lines) {
      const row = ws.getRow(++n);
      row.outlineLevel = 1;
      const fmt = l.type === 'yes_no' ? '0' : VALUE_FORMAT[l.type];
      fillRow(row, [
        { value: text(g.key) },
        { value: text(g.title) },
        { value: text(l.key) },
        { value: l.common ? 'Yes' : 'No' },
        { value: text(l.title), wrap: true },
        { value: TYPE_LABEL[l.type] },
        { value: text(l.unit) },
        { value: text(l.projects.join(', ')), wrap: true },
        { value: l.indicatorCount },
        { value: num(l.actual), numFmt: fmt },
        { value: num(l.target), numFmt: fmt },
        { value: num(l.numerator), numFmt: '#,##0' },
        { value: num(l.denominator), numFmt: '#,##0' },
        { value: l.reporting },
        { value: num(l.percentOfTarget), numFmt: PERCENT_FORMAT },
        { value: STATUS_LABEL[l.status] },
        { value: text(l.notes.join('; ')), wrap: true },
      ]);
      row.commit();
    }
  }
  ws.autoFilter = `A1:${colLetter(ROLLUP_HEADERS.length)}${n}`;
  ws.commit();
}

export async function renderMissionWorkbook(model: MissionOverviewModel): Promise<Buffer> {
  const stream = new PassThrough();
  const bytes = buffer(stream);
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream, useStyles: true, useSharedStrings: false });
  workbook.creator = 'RBM Flow';
  const generated = new Date(model.meta.generatedAt);
  if (!Number.isNaN(generated.getTime())) workbook.created = workbook.modified = generated;
  const { rollup } = model;

  const cover = workbook.addWorksheet('Cover', options(model));
  cover.columns = [{ width: 30 }, { width: 50 }];
  let n = 0;
  const put = (label: string, value: string | number | null) => {
    const row = cover.getRow(++n);
    row.getCell(1).value = label;
    row.getCell(1).style = LABEL_STYLE;
    row.getCell(2).value = value;
  };
  cover.getRow(++n).getCell(1).value = text(`${model.meta.title} — ${model.meta.periodLabel}`);
  cover.getRow(n).getCell(1).font = TITLE_FONT;
  n++;
  put('Template', text(model.meta.templateId));
  put('Period', text(model.meta.period));
  put('Status', model.meta.status.toUpperCase());
  put('Generated at', utcText(model.meta.generatedAt));
  put('Data as of', utcText(model.meta.dataAsOf) ?? '—');
  put('Projects', rollup.projectCount);
  put('Indicators', rollup.indicatorCount);
  for (const s of PROGRESS_STATUSES) put(STATUS_LABEL[s], rollup.byStatus[s]);
  put('Roll-up rules', 'Counts summed; percentages as sum of numerators / sum of denominators; yes/no counted.');
  cover.commit();

  writeRollupSheet(workbook, model, ROLLUP_UNSDCF_SHEET, rollup.byUnsdcf);
  writeRollupSheet(workbook, model, ROLLUP_PILLAR_SHEET, rollup.byPillar);

  const ws = workbook.addWorksheet(PROJECTS_SHEET, options(model, { views: frozenBelow(1) }));
  const headers = ['Project code', 'Title', 'Programmatic area', 'Donors', 'Indicators', 'On track', 'At risk', 'Off track', 'No target', 'Reported', 'No data', 'UNSDCF outputs', 'IOM pillars'];
  ws.columns = [12, 44, 24, 30, 10, 9, 9, 9, 9, 9, 30, 24].map((width) => ({ width }));
  const header = ws.getRow(1);
  headerRow(header, headers);
  header.commit();
  let r = 1;
  for (const p of rollup.projects) {
    const row = ws.getRow(++r);
    fillRow(row, [
      { value: text(p.code) }, { value: text(p.title), wrap: true }, { value: text(p.programmaticArea) }, { value: text(p.donors.join('; ')), wrap: true },
      { value: p.indicatorCount }, { value: p.byStatus.on_track }, { value: p.byStatus.at_risk }, { value: p.byStatus.off_track }, { value: p.byStatus.no_target }, { value: p.byStatus.reported }, { value: p.byStatus.no_data },
      { value: text(p.unsdcfOutputs.join(', ')) }, { value: text(p.pillars.join(', ')) },
    ]);
    row.commit();
  }
  ws.autoFilter = `A1:${colLetter(headers.length)}${r}`;
  ws.commit();
  await workbook.commit();
  return bytes;
}
