/**
 * One report section (a UNSDCF output, IOM pillar or outcome): heading, the project's results under
 * it, the indicator table (the template's columns) and compact charts per count/percentage indicator;
 * and the EU-style logframe table.
 *
 * No heading is left alone at the bottom of a page: a table's heading is its first header row (repeated
 * on the next page, kept with the first data row by pdfmake), other headings are kept with the block after them.
 */
import type { Content, TableCell } from 'pdfmake/interfaces.js';
import type { LayoutSection, ReportColumn, ReportModel, ReportRow, ReportSection } from '../../domain/report-model.js';
import { disaggregation, progressBar, trend, type DisaggregationGroup } from './charts.js';
import { DASH, formatPercentAchieved, formatValue, humanize, LEVEL_LABEL, periodName, shortPeriod, STATUS_COLOR, STATUS_LABEL, TYPE_LABEL } from './format.js';
import { inlineFragments, inlineText } from './text.js';
import { COLORS, tableLayout } from './theme.js';

const PAGE_WIDTH = 515.28;

interface ColumnSpec {
  header: string;
  width: number;
  align: 'left' | 'right' | 'center';
  cell(r: ReportRow): TableCell;
}

const num = (text: string, bold = false): TableCell => ({ text, bold, alignment: 'right', noWrap: true });
const statusCell = (r: ReportRow): TableCell => {
  const color = STATUS_COLOR[r.status];
  return { text: STATUS_LABEL[r.status], bold: true, color: color.strong, fillColor: color.tint, alignment: 'center' };
};
const textCell = (width: number) => (value: string | null): TableCell => (value?.trim() ? (inlineText(value, { width: width - 8, fontSize: 7.5 }) as TableCell) : { text: DASH, style: 'muted' });

/** The columns a template may ask for; `logframe` headers follow the EU wording. */
function columnSpec(column: ReportColumn, logframe: boolean): ColumnSpec {
  switch (column) {
    case 'baseline':
      return { header: 'Baseline', width: 40, align: 'right', cell: (r) => num(formatValue(r.type, r.baseline)) };
    case 'period_target':
      return { header: 'Period target', width: 40, align: 'right', cell: (r) => num(formatValue(r.type, r.periodTarget)) };
    case 'period_actual':
      return { header: 'Period actual', width: 40, align: 'right', cell: (r) => num(formatValue(r.type, r.periodActual), true) };
    case 'cumulative':
      return { header: logframe ? 'Current value' : 'Cumulative', width: 44, align: 'right', cell: (r) => num(formatValue(r.type, r.cumulativeActual), logframe) };
    case 'lop_target':
      return { header: logframe ? 'Target' : 'LoP target', width: 40, align: 'right', cell: (r) => num(formatValue(r.type, r.lifeOfProjectTarget)) };
    case 'percent_period':
      return { header: '% achieved', width: 40, align: 'right', cell: (r) => num(formatPercentAchieved(r.percentOfPeriodTarget)) };
    case 'percent_lop':
      return { header: '% of LoP target', width: 40, align: 'right', cell: (r) => num(formatPercentAchieved(r.percentOfLifeTarget)) };
    case 'status':
      return { header: 'Status', width: 50, align: 'center', cell: statusCell };
    case 'unit':
      return { header: 'Unit', width: 40, align: 'left', cell: (r) => ({ text: r.unit || DASH }) };
    case 'data_source':
      return { header: 'Data source', width: 80, align: 'left', cell: (r) => textCell(80)(r.dataSource) };
    case 'source_of_verification':
      return { header: 'Source of verification', width: 88, align: 'left', cell: (r) => textCell(88)(r.meansOfVerification) };
    case 'comments':
      return { header: 'Comments', width: 100, align: 'left', cell: (r) => textCell(100)(r.comment) };
  }
}

const NUMERIC: ReportColumn[] = ['baseline', 'period_target', 'period_actual', 'cumulative', 'lop_target', 'percent_period', 'percent_lop'];

export interface SectionOptions {
  newPage: boolean;
  charts: boolean;
  /** Smaller headings and no footnote (the one-page summary). */
  compact: boolean;
  /** A title over the first group (e.g. "Outcome indicators"). */
  heading: string | null;
}

export function sectionContent(section: ReportSection, meta: ReportModel['meta'], layout: ReportModel['layout'], opts: SectionOptions = { newPage: true, charts: true, compact: false, heading: null }): Content[] {
  const charted = opts.charts ? section.rows.filter((r) => r.type === 'count' || r.type === 'percentage') : [];
  const pageBreak = opts.newPage ? { pageBreak: 'before' as const } : {};
  const out: Content[] = [];
  const heading: Content[] = opts.heading ? [{ text: opts.heading, style: 'h1', margin: [0, 6, 0, 2] }] : [];
  const title: Content = { text: inlineFragments(section.title), style: opts.compact ? 'h2' : 'h1' };
  if (!opts.compact) {
    // The headings stay with the results list; the table carries its own heading row.
    // A page break goes on the outer block: pdfmake loses content when it sits inside an unbreakable one.
    out.push({ stack: [...heading, title, ...(section.results.length ? [resultsList(section)] : [])], unbreakable: true, ...pageBreak } as Content);
    out.push(indicatorTable(section.rows, layout.columns, [{ text: `Indicators — ${meta.periodLabel}`, style: 'h2' }]));
  } else {
    // Compact (one-page summary): the headings are the table's heading rows, so they never sit alone.
    if (Object.keys(pageBreak).length) out.push({ text: '', ...pageBreak } as Content);
    out.push(indicatorTable(section.rows, layout.columns, [...(opts.heading ? [{ text: opts.heading, style: 'h1' }] : []), { text: inlineFragments(section.title), style: 'h2' }]));
  }
  if (!opts.compact) {
    out.push({
      text: 'Cumulative: from the project start to the end of the reporting period. LoP: life of project. % achieved: period actual against period target.',
      style: 'note',
    });
  }
  if (charted.length) {
    const [first, ...rest] = charted.map((r) => indicatorCharts(r, meta.periods, layout.disaggregations.length > 0));
    out.push({ stack: [{ text: 'Progress charts', style: 'h2' }, first!], unbreakable: true } as Content, ...rest);
  }
  return out;
}

function resultsList(section: ReportSection): Content {
  return {
    table: {
      widths: [48, '*'],
      body: section.results.map((r): TableCell[] => [
        { stack: [{ text: r.code, bold: true }, { text: LEVEL_LABEL[r.level], style: 'muted' }] },
        inlineText(r.statement, { width: PAGE_WIDTH - 60, fontSize: 8.5 }) as TableCell,
      ]),
    },
    layout: tableLayout({ zebra: false, header: false }),
    margin: [0, 2, 0, 4],
  };
}

/** A table's heading as a header row spanning every column: repeated on each page, never orphaned. */
function headingRow(heading: string | { text: unknown; style: string }, columns: number): TableCell[] {
  const cell = typeof heading === 'string' ? { text: heading, style: 'h2' } : heading;
  return [{ ...(cell as object), colSpan: columns, margin: [-4, 0, 0, 0], border: [false, false, false, false] } as TableCell, ...Array.from({ length: columns - 1 }, () => ({}))];
}

function indicatorTable(rows: ReportRow[], columns: ReportColumn[], headings: Array<{ text: unknown; style: string }>): Content {
  const specs = columns.map((c) => columnSpec(c, false));
  const header: TableCell[] = [{ text: 'Indicator', style: 'th' }, ...specs.map((c) => ({ text: c.header, style: 'th', alignment: c.align }))];
  const firstNumeric = columns.findIndex((c) => NUMERIC.includes(c));
  const lastNumeric = columns.length - 1 - [...columns].reverse().findIndex((c) => NUMERIC.includes(c));
  const body = rows.map((r) => indicatorRow(r, specs, firstNumeric, lastNumeric));
  const headerRows = headings.length + 1;
  return {
    table: {
      headerRows,
      keepWithHeaderRows: 1,
      dontBreakRows: true,
      widths: ['*', ...specs.map((c) => c.width)],
      body: [...headings.map((h) => headingRow(h, specs.length + 1)), header, ...body],
    },
    layout: tableLayout({ zebra: true, header: true, headingRows: headings.length }),
  };
}

function indicatorRow(r: ReportRow, specs: ColumnSpec[], firstNumeric: number, lastNumeric: number): TableCell[] {
  const indicator: TableCell = {
    stack: [
      { text: [{ text: r.indicatorCode, bold: true }, '  ', ...inlineFragments(r.title)] },
      { text: r.unit && r.unit !== '%' ? `${TYPE_LABEL[r.type]} · ${r.unit}` : TYPE_LABEL[r.type], style: 'muted' },
    ],
  };
  const cells = specs.map((c) => c.cell(r));
  if (r.type === 'qualitative' && firstNumeric >= 0) {
    // The narrative replaces the figures; it is data, printed as plain text.
    const span = lastNumeric - firstNumeric + 1;
    const width = specs.slice(firstNumeric, lastNumeric + 1).reduce((a, c) => a + c.width + 8, 0);
    const narrative = r.narrative ? inlineText(r.narrative, { width: width - 8, fontSize: 8.5 }) : null;
    cells[firstNumeric] = narrative !== null
      ? (typeof narrative === 'string' ? { text: narrative, colSpan: span } : ({ ...(narrative as object), colSpan: span } as TableCell))
      : { text: 'No narrative reported for this period.', colSpan: span, style: 'muted' };
    for (let i = firstNumeric + 1; i <= lastNumeric; i++) cells[i] = {};
  }
  return [indicator, ...cells];
}

/** EU-style logframe: per result (by the results chain), its indicators with the template's columns. */
export function logframeContent(model: ReportModel, section: Extract<LayoutSection, { kind: 'logframe' }>): Content[] {
  const shown = new Set(section.indicatorCodes);
  const specs = model.layout.columns.map((c) => columnSpec(c, true));
  const widths = ['*', ...specs.map((c) => c.width)];
  const n = specs.length + 1;
  const header: TableCell[] = [{ text: 'Results chain / indicator', style: 'th' }, ...specs.map((c) => ({ text: c.header, style: 'th', alignment: c.align }))];
  const body: TableCell[][] = [headingRow(`Logframe — status at the end of ${model.meta.periodLabel}`, n), header];
  for (const group of model.sections) {
    const rows = group.rows.filter((r) => shown.has(r.indicatorCode));
    if (!rows.length) continue;
    body.push([{ text: inlineFragments(group.title), bold: true, color: COLORS.brand, colSpan: n, fillColor: '#E8EEF7' }, ...Array.from({ length: n - 1 }, () => ({}))]);
    for (const result of group.results) {
      const own = rows.filter((r) => r.resultCode === result.code);
      if (!own.length) continue;
      // Grouped by outcome, the group banner already states the outcome itself.
      if (result.code !== group.key) body.push([
        { text: [{ text: `${LEVEL_LABEL[result.level]} ${result.code}: `, bold: true }, ...inlineFragments(result.statement)], italics: true, colSpan: n, fillColor: '#F7F9FB' },
        ...Array.from({ length: n - 1 }, () => ({})),
      ]);
      for (const r of own) {
        body.push([
          { stack: [{ text: [{ text: r.indicatorCode, bold: true }, '  ', ...inlineFragments(r.title)] }, { text: r.unit && r.unit !== '%' ? `${TYPE_LABEL[r.type]} · ${r.unit}` : TYPE_LABEL[r.type], style: 'muted' }] },
          ...specs.map((c) => c.cell(r)),
        ]);
      }
    }
  }
  return [
    { text: section.title, style: 'h1', ...(section.newPage ? { pageBreak: 'before' as const } : {}) },
    {
      table: { headerRows: 2, keepWithHeaderRows: 1, dontBreakRows: true, widths, body },
      layout: tableLayout({ zebra: false, header: true, headingRows: 1 }),
      fontSize: 7.5,
    },
    { text: 'Target: end-of-action (life of project) target. Current value: cumulative from the start of the action to the end of the reporting period.', style: 'note' },
  ];
}

/** Progress bar, trend and disaggregation of one indicator, kept together on a page. */
function indicatorCharts(r: ReportRow, periods: string[], showDisaggregation = true): Content {
  const format = (v: number) => formatValue(r.type, v);
  const multiYear = new Set(periods.map((p) => p.slice(0, 4))).size > 1;
  const byPeriod = new Map(r.byPeriod.map((f) => [f.period, f]));
  const points = periods.map((p) => ({ label: shortPeriod(p, multiYear), actual: byPeriod.get(p)?.actual ?? null, target: byPeriod.get(p)?.target ?? null }));
  const groups = showDisaggregation ? groupDisaggregation(r) : [];
  const caption = (text: string): Content => ({ text, style: 'caption' });

  return {
    unbreakable: true,
    margin: [0, 4, 0, 6],
    stack: [
      { text: [{ text: r.indicatorCode, bold: true }, '  ', ...inlineFragments(r.title)], style: 'chartTitle' },
      {
        columnGap: 14,
        columns: [
          { width: 150, stack: [caption('% of period target'), progressBar({ percent: r.percentOfPeriodTarget, color: STATUS_COLOR[r.status].strong, format: formatPercentAchieved, width: 150 })] },
          { width: 170, stack: [caption('Actual vs target by period'), trend({ points, format, minScale: r.type === 'percentage' ? 100 : 0, width: 170 })] },
          {
            width: '*',
            stack: groups.length
              ? [caption(`Disaggregation, ${periodName(r.period)}`), disaggregation({ groups, mode: r.type === 'count' ? 'share' : 'percent', format, width: 165 }), ...mismatchNotes(r)]
              : [caption('Disaggregation'), { text: `${DASH} not reported`, style: 'muted' }],
          },
        ],
      },
    ],
  };
}

function groupDisaggregation(r: ReportRow): DisaggregationGroup[] {
  const groups = new Map<string, DisaggregationGroup>();
  for (const d of r.disaggregation) {
    const g = groups.get(d.dimension) ?? { label: humanize(d.dimension), parts: [] };
    g.parts.push({ category: humanize(d.category), value: d.value });
    groups.set(d.dimension, g);
  }
  return [...groups.values()];
}

function mismatchNotes(r: ReportRow): Content[] {
  return r.disaggregationMismatches.map((m) => ({
    text: `By ${humanize(m.dimension).toLowerCase()}: parts sum to ${formatValue(r.type, m.sum)}, total is ${formatValue(r.type, m.total)}.`,
    style: 'warning',
  }));
}
