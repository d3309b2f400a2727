/**
 * The mission overview as a pdfmake document definition: cover with mission-wide figures, then every
 * project's indicators rolled up by UNSDCF output and by IOM pillar (domain/rollup.ts computes every
 * figure; this only lays them out), then one row per project. Pure, a fresh object per call.
 */
import type { Content, TableCell, TDocumentDefinitions } from 'pdfmake/interfaces.js';
import type { MissionOverviewModel, RollupGroup, RollupLine } from '../../domain/rollup.js';
import { AGENCY_LINE } from './document.js';
import { DASH, formatDateTime, formatPercentAchieved, formatValue, STATUS_COLOR, STATUS_LABEL, STATUS_ORDER, TYPE_LABEL } from './format.js';
import { inlineFragments } from './text.js';
import { boxesLayout, COLORS, STYLES, tableLayout } from './theme.js';

const A4_WIDTH = 595.28;
const STATUS_TEXT = { preview: 'Preview', draft: 'Draft', final: 'Final' } as const;

export function buildMissionDocument(model: MissionOverviewModel): TDocumentDefinitions {
  const { meta } = model;
  const generated = new Date(meta.generatedAt);
  return {
    pageSize: 'A4',
    pageMargins: [40, 58, 40, 48],
    info: {
      title: `${meta.title} — ${meta.periodLabel}`, author: AGENCY_LINE, subject: `Mission overview ${meta.period}`, creator: 'RBM Flow', producer: 'RBM Flow (pdfmake)',
      ...(Number.isNaN(generated.getTime()) ? {} : { creationDate: generated, modDate: generated }),
    },
    ...(meta.status === 'final' ? {} : { watermark: { text: 'DRAFT', color: '#8A96A3', opacity: 0.12, bold: true, fontSize: 110 } }),
    defaultStyle: { font: 'Roboto', fontSize: 8, color: COLORS.ink, lineHeight: 1.12 },
    styles: STYLES,
    background: (page) => (page === 1 ? { canvas: [{ type: 'rect', x: 0, y: 0, w: A4_WIDTH, h: 170, color: COLORS.brand }] } : null),
    header: (page) =>
      page === 1
        ? null
        : {
            margin: [40, 22, 40, 0],
            stack: [
              { columns: [{ text: [{ text: 'IOM Libya', bold: true }, '  Mission overview'], fontSize: 7.5, color: COLORS.muted }, { text: meta.periodLabel, fontSize: 7.5, color: COLORS.muted, alignment: 'right', width: 'auto' }] },
              { canvas: [{ type: 'line', x1: 0, y1: 4, x2: A4_WIDTH - 80, y2: 4, lineWidth: 0.5, lineColor: COLORS.rule }] },
            ],
          },
    footer: (page, pages) =>
      page === 1
        ? null
        : { margin: [40, 16, 40, 0], columns: [{ text: `${meta.title} · ${STATUS_TEXT[meta.status]}`, fontSize: 7, color: COLORS.muted }, { text: `Page ${page} of ${pages}`, fontSize: 7, color: COLORS.muted, alignment: 'right', width: 'auto' }] },
    content: model.sections.flatMap((s): Content[] => {
      switch (s.kind) {
        case 'cover':
          return cover(model);
        case 'rollup':
          return rollupSection(s.title, s.by === 'unsdcf' ? model.rollup.byUnsdcf : model.rollup.byPillar, s.newPage);
        case 'projects':
          return projectsSection(model, s.title, s.newPage);
      }
    }),
  };
}

function statusBoxes(byStatus: Record<keyof typeof STATUS_LABEL, number>, size = 12): Content {
  const cells: TableCell[] = STATUS_ORDER.map((st) => ({
    text: [{ text: `${byStatus[st]}`, bold: true, fontSize: size }, { text: `  ${STATUS_LABEL[st]}`, fontSize: 7.5 }],
    color: STATUS_COLOR[st].strong, fillColor: STATUS_COLOR[st].tint, margin: [4, 2, 4, 2],
  }));
  return { table: { widths: cells.map(() => '*'), body: [cells] }, layout: boxesLayout(cells.length) };
}

function cover(model: MissionOverviewModel): Content[] {
  const { meta, rollup } = model;
  const figures: TableCell[] = [
    [String(rollup.projectCount), 'projects'],
    [String(rollup.indicatorCount), 'indicators'],
    [String(rollup.byUnsdcf.filter((g) => g.key !== 'none').length), 'UNSDCF outputs contributed to'],
    [String(rollup.byPillar.filter((g) => g.key !== 'none').length), 'IOM pillars'],
  ].map(([v, l]) => ({ stack: [{ text: v!, fontSize: 18, bold: true, color: COLORS.brand }, { text: l!, fontSize: 7.5, color: COLORS.muted }], fillColor: COLORS.figureFill, margin: [6, 6, 6, 6] }));
  return [
    { text: AGENCY_LINE, color: 'white', fontSize: 10, bold: true, margin: [0, -18, 0, 34] },
    { text: meta.title, color: 'white', fontSize: 24, bold: true },
    { text: meta.periodLabel, color: '#C9D6EE', fontSize: 11, margin: [0, 6, 0, 0] },
    { text: 'Every project’s achievement rolled up by UNSDCF output and by IOM pillar', fontSize: 13, bold: true, color: COLORS.brand, margin: [0, 62, 0, 14] },
    { table: { widths: figures.map(() => '*'), body: [figures] }, layout: boxesLayout(figures.length) },
    { text: `Indicators by status (${rollup.indicatorCount} indicators)`, style: 'h2' },
    statusBoxes(rollup.byStatus),
    {
      margin: [0, 16, 0, 0],
      text: [
        'Roll-up rules: counts are summed (actuals and targets); percentages are the ratio of summed numerators to summed denominators, never a sum or a mean of percentages; yes/no indicators are counted. ',
        'Indicators of different projects share a line only when they link to the same common indicator.',
      ],
      style: 'note',
    },
    { text: `Generated ${formatDateTime(meta.generatedAt)} · data as of ${formatDateTime(meta.dataAsOf)} · ${STATUS_TEXT[meta.status]}`, style: 'muted', margin: [0, 10, 0, 0] },
  ];
}

const num = (text: string, bold = false): TableCell => ({ text, alignment: 'right', noWrap: true, bold });

function lineValue(l: RollupLine, v: number | null): string {
  if (l.type === 'yes_no') return v === null ? DASH : `${v} yes`; // of l.reporting, shown below
  return formatValue(l.type, v);
}

function lineRow(l: RollupLine): TableCell[] {
  const color = STATUS_COLOR[l.status];
  const parts = l.type === 'percentage' && l.numerator !== null ? `${formatValue('count', l.numerator)} / ${formatValue('count', l.denominator)}` : l.type === 'yes_no' && l.actual !== null ? `of ${l.reporting} reported` : '';
  return [
    { stack: [{ text: inlineFragments(l.title) }, { text: `${l.common ? `Common ${l.key}` : l.key}${l.unit && l.unit !== '%' ? ` · ${l.unit}` : ''}`, style: 'muted' }] },
    { text: TYPE_LABEL[l.type], style: 'muted' },
    { text: l.projects.length === 1 ? l.projects[0]! : `${l.projects.length} projects`, noWrap: true },
    { stack: [num(lineValue(l, l.actual), true) as Content, ...(parts ? [{ text: parts, style: "muted", alignment: "right" } as Content] : []), ...l.notes.map((n) => ({ text: n, style: 'muted', alignment: 'right' }) as Content)] } as TableCell,
    num(lineValue(l, l.target)),
    num(formatPercentAchieved(l.percentOfTarget)),
    { text: STATUS_LABEL[l.status], bold: true, color: color.strong, fillColor: color.tint, alignment: 'center' },
  ];
}

function groupBlock(g: RollupGroup): Content[] {
  const heading: TableCell[] = [{ text: inlineFragments(g.title), style: 'h2', colSpan: 7, margin: [-4, 0, 0, 0] }, {}, {}, {}, {}, {}, {}];
  const sub: TableCell[] = [{ text: `${g.projects.length} project${g.projects.length === 1 ? '' : 's'} (${g.projects.join(', ')}) · ${g.indicatorCount} indicators · ${g.byStatus.on_track} on track, ${g.byStatus.at_risk} at risk, ${g.byStatus.off_track} off track, ${g.byStatus.no_target} without a target, ${g.byStatus.no_data} without data`, style: 'muted', colSpan: 7, margin: [-4, 0, 0, 2] }, {}, {}, {}, {}, {}, {}];
  const header: TableCell[] = ['Indicator', 'Type', 'Projects', 'Actual', 'Target', '% of target', 'Status'].map((h, i) => ({ text: h, style: 'th', alignment: i >= 3 && i <= 5 ? 'right' : i === 6 ? 'center' : 'left' }));
  return [
    {
      table: { headerRows: 3, keepWithHeaderRows: 1, dontBreakRows: true, widths: ['*', 44, 52, 56, 46, 40, 48], body: [heading, sub, header, ...g.lines.map(lineRow)] },
      layout: tableLayout({ zebra: true, header: true, headingRows: 2 }),
      margin: [0, 0, 0, 10],
    },
  ];
}

function rollupSection(title: string | undefined, groups: RollupGroup[], newPage: boolean): Content[] {
  return [
    { text: title ?? 'Roll-up', style: 'h1', ...(newPage ? { pageBreak: 'before' as const } : {}) },
    ...groups.flatMap(groupBlock),
  ];
}

function projectsSection(model: MissionOverviewModel, title: string, newPage: boolean): Content[] {
  const header: TableCell[] = ['Project', 'Donors', 'Indicators', 'On track', 'At risk', 'Off track', 'No target', 'No data', 'UNSDCF outputs'].map((h, i) => ({ text: h, style: 'th', alignment: i >= 2 && i <= 7 ? 'right' : 'left' }));
  const rows = model.rollup.projects.map((p): TableCell[] => [
    { stack: [{ text: [{ text: p.code, bold: true }, '  ', ...inlineFragments(p.title)] }, { text: `${p.programmaticArea}${p.illustrative ? ' · illustrative' : ''}`, style: 'muted' }] },
    { text: inlineFragments(p.donors.join('; ') || DASH) },
    num(String(p.indicatorCount)),
    num(String(p.byStatus.on_track)),
    num(String(p.byStatus.at_risk)),
    num(String(p.byStatus.off_track)),
    num(String(p.byStatus.no_target)),
    num(String(p.byStatus.no_data)),
    { text: p.unsdcfOutputs.map((c) => c.replace(/^UNSDCF-/, '')).join(', ') || DASH },
  ]);
  return [
    { text: title, style: 'h1', ...(newPage ? { pageBreak: 'before' as const } : {}) },
    { table: { headerRows: 1, dontBreakRows: true, widths: ['*', 76, 36, 32, 32, 32, 34, 32, 52], body: [header, ...rows] }, layout: tableLayout({ zebra: true, header: true }) },
  ];
}
