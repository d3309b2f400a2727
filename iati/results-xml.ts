/**
 * `result` elements of one activity: one per outcome and output (and objective) that has indicators,
 * each with its indicators, baseline and one `period` per reporting period with a target or data.
 * Element order follows the 2.03 schema's sequences:
 *   result: title, description, reference*, indicator+
 *   indicator: title, description, baseline?, period*
 *   period: period-start, period-end, target?, actual*
 *   actual: dimension*, comment?, rbm:ratio? (foreign elements come last)
 */
import { comparePeriods, parsePeriod, tryParsePeriod } from '../domain/periods.js';
import { figureOf } from '../domain/progress.js';
import { DISAGGREGATION_DIMENSIONS, type Indicator, type IndicatorValue, type Result } from '../domain/results-framework.js';
import type { ActivityInput, ExportCounts, ExportOptions, XmlNode } from './activity-input.js';
import { INDICATOR_MEASURE, QUALITATIVE_MEASURE, RBM_PREFIX, RESULT_TYPE } from './codes.js';
import { dimensionsOf } from './dimensions.js';
import { contributionSentence, resultReferences } from './framework-references.js';
import { decimalText, xmlSafe } from './xml-text.js';
import { groupBy } from '../domain/group-by.js';

const RBM_CODE = `${RBM_PREFIX}:code`;
const RBM_RATIO = `${RBM_PREFIX}:ratio`;

export function appendResults(activity: XmlNode, input: ActivityInput, options: ExportOptions, counts: ExportCounts): void {
  const rowsByIndicator = groupBy(input.values, (v) => v.indicatorCode);
  for (const result of input.results) {
    const indicators = input.indicators.filter((i) => i.resultCode === result.code);
    if (!indicators.length) continue; // the schema wants at least one indicator per result
    const el = activity.ele('result', { type: RESULT_TYPE[result.level], [RBM_CODE]: result.code });
    appendNarrative(el, 'title', result.statement);
    appendNarrative(el, 'description', resultAbout(result, input));
    for (const ref of resultReferences(result, input.frameworkNodes, options.baseUrl)) {
      el.ele('reference', { vocabulary: ref.vocabulary, code: ref.code, 'vocabulary-uri': ref.vocabularyUri });
    }
    for (const indicator of indicators) appendIndicator(el, indicator, rowsByIndicator.get(indicator.code) ?? [], input, counts);
    counts.results++;
  }
}

function appendIndicator(resultEl: XmlNode, indicator: Indicator, rows: IndicatorValue[], input: ActivityInput, counts: ExportCounts): void {
  const measure = INDICATOR_MEASURE[indicator.type];
  const qualitative = measure === QUALITATIVE_MEASURE;
  const direction = qualitative ? {} : { ascending: indicator.direction === 'increase' ? '1' : '0' };
  const el = resultEl.ele('indicator', { measure, ...direction, [RBM_CODE]: indicator.code });
  appendNarrative(el, 'title', indicator.title);
  appendNarrative(el, 'description', indicatorAbout(indicator));
  if (!qualitative && indicator.baseline !== null) {
    const year = (indicator.baselineDate ?? input.project.startDate).slice(0, 4);
    el.ele('baseline', { year, ...(indicator.baselineDate ? { 'iso-date': indicator.baselineDate.slice(0, 10) } : {}), value: decimalText(indicator.baseline) });
  }

  const rowsByPeriod = groupBy(rows, (r) => r.period);
  for (const [period, list] of rowsByPeriod) {
    if (!tryParsePeriod(period)) {
      counts.skippedValues += list.length;
      rowsByPeriod.delete(period);
    }
  }
  const targetPeriods = qualitative ? [] : Object.keys(indicator.targets).filter((p) => tryParsePeriod(p));
  const periods = [...new Set([...targetPeriods.map((p) => parsePeriod(p).id), ...rowsByPeriod.keys()])].sort(comparePeriods);

  for (const period of periods) {
    const target = qualitative ? undefined : indicator.targets[period];
    const all = rowsByPeriod.get(period) ?? [];
    const writable = all.filter((r) => (qualitative ? Boolean(r.text?.trim()) : r.value !== null && Number.isFinite(r.value))).sort(byCell);
    counts.skippedValues += all.length - writable.length;
    if (target === undefined && !writable.length) continue;
    const p = parsePeriod(period);
    const periodEl = el.ele('period');
    periodEl.ele('period-start', { 'iso-date': p.start });
    periodEl.ele('period-end', { 'iso-date': p.end });
    if (target !== undefined) {
      periodEl.ele('target', { value: decimalText(target) }); // our targets are totals: no dimensions
      counts.targets++;
    }
    for (const row of writable) appendActual(periodEl, indicator.type, row, qualitative, counts);
    counts.periods++;
  }
  counts.indicators++;
}

function appendActual(periodEl: XmlNode, type: Indicator['type'], row: IndicatorValue, qualitative: boolean, counts: ExportCounts): void {
  // A percentage with its parts is 100 × numerator / denominator (the figure every report shows).
  const value = figureOf(type, row.value, row.numerator ?? null, row.denominator ?? null);
  const actual = periodEl.ele('actual', qualitative ? {} : { value: decimalText(Math.round(value! * 100) / 100) });
  for (const d of dimensionsOf(row.disaggregation)) actual.ele('dimension', { name: d.name, value: d.value });
  if (row.text?.trim()) appendNarrative(actual, 'comment', row.text);
  const { numerator, denominator } = row;
  if (!qualitative && typeof numerator === 'number' && typeof denominator === 'number') {
    actual.ele(RBM_RATIO, { numerator: decimalText(numerator), denominator: decimalText(denominator) });
  }
  counts.actuals++;
}

export function appendNarrative(parent: XmlNode, element: string, text: string): void {
  parent.ele(element).ele('narrative').txt(xmlSafe(text.trim()));
}

function resultAbout(result: Result, input: ActivityInput): string {
  const level = result.level === 'objective' ? 'Objective' : result.level === 'outcome' ? 'Outcome' : 'Output';
  const parent = result.parentCode ? input.results.find((r) => r.code === result.parentCode) : undefined;
  return [`${level} ${result.code}${parent ? ` of ${parent.level} ${parent.code}` : ''}.`, contributionSentence(result, input.frameworkNodes)]
    .filter(Boolean)
    .join(' ');
}

const TIME_AGGREGATION_TEXT: Record<Indicator['timeAggregation'], string> = {
  sum: 'the sum of the periods',
  latest: 'the latest value',
  max: 'the highest value',
  average: 'the average of the periods',
};

/** As domain/progress.ts aggregates: a percentage or ratio as the ratio of sums unless it is "latest". */
const overTime = (i: Indicator): string =>
  (i.type === 'percentage' || i.type === 'ratio') && i.timeAggregation !== 'latest'
    ? 'the ratio of the summed numerators to the summed denominators'
    : TIME_AGGREGATION_TEXT[i.timeAggregation];

function indicatorAbout(i: Indicator): string {
  const lop = i.targets['LOP'];
  return [
    `Indicator ${i.code}.`,
    i.unit ? `Unit: ${i.unit}.` : '',
    i.type === 'yes_no' ? 'Reported as 1 (yes) or 0 (no).' : '',
    lop !== undefined && i.type !== 'qualitative' ? `Life-of-project target: ${decimalText(lop)}.` : '',
    i.type === 'qualitative' ? '' : `Values over time combine as ${overTime(i)}.`,
    i.disaggregations.length ? `Disaggregated by ${i.disaggregations.join(', ').replace(/_/g, ' ')}.` : '',
    i.dataSource ? `Data source: ${i.dataSource}.` : '',
    i.meansOfVerification ? `Means of verification: ${i.meansOfVerification}.` : '',
  ]
    .filter(Boolean)
    .join(' ')
    .replace(/\.\./g, '.');
}

/** Total first, then cells by dimension (sex, age group, ... as DISAGGREGATION_DIMENSIONS) and category. */
function byCell(a: IndicatorValue, b: IndicatorValue): number {
  const key = (v: IndicatorValue) => dimensionsOf(v.disaggregation).map((d) => `${DISAGGREGATION_DIMENSIONS.indexOf(d.name)}:${d.value}`);
  const ka = key(a);
  const kb = key(b);
  return ka.length - kb.length || ka.join('|').localeCompare(kb.join('|'));
}

