/**
 * One report section (a UNSDCF output, IOM pillar or outcome): heading, the project's results under
 * it, the indicator table and compact charts per count/percentage indicator.
 */
import type { Content, TableCell } from 'pdfmake/interfaces.js';
import type { ReportModel, ReportRow, ReportSection } from '../../domain/report-model.js';
import { disaggregationSvg, trendSvg, progressBarSvg, type DisaggregationGroup } from './charts.js';
import { DASH, formatPercentAchieved, formatValue, humanize, LEVEL_LABEL, periodName, shortPeriod, STATUS_COLOR, STATUS_LABEL, TYPE_LABEL } from './format.js';
import { tableLayout } from './theme.js';

const HEADERS = ['Indicator', 'Baseline', 'Period target', 'Period actual', 'Cumulative', 'LoP target', '% achieved', 'Status'];
const WIDTHS = ['*', 40, 40, 40, 44, 40, 40, 50];

export function sectionContent(section: ReportSection, meta: ReportModel['meta']): Content[] {
  const charted = section.rows.filter((r) => r.type === 'count' || r.type === 'percentage');
  return [
    { text: section.title, style: 'h1', pageBreak: 'before' },
    ...(section.results.length ? [resultsList(section)] : []),
    { text: `Indicators — ${meta.periodLabel}`, style: 'h2' },
    indicatorTable(section.rows),
    {
      text: 'Cumulative: from the project start to the end of the reporting period. LoP: life of project. % achieved: period actual against period target.',
      style: 'note',
    },
    ...(charted.length ? [{ text: 'Progress charts', style: 'h2' } as Content, ...charted.map((r) => indicatorCharts(r, meta.periods))] : []),
  ];
}

function resultsList(section: ReportSection): Content {
  return {
    table: {
      widths: [48, '*'],
      body: section.results.map((r): TableCell[] => [
        { stack: [{ text: r.code, bold: true }, { text: LEVEL_LABEL[r.level], style: 'muted' }] },
        { text: r.statement },
      ]),
    },
    layout: tableLayout({ zebra: false, header: false }),
    margin: [0, 2, 0, 4],
  };
}

function indicatorTable(rows: ReportRow[]): Content {
  const header: TableCell[] = HEADERS.map((h, i) => ({ text: h, style: 'th', alignment: i === 0 ? 'left' : i === 7 ? 'center' : 'right' }));
  return {
    table: { headerRows: 1, dontBreakRows: true, widths: WIDTHS, body: [header, ...rows.map(indicatorRow)] },
    layout: tableLayout({ zebra: true, header: true }),
  };
}

function indicatorRow(r: ReportRow): TableCell[] {
  const indicator: TableCell = {
    stack: [
      { text: [{ text: r.indicatorCode, bold: true }, `  ${r.title}`] },
      { text: r.unit && r.unit !== '%' ? `${TYPE_LABEL[r.type]} · ${r.unit}` : TYPE_LABEL[r.type], style: 'muted' },
    ],
  };
  const color = STATUS_COLOR[r.status];
  const status: TableCell = { text: STATUS_LABEL[r.status], bold: true, color: color.strong, fillColor: color.tint, alignment: 'center' };
  if (r.type === 'qualitative') {
    // The narrative replaces the figures; it is data, printed as plain text.
    const narrative: TableCell = r.narrative
      ? { text: r.narrative, colSpan: 6 }
      : { text: 'No narrative reported for this period.', colSpan: 6, style: 'muted' };
    return [indicator, narrative, {}, {}, {}, {}, {}, status];
  }
  const num = (text: string, bold = false): TableCell => ({ text, bold, alignment: 'right', noWrap: true });
  return [
    indicator,
    num(formatValue(r.type, r.baseline)),
    num(formatValue(r.type, r.periodTarget)),
    num(formatValue(r.type, r.periodActual), true),
    num(formatValue(r.type, r.cumulativeActual)),
    num(formatValue(r.type, r.lifeOfProjectTarget)),
    num(formatPercentAchieved(r.percentOfPeriodTarget)),
    status,
  ];
}

/** Progress bar, trend and disaggregation of one indicator, kept together on a page. */
function indicatorCharts(r: ReportRow, periods: string[]): Content {
  const format = (v: number) => formatValue(r.type, v);
  const multiYear = new Set(periods.map((p) => p.slice(0, 4))).size > 1;
  const byPeriod = new Map(r.byPeriod.map((f) => [f.period, f]));
  const points = periods.map((p) => ({ label: shortPeriod(p, multiYear), actual: byPeriod.get(p)?.actual ?? null, target: byPeriod.get(p)?.target ?? null }));
  const groups = groupDisaggregation(r);
  const caption = (text: string): Content => ({ text, style: 'caption' });

  return {
    unbreakable: true,
    margin: [0, 4, 0, 6],
    stack: [
      { text: [{ text: r.indicatorCode, bold: true }, `  ${r.title}`], style: 'chartTitle' },
      {
        columnGap: 14,
        columns: [
          { width: 150, stack: [caption('% of period target'), { svg: progressBarSvg({ percent: r.percentOfPeriodTarget, color: STATUS_COLOR[r.status].strong, format: formatPercentAchieved, width: 150 }) }] },
          { width: 170, stack: [caption('Actual vs target by period'), { svg: trendSvg({ points, format, minScale: r.type === 'percentage' ? 100 : 0, width: 170 }) }] },
          {
            width: '*',
            stack: groups.length
              ? [caption(`Disaggregation, ${periodName(r.period)}`), { svg: disaggregationSvg({ groups, mode: r.type === 'count' ? 'share' : 'percent', format, width: 165 }) }, ...mismatchNotes(r)]
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
