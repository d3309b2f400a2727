import { describe, expect, it } from 'vitest';
import type { Indicator, IndicatorValue } from './results-framework.js';
import { aggregateOverTime, computeIndicatorProgress, percentAchieved, periodTotal } from './progress.js';

const indicator = (over: Partial<Indicator>): Indicator => ({
  code: 'I1', resultCode: 'OP1', title: 'People trained', type: 'count', unit: 'people', baseline: 0, baselineDate: null,
  timeAggregation: 'sum', direction: 'increase', disaggregations: ['sex'], disaggregationCheck: 'warning', dataSource: '',
  meansOfVerification: '', commonIndicatorCode: null, reportingFrequency: 'quarter', targets: {}, ...over,
});
const v = (period: string, value: number | null, extra: Partial<IndicatorValue> = {}): IndicatorValue => ({ indicatorCode: 'I1', period, disaggregation: {}, value, ...extra });
const parts = (value: number | null, numerator: number | null, denominator: number | null) => ({ value, numerator, denominator });

describe('progress against targets', () => {
  it('sums a non-cumulative count over periods and rates the period against its target', () => {
    const ind = indicator({ targets: { '2025-Q1': 20, '2025-Q2': 30, LOP: 100 } });
    const p = computeIndicatorProgress(ind, [v('2025-Q1', 18), v('2025-Q2', 24)], '2025-Q2', ['2025-Q1', '2025-Q2']);
    expect(p).toMatchObject({ periodActual: 24, periodTarget: 30, cumulativeActual: 42, lifeOfProjectTarget: 100, percentOfPeriodTarget: 80, percentOfLifeTarget: 42, status: 'at_risk' });
  });

  it('aggregates a percentage as the ratio of sums, never the mean of percentages', () => {
    const ind = indicator({ type: 'percentage', unit: '%' });
    // 10/10 = 100% and 10/90 = 11.1%: the mean would be 55.6%, the ratio of sums is 20/100 = 20%.
    expect(aggregateOverTime(ind, [parts(100, 10, 10), parts(11.1, 10, 90)]).value).toBeCloseTo(20, 9);
  });

  it('keeps the latest value for a non-summing indicator, and the max or mean when asked', () => {
    const totals = [parts(3, null, null), parts(7, null, null), parts(5, null, null)];
    expect(aggregateOverTime(indicator({ timeAggregation: 'latest' }), totals).value).toBe(5);
    expect(aggregateOverTime(indicator({ timeAggregation: 'max' }), totals).value).toBe(7);
    expect(aggregateOverTime(indicator({ timeAggregation: 'average' }), totals).value).toBe(5);
  });

  it('derives a missing total from one dimension and rebuilds a percentage from its parts', () => {
    const count = indicator({});
    expect(periodTotal(count, [v('2025-Q1', 5, { disaggregation: { sex: 'male' } }), v('2025-Q1', 7, { disaggregation: { sex: 'female' } })]).value).toBe(12);
    const pct = indicator({ type: 'percentage' });
    const total = periodTotal(pct, [
      v('2025-Q1', 50, { disaggregation: { sex: 'male' }, numerator: 5, denominator: 10 }),
      v('2025-Q1', 100, { disaggregation: { sex: 'female' }, numerator: 30, denominator: 30 }),
    ]);
    expect(total).toEqual({ value: 87.5, numerator: 35, denominator: 40 });
  });

  it('rates a decrease indicator against its baseline', () => {
    const ind = indicator({ direction: 'decrease', baseline: 40 });
    // From 40 down to a target of 20; reaching 30 is half way.
    expect(percentAchieved(ind, 30, 20)).toBe(50);
    expect(percentAchieved(indicator({ type: 'yes_no' }), 1, 1)).toBe(100);
    expect(percentAchieved(indicator({ type: 'yes_no' }), 0, 1)).toBe(0);
  });

  it('says "no data" when nothing was reported and flags disaggregations that do not add up', () => {
    const ind = indicator({ targets: { '2025-Q1': 10 } });
    expect(computeIndicatorProgress(ind, [], '2025-Q1', ['2025-Q1']).status).toBe('no_data');
    const p = computeIndicatorProgress(ind, [v('2025-Q1', 10), v('2025-Q1', 4, { disaggregation: { sex: 'male' } }), v('2025-Q1', 5, { disaggregation: { sex: 'female' } })], '2025-Q1', ['2025-Q1']);
    expect(p.disaggregationMismatches).toEqual([{ dimension: 'sex', total: 10, sum: 9 }]);
    expect(p.status).toBe('on_track');
  });

  it('reports qualitative text without a percentage', () => {
    const ind = indicator({ type: 'qualitative' });
    const p = computeIndicatorProgress(ind, [v('2025-Q1', null, { text: 'Lessons learnt' })], '2025-Q1', ['2025-Q1']);
    expect(p).toMatchObject({ status: 'reported', narrative: 'Lessons learnt', percentOfPeriodTarget: null });
  });
});
