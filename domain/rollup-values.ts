/**
 * What the mission roll-up needs of a project's values, and nothing more: per indicator and period,
 * the total row as it is and, per disaggregation dimension, one row with the sums of that dimension's
 * rows (periodTotal falls back to them when a period has no total). Rows split by two or more
 * dimensions never count towards a period total, so they are dropped.
 *
 * The database computes the same reduction in SQL (readRollupValuesAsOf in db/values-repository.ts),
 * so that the mission overview over a million values reads a few thousand rows; this function is its
 * specification, and rollup-values.spec.ts checks that a roll-up over reduced values equals the
 * roll-up over every value.
 */
import { DISAGGREGATION_DIMENSIONS, type DisaggregationDimension, type IndicatorValue } from './results-framework.js';

/** The category of a summed row: it stands for every category of its dimension. */
export const ALL_CATEGORIES = '(all)';

/** The one dimension a row is split by; '' for the total; null for a row split by several. */
export function rowDimension(v: IndicatorValue): DisaggregationDimension | '' | null {
  const present = DISAGGREGATION_DIMENSIONS.filter((k) => v.disaggregation[k]);
  return present.length === 0 ? '' : present.length === 1 ? present[0]! : null;
}

export function reduceForRollup(values: IndicatorValue[]): IndicatorValue[] {
  const out: IndicatorValue[] = [];
  const sums = new Map<string, IndicatorValue>();
  const add = (a: number | null | undefined, b: number | null | undefined) => (b === null || b === undefined ? (a ?? null) : (a ?? 0) + b);
  for (const v of values) {
    const dim = rowDimension(v);
    if (dim === '') out.push(v);
    if (!dim) continue;
    const key = `${v.indicatorCode}\u0000${v.period}\u0000${dim}`;
    let s = sums.get(key);
    if (!s) {
      s = { indicatorCode: v.indicatorCode, period: v.period, disaggregation: { [dim]: ALL_CATEGORIES }, value: null, numerator: null, denominator: null, text: null };
      sums.set(key, s);
      out.push(s);
    }
    s.value = add(s.value, v.value);
    s.numerator = add(s.numerator, v.numerator);
    s.denominator = add(s.denominator, v.denominator);
  }
  return out;
}
