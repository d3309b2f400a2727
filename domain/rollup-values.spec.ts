import { describe, expect, it } from 'vitest';
import { demoMissionModel, syntheticPortfolio } from '../test/fixtures/demo-reports.js';
import type { IndicatorValue } from './results-framework.js';
import { ALL_CATEGORIES, reduceForRollup } from './rollup-values.js';

const v = (indicatorCode: string, period: string, disaggregation: IndicatorValue['disaggregation'], value: number | null, extra: Partial<IndicatorValue> = {}): IndicatorValue => ({
  indicatorCode, period, disaggregation, value, ...extra,
});

describe('reduceForRollup', () => {
  it('keeps totals, sums each dimension, and drops rows split by several dimensions', () => {
    const reduced = reduceForRollup([
      v('A', '2025-Q3', {}, 100, { text: 'note' }),
      v('A', '2025-Q3', { sex: 'female' }, 60),
      v('A', '2025-Q3', { sex: 'male' }, 40),
      v('A', '2025-Q3', { location: 'Tripoli' }, 70),
      v('A', '2025-Q3', { location: 'Sabha' }, null),
      v('A', '2025-Q3', { sex: 'female', location: 'Tripoli' }, 1000),
      v('P', '2025-Q3', { sex: 'female' }, 50, { numerator: 5, denominator: 10 }),
      v('P', '2025-Q3', { sex: 'male' }, 25, { numerator: 10, denominator: 40 }),
      v('A', '2025-Q2', { sex: 'female' }, null),
    ]);
    expect(reduced).toEqual([
      v('A', '2025-Q3', {}, 100, { text: 'note' }),
      v('A', '2025-Q3', { sex: ALL_CATEGORIES }, 100, { numerator: null, denominator: null, text: null }),
      v('A', '2025-Q3', { location: ALL_CATEGORIES }, 70, { numerator: null, denominator: null, text: null }),
      v('P', '2025-Q3', { sex: ALL_CATEGORIES }, 75, { numerator: 15, denominator: 50, text: null }),
      v('A', '2025-Q2', { sex: ALL_CATEGORIES }, null, { numerator: null, denominator: null, text: null }),
    ]);
  });

  it('gives the same mission overview as every value, with and without total rows and with cross rows', () => {
    const projects = syntheticPortfolio(6).map((p, i) => {
      // Every third indicator loses its total rows (the roll-up then sums a dimension), and every
      // project gets rows split by sex x location that must count nowhere.
      const dropTotals = new Set(p.indicators.filter((_, k) => k % 3 === i % 3).map((ind) => ind.code));
      const values = p.values.filter((x) => !(dropTotals.has(x.indicatorCode) && !Object.keys(x.disaggregation).length));
      const cross = p.values.filter((x) => x.disaggregation.sex).map((x) => ({ ...x, disaggregation: { ...x.disaggregation, location: 'Sabha' }, value: (x.value ?? 0) * 7 }));
      return { ...p, values: [...values, ...cross] };
    });
    const reduced = projects.map((p) => ({ ...p, values: reduceForRollup(p.values) }));
    expect(reduced.reduce((a, p) => a + p.values.length, 0)).toBeLessThan(projects.reduce((a, p) => a + p.values.length, 0));
    for (const period of ['2024-Q4', '2025-Q2', '2025-Q3']) {
      const full = demoMissionModel(period, projects).rollup;
      expect(full.byStatus.on_track + full.byStatus.at_risk + full.byStatus.off_track).toBeGreaterThan(0);
      expect(demoMissionModel(period, reduced).rollup).toEqual(full);
    }
  });
});
