/**
 * Progress against targets: pure functions over an indicator, its targets and its values. This module
 * is the one arithmetic of PRODUCT.md's "How every figure is computed"; every report, page, API answer
 * and export takes its figures from here (and from rollup.ts, which pools contributions with the same
 * rules), never computes its own.
 * - Actual: the total row; without one, the sum of one dimension's parts. A percentage is
 *   100 × numerator / denominator when both are given, else the value as entered ("value-only").
 * - % of target: increase actual / target; decrease (baseline − actual) / (baseline − target), or
 *   target / actual without a baseline. Undefined without a target or an actual, for a target of 0
 *   (increase), a target equal to the baseline (decrease), or an actual of 0 (decrease, no baseline).
 * - Status: qualitative "reported"; no actual "no data"; an actual with an undefined % "no target";
 *   else on track / at risk / off track by the mission's thresholds.
 * - Cumulative: by the time rule; percentages as the ratio of summed parts, value-only periods left
 *   out and counted.
 */
import type { Disaggregation, DisaggregationDimension, Indicator, IndicatorType, IndicatorValue } from './results-framework.js';
import { DISAGGREGATION_DIMENSIONS, isTotal } from './results-framework.js';

export type ProgressStatus = 'on_track' | 'at_risk' | 'off_track' | 'no_target' | 'no_data' | 'reported';
/** Every status, in the order reports list them. */
export const PROGRESS_STATUSES: readonly ProgressStatus[] = ['on_track', 'at_risk', 'off_track', 'no_target', 'reported', 'no_data'];
/** How each status reads in every report, page and export. */
export const STATUS_LABEL: Record<ProgressStatus, string> = {
  on_track: 'On track', at_risk: 'At risk', off_track: 'Off track', no_target: 'No target', no_data: 'No data', reported: 'Reported',
};
export const emptyStatusCounts = (): Record<ProgressStatus, number> => ({ on_track: 0, at_risk: 0, off_track: 0, no_target: 0, no_data: 0, reported: 0 });

export interface StatusThresholds {
  onTrack: number; // % achieved at or above which an indicator is on track
  atRisk: number; // % achieved at or above which it is at risk (below: off track)
}
export const DEFAULT_THRESHOLDS: StatusThresholds = { onTrack: 90, atRisk: 60 };

/** What the % of target depends on besides the figures. */
export type AchievementRule = Pick<Indicator, 'type' | 'direction' | 'baseline'>;

export interface PeriodFigure {
  period: string;
  target: number | null;
  actual: number | null;
  /** Qualitative indicators: the text reported for the period (null for other types). */
  text?: string | null;
}
export interface DisaggregationFigure {
  dimension: DisaggregationDimension;
  category: string;
  value: number;
}
export interface IndicatorProgress {
  indicatorCode: string;
  period: string;
  periodActual: number | null;
  periodTarget: number | null;
  cumulativeActual: number | null;
  /** Percentages: value-only periods the cumulative figure left out (never averaged in). */
  cumulativeLeftOut: number;
  lifeOfProjectTarget: number | null;
  percentOfPeriodTarget: number | null;
  percentOfLifeTarget: number | null;
  status: ProgressStatus;
  byPeriod: PeriodFigure[];
  disaggregation: DisaggregationFigure[];
  /** Disaggregated values that do not add up to the total, per dimension. */
  disaggregationMismatches: Array<{ dimension: DisaggregationDimension; total: number; sum: number }>;
  /** Text reported for qualitative indicators in the period. */
  narrative: string | null;
}

const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** The single dimension a disaggregated row is split by, or undefined for total / cross rows. */
function soleDimension(d: Disaggregation): DisaggregationDimension | undefined {
  const present = DISAGGREGATION_DIMENSIONS.filter((k) => d[k]);
  return present.length === 1 ? present[0] : undefined;
}

export interface PeriodTotal {
  value: number | null;
  numerator: number | null;
  denominator: number | null;
}

const hasRatio = (type: IndicatorType) => type === 'percentage' || type === 'ratio';
const ratioValue = (type: IndicatorType, num: number, den: number) => (type === 'percentage' ? (num / den) * 100 : num / den);
/** A percentage's (or ratio's) figure: from its parts when both are given, else the value as entered. */
export function figureOf(type: IndicatorType, value: number | null, numerator: number | null, denominator: number | null): number | null {
  if (hasRatio(type) && numerator !== null && denominator) return ratioValue(type, numerator, denominator);
  return value;
}
/** True for a percentage (or ratio) entered as a value without its numerator and denominator. */
export const isValueOnly = (type: IndicatorType, t: PeriodTotal): boolean => hasRatio(type) && t.value !== null && !(t.numerator !== null && t.denominator);

/** The total of one period: the total row, else derived from one dimension's rows. */
export function periodTotal(indicator: Pick<Indicator, 'type'>, rows: IndicatorValue[]): PeriodTotal {
  const total = rows.find((r) => isTotal(r.disaggregation));
  if (total) {
    const numerator = total.numerator ?? null;
    const denominator = total.denominator ?? null;
    return { value: figureOf(indicator.type, total.value, numerator, denominator), numerator, denominator };
  }
  // No total row: sum the first dimension that has rows (counts only; a ratio is rebuilt from its parts).
  for (const dim of DISAGGREGATION_DIMENSIONS) {
    const parts = rows.filter((r) => soleDimension(r.disaggregation) === dim);
    if (parts.length === 0) continue;
    if (hasRatio(indicator.type)) {
      const num = sumOf(parts.map((p) => p.numerator ?? null));
      const den = sumOf(parts.map((p) => p.denominator ?? null));
      return { value: num !== null && den ? ratioValue(indicator.type, num, den) : null, numerator: num, denominator: den };
    }
    if (indicator.type === 'count') return { value: sumOf(parts.map((p) => p.value)), numerator: null, denominator: null };
  }
  return { value: null, numerator: null, denominator: null };
}

function sumOf(xs: Array<number | null>): number | null {
  const present = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return present.length ? present.reduce((a, b) => a + b, 0) : null;
}

/** A cumulative figure and how many value-only percentage periods it had to leave out. */
export interface CumulativeFigure {
  value: number | null;
  leftOut: number;
}

/**
 * Aggregate period totals over time by the indicator's rule: sum of periods, latest value, maximum
 * (or mean). Percentages and ratios other than "latest" are the ratio of the summed numerators and
 * denominators; a value-only period is never averaged in but left out and counted (when no period has
 * parts and exactly one has a value, that value is the figure: there is nothing to average it with).
 */
export function aggregateOverTime(indicator: Pick<Indicator, 'type' | 'timeAggregation'>, totals: PeriodTotal[]): CumulativeFigure {
  const reported = totals.filter((t) => t.value !== null);
  if (!reported.length) return { value: null, leftOut: 0 };
  if (hasRatio(indicator.type) && indicator.timeAggregation !== 'latest') {
    const withParts = reported.filter((t) => !isValueOnly(indicator.type, t));
    const leftOut = reported.length - withParts.length;
    if (!withParts.length) return leftOut === 1 ? { value: reported[0]!.value, leftOut: 0 } : { value: null, leftOut };
    const num = withParts.reduce((a, t) => a + t.numerator!, 0);
    const den = withParts.reduce((a, t) => a + t.denominator!, 0);
    return { value: ratioValue(indicator.type, num, den), leftOut };
  }
  const values = reported.map((t) => t.value!);
  switch (indicator.timeAggregation) {
    case 'sum':
      return { value: values.reduce((a, b) => a + b, 0), leftOut: 0 };
    case 'latest':
      return { value: values[values.length - 1]!, leftOut: 0 };
    case 'max':
      return { value: Math.max(...values), leftOut: 0 };
    case 'average':
      return { value: values.reduce((a, b) => a + b, 0) / values.length, leftOut: 0 };
  }
}

/**
 * % achieved against a target (rounded to 0.1, the figure every report shows), or null where the
 * rules leave it undefined (see the header).
 */
export function percentAchieved(rule: AchievementRule, actual: number | null, target: number | null): number | null {
  if (actual === null || target === null || rule.type === 'qualitative') return null;
  let ratio: number | null;
  if (rule.direction === 'decrease') {
    const base = rule.baseline;
    if (base !== null) ratio = base === target ? null : (base - actual) / (base - target);
    else ratio = actual === 0 ? null : target / actual;
  } else {
    ratio = target === 0 ? null : actual / target;
  }
  return ratio === null || !Number.isFinite(ratio) ? null : round(ratio * 100, 1);
}

/** The status of a figure: qualitative "reported"; no actual "no data"; no defined % "no target". */
export function rateStatus(type: IndicatorType, hasActual: boolean, percent: number | null, thresholds: StatusThresholds): ProgressStatus {
  if (type === 'qualitative') return hasActual ? 'reported' : 'no_data';
  if (!hasActual) return 'no_data';
  if (percent === null) return 'no_target';
  if (percent >= thresholds.onTrack) return 'on_track';
  if (percent >= thresholds.atRisk) return 'at_risk';
  return 'off_track';
}

/** A report's headline: the mean of the defined % of period targets, each capped at 100. */
export function meanAchievement(percents: Array<number | null>): { percent: number | null; indicatorCount: number } {
  const defined = percents.filter((p): p is number => p !== null);
  if (!defined.length) return { percent: null, indicatorCount: 0 };
  return { percent: round(defined.reduce((a, p) => a + Math.min(p, 100), 0) / defined.length, 1), indicatorCount: defined.length };
}

/**
 * Progress of one indicator for `period`, given all of its values and the periods from the project
 * start up to and including `period` (in order).
 */
export function computeIndicatorProgress(
  indicator: Indicator,
  values: IndicatorValue[],
  period: string,
  periodsToDate: string[],
  thresholds: StatusThresholds = DEFAULT_THRESHOLDS,
): IndicatorProgress {
  const rowsByPeriod = new Map<string, IndicatorValue[]>();
  for (const v of values) {
    if (v.indicatorCode !== indicator.code) continue;
    const list = rowsByPeriod.get(v.period) ?? [];
    list.push(v);
    rowsByPeriod.set(v.period, list);
  }
  const totals = periodsToDate.map((p) => periodTotal(indicator, rowsByPeriod.get(p) ?? []));
  const textOf = (p: string) => rowsByPeriod.get(p)?.find((r) => isTotal(r.disaggregation) && r.text)?.text ?? null;
  const byPeriod: PeriodFigure[] = periodsToDate.map((p, i) => ({
    period: p,
    target: indicator.targets[p] ?? null,
    actual: totals[i]!.value === null ? null : round(totals[i]!.value!),
    ...(indicator.type === 'qualitative' ? { text: textOf(p) } : {}),
  }));
  const currentIndex = periodsToDate.indexOf(period);
  const currentTotal = currentIndex >= 0 ? totals[currentIndex]! : { value: null, numerator: null, denominator: null };
  const current = byPeriod[currentIndex] ?? { period, target: indicator.targets[period] ?? null, actual: null };
  const cumulative = aggregateOverTime(indicator, totals);
  const lifeTarget = indicator.targets['LOP'] ?? null;
  const periodRows = rowsByPeriod.get(period) ?? [];
  const narrative = textOf(period);
  // The % comes from the unrounded figures; the actuals shown are rounded to 0.01.
  const percentOfPeriodTarget = percentAchieved(indicator, currentTotal.value, current.target);
  const hasActual = indicator.type === 'qualitative' ? current.actual !== null || narrative !== null : current.actual !== null;

  const disaggregation: DisaggregationFigure[] = [];
  for (const r of periodRows) {
    const dim = soleDimension(r.disaggregation);
    if (dim && r.value !== null) disaggregation.push({ dimension: dim, category: r.disaggregation[dim]!, value: r.value });
  }
  const mismatches: IndicatorProgress['disaggregationMismatches'] = [];
  if (indicator.type === 'count' && current.actual !== null) {
    for (const dim of new Set(disaggregation.map((d) => d.dimension))) {
      const sum = disaggregation.filter((d) => d.dimension === dim).reduce((a, d) => a + d.value, 0);
      if (Math.abs(sum - current.actual) > 1e-9) mismatches.push({ dimension: dim, total: current.actual, sum });
    }
  }

  return {
    indicatorCode: indicator.code,
    period,
    periodActual: current.actual,
    periodTarget: current.target,
    cumulativeActual: cumulative.value === null ? null : round(cumulative.value),
    cumulativeLeftOut: cumulative.leftOut,
    lifeOfProjectTarget: lifeTarget,
    percentOfPeriodTarget,
    percentOfLifeTarget: percentAchieved(indicator, cumulative.value, lifeTarget),
    status: rateStatus(indicator.type, hasActual, percentOfPeriodTarget, thresholds),
    byPeriod,
    disaggregation,
    disaggregationMismatches: mismatches,
    narrative,
  };
}
