/**
 * The donor report as a pdfmake document definition, laid out from the template's sections in order
 * (model.layout): cover or masthead, summary, results (one block per UNSDCF output / pillar / outcome),
 * logframe, narrative, approvals (final only). Headings are kept with the block after them; text from
 * data in Arabic goes through the bidi pass (text.ts). Pure: no fonts, no I/O, a fresh object per call
 * (pdfmake mutates the definition while laying it out, so never reuse one).
 */
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { ReportModel } from '../../domain/report-model.js';
import { DASH, formatDate, formatDateTime, STATUS_COLOR, STATUS_LABEL, STATUS_ORDER } from './format.js';
import { logframeContent, sectionContent } from './results-section.js';
import { inlineFragments, inlineText, isRtl, paragraphs } from './text.js';
import { boxesLayout, COLORS, STYLES, tableLayout } from './theme.js';

export const AGENCY_LINE = 'International Organization for Migration (IOM) — Libya';
const A4_WIDTH = 595.28;
/** Width of the text column (A4 less the side margins). */
export const CONTENT_WIDTH = A4_WIDTH - 80;
const COVER_BAND_HEIGHT = 190;
const STATUS_TEXT: Record<ReportModel['meta']['status'], string> = { preview: 'Preview (not submitted)', draft: 'Draft', final: 'Final' };

export function buildPdfDocument(model: ReportModel): TDocumentDefinitions {
  const { meta } = model;
  const project = meta.project;
  const generated = new Date(meta.generatedAt);
  const hasCover = model.layout.sections.some((s) => s.kind === 'cover');
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
    background: (page) => (hasCover && page === 1 ? { canvas: [{ type: 'rect', x: 0, y: 0, w: A4_WIDTH, h: COVER_BAND_HEIGHT, color: COLORS.brand }] } : null),
    header: (page) => (hasCover && page === 1 ? null : runningHeader(model)),
    footer: (page, pages) => (hasCover && page === 1 ? null : runningFooter(model, page, pages)),
    content: layoutContent(model),
  };
}

/** The template's sections in order. A new page starts a section unless the template says otherwise. */
function layoutContent(model: ReportModel): Content[] {
  const { meta } = model;
  const out: Content[] = [];
  const rowsByCode = new Set<string>();
  let narrativeOpened = false;
  for (const section of model.layout.sections) {
    switch (section.kind) {
      case 'cover':
        out.push(...cover(model), ...revisionNotice(model, true));
        break;
      case 'masthead':
        out.push(...masthead(model), ...revisionNotice(model, false));
        break;
      case 'summary':
        out.push(...summary(model, section));
        break;
      case 'results': {
        const shown = new Set(section.indicatorCodes);
        const groups = model.sections
          .map((g) => ({ ...g, rows: g.rows.filter((r) => shown.has(r.indicatorCode)) }))
          .filter((g) => g.rows.length)
          .map((g) => ({ ...g, results: g.results.filter((r) => g.rows.some((row) => row.resultCode === r.code)) }));
        groups.forEach((g, i) => out.push(...sectionContent(g, meta, model.layout, { newPage: section.newPage, charts: section.charts, compact: !section.newPage, heading: i === 0 ? section.title : null })));
        for (const c of section.indicatorCodes) rowsByCode.add(c);
        break;
      }
      case 'logframe':
        out.push(...logframeContent(model, section));
        break;
      case 'narrative':
        if (!section.text?.trim()) break;
        out.push(...paragraph(section.title, section.text, narrativeOpened ? {} : { pageBreak: 'before', title: 'Narrative' }));
        narrativeOpened = true;
        break;
      case 'approvals':
        if (meta.status === 'final') out.push(...approvals(model));
        break;
    }
  }
  // A one-page template has no room for an annex; every other report says what data it rests on.
  if (model.layout.maxPages !== 1) out.push(...dataAnnex(model));
  return out;
}

/**
 * A report revised after approval says so first: which version was approved, who reopened it and why,
 * and (when there is room) every value that changed since the approved version.
 */
function revisionNotice(model: ReportModel, withChanges: boolean): Content[] {
  const r = model.meta.revision;
  if (!r) return [];
  const line: Content = {
    text: [
      { text: 'Revised after approval. ', bold: true, color: STATUS_COLOR.at_risk.strong },
      `Version ${r.approvedVersion} was approved; ${r.by} reopened it on ${formatDateTime(r.at)}: ${r.reason}`,
    ],
    margin: [0, 4, 0, 6],
  };
  if (!withChanges) return [line];
  const header: TableCell[] = ['Indicator', 'Period', 'Cell', `Approved (v${r.approvedVersion})`, 'Now'].map((h) => ({ text: h, style: 'th' }));
  const rows = r.changes.map((c): TableCell[] => [c.indicatorCode, c.period, c.cell, c.before ?? DASH, { text: c.after ?? DASH, bold: true }]);
  return [
    { text: 'Revised after approval', style: 'h1', pageBreak: 'before' },
    line,
    rows.length
      ? { table: { headerRows: 1, dontBreakRows: true, widths: [60, 50, '*', 80, 80], body: [header, ...rows] }, layout: tableLayout({ zebra: true, header: true }) }
      : { text: 'No stored value differs from the approved version.', style: 'muted' },
  ];
}

/** The annex: the data's time and digest, how many values are behind the figures, and the data-quality warnings. */
function dataAnnex(model: ReportModel): Content[] {
  const { meta } = model;
  const facts: TableCell[][] = [
    ['Data as of', meta.dataAsOf ? formatDateTime(meta.dataAsOf) : DASH],
    ['SHA-256 of the data', { text: meta.dataSha256 ?? DASH, font: 'Roboto', fontSize: 7 }],
    ['Values behind the figures', `${model.provenance.length} (listed with their source, revision, author and time on the Values sheet of the Excel)`],
  ].map(([k, v]) => [{ text: k as string, style: 'muted' }, v as TableCell]);
  const header: TableCell[] = ['Indicator', 'Period', 'Warning'].map((h) => ({ text: h, style: 'th' }));
  const warnings = model.dataQuality.map((w): TableCell[] => [w.indicatorCode, w.period, inlineText(w.message, { width: 330, fontSize: 8.5 }) as TableCell]);
  return [
    { text: 'Annex: data and data quality', style: 'h1', pageBreak: 'before' },
    { table: { widths: [120, '*'], body: facts }, layout: 'noBorders', margin: [0, 0, 0, 10] },
    keepWithNext(
      { text: 'Data-quality warnings', style: 'h2' },
      warnings.length
        ? { table: { headerRows: 1, dontBreakRows: true, widths: [60, 44, '*'], body: [header, ...warnings] }, layout: tableLayout({ zebra: true, header: true }) }
        : { text: 'No validation rule is broken and no value stands out from its history or targets.', style: 'muted' },
    ),
  ];
}

/** A compact title block instead of a cover page (the one-page summary). */
function masthead(model: ReportModel): Content[] {
  const { meta } = model;
  const p = meta.project;
  const facts = [
    `${p.code}${p.altCode ? ` · ${p.altCode}` : ''}`,
    meta.donorNames.length ? `${meta.donorNames.length > 1 ? 'Donors' : 'Donor'}: ${meta.donorNames.join('; ')}` : null,
    `${formatDate(p.startDate)} – ${formatDate(p.endDate)}`,
    STATUS_TEXT[meta.status],
  ].filter((x): x is string => x !== null);
  return [
    {
      table: {
        widths: ['*'],
        body: [[{
          stack: [
            { text: AGENCY_LINE, color: '#C9D6EE', fontSize: 8, bold: true },
            { text: `${meta.title} — ${meta.periodLabel}`, color: 'white', fontSize: 15, bold: true, margin: [0, 3, 0, 0] },
            { text: inlineFragments(p.title), color: 'white', fontSize: 11, margin: [0, 2, 0, 0] },
            { text: facts.join('   |   '), color: '#C9D6EE', fontSize: 7.5, margin: [0, 4, 0, 0] },
          ],
          fillColor: COLORS.brand,
          margin: [8, 8, 8, 8],
        }]],
      },
      layout: 'noBorders',
      margin: [0, 0, 0, 6],
    },
    ...(p.illustrative ? [{ text: 'Contains illustrative demo data', bold: true, color: COLORS.warning, fontSize: 7.5, margin: [0, 0, 0, 4] } as Content] : []),
  ];
}

function runningHeader(model: ReportModel): Content {
  const { meta } = model;
  return {
    margin: [40, 22, 40, 0],
    stack: [
      {
        columns: [
          { text: [{ text: meta.project.code, bold: true }, '  ', ...inlineFragments(meta.project.title)], fontSize: 7.5, color: COLORS.muted },
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
    [{ text: meta.donorNames.length > 1 ? 'Donors' : 'Donor', style: 'label' }, { text: inlineFragments(meta.donorNames.join('; ') || DASH), fontSize: 10 }],
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
    { stack: [inlineText(p.title, { width: CONTENT_WIDTH, fontSize: 18 })], fontSize: 18, bold: true, color: COLORS.brand, margin: [0, 66, 0, 22] },
    {
      table: { widths: [110, '*'], body: details },
      layout: { ...tableLayout({ zebra: false, header: false }), paddingTop: () => 5, paddingBottom: () => 5 },
    },
    ...(p.illustrative
      ? [{ table: { widths: ['*'], body: [[{ text: 'Contains illustrative demo data', bold: true, color: COLORS.warning, fillColor: '#FDF0D9', margin: [4, 4, 4, 4] }]] }, layout: 'noBorders', margin: [0, 24, 0, 0] } as Content]
      : []),
  ];
}

function summary(model: ReportModel, section: { title: string; newPage: boolean; text: string | null }): Content[] {
  const { meta, summary: s } = model;
  const compact = !section.newPage;
  const figures: TableCell[] = s.keyFigures.map((f) => ({
    stack: [
      { text: f.value, fontSize: compact ? 14 : 18, bold: true, color: COLORS.brand },
      { text: f.label, fontSize: 7.5, color: COLORS.muted, margin: [0, 2, 0, 0] },
    ],
    fillColor: COLORS.figureFill,
    margin: compact ? [5, 4, 5, 4] : [6, 6, 6, 6],
  }));
  const statuses: TableCell[] = STATUS_ORDER.map((st) => ({
    text: [{ text: `${s.byStatus[st]}`, bold: true, fontSize: compact ? 10 : 12 }, { text: `  ${STATUS_LABEL[st]}`, fontSize: 8 }],
    color: STATUS_COLOR[st].strong,
    fillColor: STATUS_COLOR[st].tint,
    margin: [4, 3, 4, 3],
  }));
  const out: Content[] = [
    {
      stack: [
        { text: section.title, style: 'h1' },
        { text: 'Key figures', style: 'h2' },
        figures.length ? { table: { widths: figures.map(() => '*'), body: [figures] }, layout: boxesLayout(figures.length) } : { text: DASH },
      ],
      unbreakable: true,
      ...(section.newPage ? { pageBreak: 'before' as const } : {}),
    },
    keepWithNext({ text: `Indicators by status (${s.indicatorCount} indicators)`, style: 'h2' }, { table: { widths: statuses.map(() => '*'), body: [statuses] }, layout: boxesLayout(statuses.length) }),
  ];
  if (!compact) out.push(...paragraph('Project objective', meta.objective));
  out.push(...paragraph(compact ? 'Summary of progress' : 'Summary of progress', section.text));
  return out;
}

/** A heading and the block after it, never split: no heading is left alone at the bottom of a page. */
export function keepWithNext(heading: Content, next: Content): Content {
  return { stack: [heading, next], unbreakable: true } as Content;
}

/**
 * A headed block of plain text (narrative is data: never interpreted as markup), or nothing.
 * The heading stays with the first paragraph; right-to-left paragraphs are laid out by the bidi pass.
 */
function paragraph(heading: string, text: string | null | undefined, opts: { pageBreak?: 'before'; title?: string } = {}): Content[] {
  if (!text?.trim()) return [];
  const [first, ...rest] = paragraphs(text, { width: CONTENT_WIDTH, fontSize: 9.5, style: 'body' });
  const head: Content[] = opts.title ? [{ text: opts.title, style: 'h1', pageBreak: opts.pageBreak }] : [];
  return [...head, keepWithNext({ text: inlineFragments(heading), style: 'h2', ...(isRtl(heading) ? { alignment: 'right' as const } : {}) }, first!), ...rest];
}

function approvals(model: ReportModel): Content[] {
  const header: TableCell[] = ['Step', 'Name', 'Decision', 'Date', 'Comment'].map((h) => ({ text: h, style: 'th' }));
  const rows = model.approvals.map((a): TableCell[] => [
    a.step,
    a.decidedByName,
    { text: a.decision === 'approved' ? 'Approved' : 'Returned', bold: true, color: a.decision === 'approved' ? STATUS_COLOR.on_track.strong : STATUS_COLOR.at_risk.strong },
    formatDateTime(a.decidedAt),
    inlineText(a.comment ?? DASH, { width: 160, fontSize: 8.5 }) as TableCell,
  ]);
  return [
    keepWithNext(
      { text: 'Approvals', style: 'h1', margin: [0, 18, 0, 6] },
      rows.length
        ? { table: { headerRows: 1, dontBreakRows: true, widths: [80, 95, 48, 108, '*'], body: [header, ...rows] }, layout: tableLayout({ zebra: true, header: true }) }
        : { text: 'No approvals recorded.', style: 'muted' },
    ),
  ];
}
