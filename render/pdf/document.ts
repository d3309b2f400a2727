/**
 * The donor report as a pdfmake document definition: cover, summary, one page group per section,
 * other narrative, approvals (final only). Pure: no fonts, no I/O, a fresh object per call
 * (pdfmake mutates the definition while laying it out, so never reuse one).
 */
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { ReportModel } from '../../domain/report-model.js';
import { DASH, formatDate, formatDateTime, humanize, STATUS_COLOR, STATUS_LABEL, STATUS_ORDER } from './format.js';
import { sectionContent } from './results-section.js';
import { boxesLayout, COLORS, STYLES, tableLayout } from './theme.js';

export const AGENCY_LINE = 'International Organization for Migration (IOM) — Libya';
const A4_WIDTH = 595.28;
const COVER_BAND_HEIGHT = 190;
const STATUS_TEXT: Record<ReportModel['meta']['status'], string> = { preview: 'Preview (not submitted)', draft: 'Draft', final: 'Final' };

export function buildPdfDocument(model: ReportModel): TDocumentDefinitions {
  const { meta } = model;
  const project = meta.project;
  const generated = new Date(meta.generatedAt);
  return {
    pageSize: 'A4',
    pageOrientation: 'portrait',
    pageMargins: [40, 58, 40, 48],
    info: {
      title: `${meta.title} — ${project.title} — ${meta.periodLabel}`,
      author: AGENCY_LINE,
      subject: `${project.code} ${meta.period}`,
      creator: 'RBM Flow',
      producer: 'RBM Flow (pdfmake)',
      // Fixed dates make the bytes reproducible (pdfkit derives the file ID from them).
      ...(Number.isNaN(generated.getTime()) ? {} : { creationDate: generated, modDate: generated }),
    },
    ...(meta.status === 'final' ? {} : { watermark: { text: 'DRAFT', color: '#8A96A3', opacity: 0.12, bold: true, fontSize: 110 } }),
    defaultStyle: { font: 'Roboto', fontSize: 8.5, color: COLORS.ink, lineHeight: 1.15 },
    styles: STYLES,
    background: (page) => (page === 1 ? { canvas: [{ type: 'rect', x: 0, y: 0, w: A4_WIDTH, h: COVER_BAND_HEIGHT, color: COLORS.brand }] } : null),
    header: (page) => (page === 1 ? null : runningHeader(model)),
    footer: (page, pages) => (page === 1 ? null : runningFooter(model, page, pages)),
    content: [
      ...cover(model),
      ...summary(model),
      ...model.sections.flatMap((s) => sectionContent(s, meta)),
      ...otherNarrative(model),
      ...(meta.status === 'final' ? approvals(model) : []),
    ],
  };
}

function runningHeader(model: ReportModel): Content {
  const { meta } = model;
  return {
    margin: [40, 22, 40, 0],
    stack: [
      {
        columns: [
          { text: [{ text: meta.project.code, bold: true }, `  ${meta.project.title}`], fontSize: 7.5, color: COLORS.muted },
          { text: meta.periodLabel, fontSize: 7.5, color: COLORS.muted, alignment: 'right', width: 'auto' },
        ],
      },
      { canvas: [{ type: 'line', x1: 0, y1: 4, x2: A4_WIDTH - 80, y2: 4, lineWidth: 0.5, lineColor: COLORS.rule }] },
    ],
  };
}

function runningFooter(model: ReportModel, page: number, pages: number): Content {
  const { meta } = model;
  return {
    margin: [40, 16, 40, 0],
    columns: [
      { text: `${meta.title} · version ${meta.version} · ${STATUS_TEXT[meta.status]}`, fontSize: 7, color: COLORS.muted },
      { text: `Page ${page} of ${pages}`, fontSize: 7, color: COLORS.muted, alignment: 'right', width: 'auto' },
    ],
  };
}

function cover(model: ReportModel): Content[] {
  const { meta } = model;
  const p = meta.project;
  const row = (label: string, value: string): TableCell[] => [{ text: label, style: 'label' }, { text: value, fontSize: 10 }];
  const details: TableCell[][] = [
    row('Prima ID', p.code),
    row('Project ID', p.altCode ?? DASH),
    row(meta.donorNames.length > 1 ? 'Donors' : 'Donor', meta.donorNames.join('; ') || DASH),
    row('Reporting period', meta.periodLabel),
    row('Project duration', `${formatDate(p.startDate)} – ${formatDate(p.endDate)}`),
    row('Report version', String(meta.version)),
    row('Status', STATUS_TEXT[meta.status]),
    row('Generated', formatDateTime(meta.generatedAt)),
    row('Data as of', formatDateTime(meta.dataAsOf)),
  ];
  return [
    { text: AGENCY_LINE, color: 'white', fontSize: 10, bold: true, margin: [0, -18, 0, 40] },
    { text: meta.title, color: 'white', fontSize: 26, bold: true },
    { text: meta.periodLabel, color: '#C9D6EE', fontSize: 11, margin: [0, 6, 0, 0] },
    { text: p.title, fontSize: 18, bold: true, color: COLORS.brand, margin: [0, 66, 0, 22] },
    {
      table: { widths: [110, '*'], body: details },
      layout: { ...tableLayout({ zebra: false, header: false }), paddingTop: () => 5, paddingBottom: () => 5 },
    },
    ...(p.illustrative
      ? [{ table: { widths: ['*'], body: [[{ text: 'Contains illustrative demo data', bold: true, color: COLORS.warning, fillColor: '#FDF0D9', margin: [4, 4, 4, 4] }]] }, layout: 'noBorders', margin: [0, 24, 0, 0] } as Content]
      : []),
  ];
}

function summary(model: ReportModel): Content[] {
  const { meta, summary: s, narrative } = model;
  const figures: TableCell[] = s.keyFigures.map((f) => ({
    stack: [
      { text: f.value, fontSize: 18, bold: true, color: COLORS.brand },
      { text: f.label, fontSize: 7.5, color: COLORS.muted, margin: [0, 2, 0, 0] },
    ],
    fillColor: COLORS.figureFill,
    margin: [6, 6, 6, 6],
  }));
  const statuses: TableCell[] = STATUS_ORDER.map((st) => ({
    text: [{ text: `${s.byStatus[st]}`, bold: true, fontSize: 12 }, { text: `  ${STATUS_LABEL[st]}`, fontSize: 8 }],
    color: STATUS_COLOR[st].strong,
    fillColor: STATUS_COLOR[st].tint,
    margin: [4, 3, 4, 3],
  }));
  return [
    { text: 'Summary', style: 'h1', pageBreak: 'before' },
    { text: 'Key figures', style: 'h2' },
    figures.length ? { table: { widths: figures.map(() => '*'), body: [figures] }, layout: boxesLayout(figures.length) } : { text: DASH },
    { text: `Indicators by status (${s.indicatorCount} indicators)`, style: 'h2' },
    { table: { widths: statuses.map(() => '*'), body: [statuses] }, layout: boxesLayout(statuses.length) },
    ...paragraph('Project objective', meta.objective),
    ...paragraph('Summary of progress', narrative['summary']),
  ];
}

/** A headed block of plain text (narrative is data: never interpreted as markup), or nothing. */
function paragraph(heading: string, text: string | null | undefined): Content[] {
  return text?.trim() ? [{ text: heading, style: 'h2' }, { text, style: 'body' }] : [];
}

/** Narrative sections other than the summary (e.g. challenges, lessons learned), in model order. */
function otherNarrative(model: ReportModel): Content[] {
  const entries = Object.entries(model.narrative).filter(([key, text]) => key !== 'summary' && text.trim());
  if (!entries.length) return [];
  return [
    { text: 'Narrative', style: 'h1', pageBreak: 'before' },
    ...entries.flatMap(([key, text]) => paragraph(humanize(key), text)),
  ];
}

function approvals(model: ReportModel): Content[] {
  const header: TableCell[] = ['Step', 'Name', 'Decision', 'Date', 'Comment'].map((h) => ({ text: h, style: 'th' }));
  const rows = model.approvals.map((a): TableCell[] => [
    a.step,
    a.decidedByName,
    { text: a.decision === 'approved' ? 'Approved' : 'Returned', bold: true, color: a.decision === 'approved' ? STATUS_COLOR.on_track.strong : STATUS_COLOR.at_risk.strong },
    formatDateTime(a.decidedAt),
    a.comment ?? DASH,
  ]);
  return [
    { text: 'Approvals', style: 'h1', margin: [0, 18, 0, 6], unbreakable: true },
    rows.length
      ? { table: { headerRows: 1, dontBreakRows: true, widths: [80, 95, 48, 108, '*'], body: [header, ...rows] }, layout: tableLayout({ zebra: true, header: true }) }
      : { text: 'No approvals recorded.', style: 'muted' },
  ];
}
