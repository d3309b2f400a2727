/**
 * Progress against targets: pure functions over an indicator, its targets and its values.
 * Rules follow the tools M&E staff know: percentages aggregate as the ratio of sums (never a sum or a
 * mean of percentages); counts over time aggregate by the indicator's rule (sum = non-cumulative,
 * latest = non-summing, max, average); a "decrease" indicator achieves by going down from its baseline.
 */
import type { Disaggregation, DisaggregationDimension, Indicator, IndicatorValue } from './results-framework.js';
import { DISAGGREGATION_DIMENSIONS, isTotal } from './results-framework.js';

export type ProgressStatus = 'on_track' | 'at_risk' | 'off_track' | 'no_data' | 'reported';
export interface StatusThresholds {
  onTrack: number; // % achieved at or above which an indicator is on track
  atRisk: number; // % achieved at or above which it is at risk (below: off track)
}
export const DEFAULT_THRESHOLDS: StatusThresholds = { onTrack: 90, atRisk: 60 };

export interface PeriodFigure {
  period: string;
  target: number | null;
  actual: number | null;
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

/** The total of one period: the total row, else derived from one dimension's rows. */
export function periodTotal(indicator: Indicator, rows: IndicatorValue[]): { value: number | null; numerator: number | null; denominator: number | null } {
  const total = rows.find((r) => isTotal(r.disaggregation));
  const pick = (r: IndicatorValue) => ({ value: r.value, numerator: r.numerator ?? null, denominator: r.denominator ?? null });
  if (total) return pick(total);
  // No total row: sum the first dimension that has rows (counts only; a ratio is rebuilt from its parts).
  for (const dim of DISAGGREGATION_DIMENSIONS) {
    const parts = rows.filter((r) => soleDimension(r.disaggregation) === dim);
    if (parts.length === 0) continue;
    if (indicator.type === 'percentage' || indicator.type === 'ratio') {
      const num = sumOf(parts.map((p) => p.numerator ?? null));
      const den = sumOf(parts.map((p) => p.denominator ?? null));
      return { value: num !== null && den ? ratioValue(indicator, num, den) : null, numerator: num, denominator: den };
    }
    if (indicator.type === 'count') return { value: sumOf(parts.map((p) => p.value)), numerator: null, denominator: null };
  }
  return { value: null, numerator: null, denominator: null };
}

function sumOf(xs: Array<number | null>): number | null {
  const present = xs.filter((x): x is number => x !== null && Number.isFinite(x));
  return present.length ? present.reduce((a, b) => a + b, 0) : null;
}
const ratioValue = (indicator: Indicator, num: number, den: number) =>
  indicator.type === 'percentage' ? (num / den) * 100 : num / den;

/** Aggregate period totals over time by the indicator's rule. */
export function aggregateOverTime(
  indicator: Indicator,
  totals: Array<{ value: number | null; numerator: number | null; denominator: number | null }>,
): number | null {
  if (indicator.type === 'percentage' || indicator.type === 'ratio') {
    const withParts = totals.filter((t) => t.numerator !== null && t.denominator);
    if (withParts.length && indicator.timeAggregation !== 'latest') {
      const num = withParts.reduce((a, t) => a + (t.numerator ?? 0), 0);
      const den = withParts.reduce((a, t) => a + (t.denominator ?? 0), 0);
      return den ? ratioValue(indicator, num, den) : null;
    }
  }
  const values = totals.map((t) => t.value).filter((v): v is number => v !== null);
  if (!values.length) return null;
  switch (indicator.timeAggregation) {
    case 'sum':
      return indicator.type === 'percentage' || indicator.type === 'ratio' ? values[values.length - 1]! : values.reduce((a, b) => a + b, 0);
    case 'latest':
      return values[values.length - 1]!;
    case 'max':
      return Math.max(...values);
    case 'average':
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}

/** % achieved against a target, respecting direction; baseline-relative for "decrease" indicators. */
export function percentAchieved(indicator: Indicator, actual: number | null, target: number | null): number | null {
  if (actual === null || target === null) return null;
  if (indicator.type === 'yes_no') return actual >= target ? 100 : 0;
  if (indicator.direction === 'decrease') {
    const base = indicator.baseline;
    if (base !== null && base !== target) return round(((base - actual) / (base - target)) * 100, 1);
    return actual === 0 ? 100 : round((target / actual) * 100, 1);
  }
  if (target === 0) return actual >= 0 ? 100 : 0;
  return round((actual / target) * 100, 1);
}

export function statusOf(percent: number | null, hasData: boolean, thresholds: StatusThresholds): ProgressStatus {
  if (!hasData) return 'no_data';
  if (percent === null) return 'reported';
  if (percent >= thresholds.onTrack) return 'on_track';
  if (percent >= thresholds.atRisk) return 'at_risk';
  return 'off_track';
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
  const byPeriod: PeriodFigure[] = periodsToDate.map((p, i) => ({
    period: p,
    target: indicator.targets[p] ?? null,
    actual: totals[i]!.value === null ? null : round(totals[i]!.value!),
  }));
  const current = byPeriod.find((f) => f.period === period) ?? { period, target: indicator.targets[period] ?? null, actual: null };
  const cumulative = aggregateOverTime(indicator, totals);
  const lifeTarget = indicator.targets['LOP'] ?? null;
  const periodRows = rowsByPeriod.get(period) ?? [];
  const narrative = periodRows.find((r) => isTotal(r.disaggregation) && r.text)?.text ?? null;
  const percentOfPeriodTarget = percentAchieved(indicator, current.actual, current.target);
  const hasData = current.actual !== null || narrative !== null;

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
    cumulativeActual: cumulative === null ? null : round(cumulative),
    lifeOfProjectTarget: lifeTarget,
    percentOfPeriodTarget,
    percentOfLifeTarget: percentAchieved(indicator, cumulative, lifeTarget),
    status: indicator.type === 'qualitative' ? (hasData ? 'reported' : 'no_data') : statusOf(percentOfPeriodTarget, hasData, thresholds),
    byPeriod,
    disaggregation,
    disaggregationMismatches: mismatches,
    narrative,
  };
}
