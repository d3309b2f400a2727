/**
 * The four causes of wrong cells found by the independent check of issue #13, each pinned to
 * PRODUCT.md's "How every figure is computed". Every expectation here failed on the code before it.
 */
import { describe, expect, it } from 'vitest';
import type { Indicator, IndicatorValue, Project, Result } from './results-framework.js';
import { computeIndicatorProgress, meanAchievement, percentAchieved } from './progress.js';
import { buildMissionRollup, contributionOfIndicator, rollupLine } from './rollup.js';
import { buildReportModel } from './report-model.js';

const PERIOD = '2025-Q3';
const QUARTERS = ['2025-Q1', '2025-Q2', '2025-Q3'];
const project = (code: string): Project => ({
  code, altCode: null, title: `Project ${code}`, donors: [], startDate: '2025-01-01', endDate: '2025-12-31', budget: null, currency: 'USD',
  status: 'active', coverage: '', locations: [], programmaticArea: 'Test', illustrative: true,
});
const results: Result[] = [{ code: 'OC1', level: 'outcome', parentCode: null, statement: 'Outcome', contributesTo: ['UNSDCF-1.1.1'] }];
const nodes = [{ code: 'UNSDCF-1.1.1', framework: 'unsdcf' as const, level: 'output' as const, parentCode: null, title: 'Output', illustrative: true }];
const indicator = (over: Partial<Indicator>): Indicator => ({
  code: 'I1', resultCode: 'OC1', title: 'Indicator', type: 'count', unit: 'people', baseline: null, baselineDate: null,
  timeAggregation: 'sum', direction: 'increase', disaggregations: [], disaggregationCheck: 'warning', dataSource: '',
  meansOfVerification: '', commonIndicatorCode: null, reportingFrequency: 'quarter', targets: {}, ...over,
});
const value = (code: string, v: number | null, extra: Partial<IndicatorValue> = {}): IndicatorValue => ({ indicatorCode: code, period: PERIOD, disaggregation: {}, value: v, ...extra });
const contribution = (projectCode: string, ind: Indicator, values: IndicatorValue[]) => contributionOfIndicator(projectCode, ind, values, PERIOD, QUARTERS);

describe('cause 1: a decrease indicator is rated one way everywhere', () => {
  const days = indicator({ code: 'D1', direction: 'decrease', baseline: 100, targets: { [PERIOD]: 50 } });
  const values = [value('D1', 75)];

  it('is baseline-relative in the project report: (100 − 75) / (100 − 50) = 50%, off track', () => {
    expect(computeIndicatorProgress(days, values, PERIOD, QUARTERS)).toMatchObject({ percentOfPeriodTarget: 50, status: 'off_track' });
  });
  it('shows the same figure and status on a mission overview line that holds it alone', () => {
    const rollup = buildMissionRollup({ projects: [{ project: project('P1'), donorNames: [], results, indicators: [days], values }], frameworkNodes: nodes, period: PERIOD });
    expect(rollup.byUnsdcf[0]!.lines[0]).toMatchObject({ actual: 75, target: 50, percentOfTarget: 50, status: 'off_track' });
  });
  it('pools decrease contributions as sum(baseline − actual) / sum(baseline − target)', () => {
    const other = indicator({ code: 'D2', direction: 'decrease', baseline: 40, targets: { [PERIOD]: 20 } });
    const line = rollupLine('L', [contribution('P1', days, values), contribution('P2', other, [value('D2', 30)])]);
    // (25 + 10) / (50 + 20) = 50%
    expect(line.percentOfTarget).toBe(50);
  });
  it('leaves a decrease whose target equals its baseline unrated (no target), never "133%, on track"', () => {
    const flat = indicator({ direction: 'decrease', baseline: 40, targets: { [PERIOD]: 40 } });
    expect(computeIndicatorProgress(flat, [value('I1', 30)], PERIOD, QUARTERS)).toMatchObject({ percentOfPeriodTarget: null, status: 'no_target' });
  });
});

describe('cause 2: actuals without a target do not inflate a roll-up', () => {
  const withTarget = indicator({ code: 'A', commonIndicatorCode: 'CI', targets: { [PERIOD]: 400 } });
  const noTarget = indicator({ code: 'B', commonIndicatorCode: 'CI' });
  const line = rollupLine('CI', [contribution('P1', withTarget, [value('A', 352)]), contribution('P2', noTarget, [value('B', 180)])]);

  it('sums every actual but rates only contributions with both an actual and a target: 352 / 400 = 88%, at risk', () => {
    expect(line).toMatchObject({ actual: 532, target: 400, percentOfTarget: 88, status: 'at_risk', withTarget: 1 });
    expect(line.notes.join(' ')).toContain('1 of 2 contributions with a target');
  });
  it('says "no target", not a status, when no contribution has a target', () => {
    const none = rollupLine('CI', [contribution('P2', noTarget, [value('B', 180)]), contribution('P3', { ...noTarget, code: 'C' }, [value('C', 20)])]);
    expect(none).toMatchObject({ actual: 200, percentOfTarget: null, status: 'no_target' });
  });
});

describe('cause 3: value-only percentages are left out and said so, never silently dropped', () => {
  const pct = (code: string) => indicator({ code, type: 'percentage', unit: '%', commonIndicatorCode: 'CI', targets: { [PERIOD]: 80 } });

  it('a line whose only contribution is value-only shows that value, its % and its status', () => {
    const own = computeIndicatorProgress(pct('P'), [value('P', 72)], PERIOD, QUARTERS);
    const line = rollupLine('CI', [contribution('P1', pct('P'), [value('P', 72)])]);
    expect(line).toMatchObject({ actual: 72, target: 80, percentOfTarget: own.percentOfPeriodTarget, status: own.status, leftOut: 0 });
    expect(line.percentOfTarget).toBe(90);
  });
  it('beside contributions with parts, a value-only one is left out of the figure and counted', () => {
    const line = rollupLine('CI', [
      contribution('P1', pct('P'), [value('P', 50, { numerator: 5, denominator: 10 })]),
      contribution('P2', pct('Q'), [value('Q', 10)]),
    ]);
    expect(line).toMatchObject({ actual: 50, numerator: 5, denominator: 10, leftOut: 1 });
    expect(line.notes.join(' ')).toContain('1 value-only percentage');
  });
  it('two value-only contributions give no figure, and the line says both were left out', () => {
    const line = rollupLine('CI', [contribution('P1', pct('P'), [value('P', 40)]), contribution('P2', pct('Q'), [value('Q', 60)])]);
    expect(line).toMatchObject({ actual: null, leftOut: 2 });
    expect(line.status).not.toBe('on_track');
  });
  it('a cumulative percentage leaves value-only periods out and counts them', () => {
    const ind = pct('P');
    const p = computeIndicatorProgress(ind, [
      value('P', 50, { period: '2025-Q1', numerator: 5, denominator: 10 }),
      value('P', 90, { period: '2025-Q2' }),
      value('P', 100, { period: '2025-Q3', numerator: 30, denominator: 30 }),
    ], PERIOD, QUARTERS);
    expect(p).toMatchObject({ cumulativeActual: 87.5, cumulativeLeftOut: 1 }); // 35 / 40
  });
  it('a percentage with its parts is 100 × numerator / denominator, whatever value was typed beside them', () => {
    expect(computeIndicatorProgress(pct('P'), [value('P', 99, { numerator: 1, denominator: 4 })], PERIOD, QUARTERS).periodActual).toBe(25);
  });
});

describe('cause 4: a target of 0 is no target', () => {
  const zero = indicator({ targets: { [PERIOD]: 0, LOP: 4 } });

  it('leaves the % undefined and rates "no target", with actual 0 and with unplanned deliveries', () => {
    expect(percentAchieved(zero, 0, 0)).toBeNull();
    expect(computeIndicatorProgress(zero, [value('I1', 0)], PERIOD, QUARTERS)).toMatchObject({ percentOfPeriodTarget: null, status: 'no_target' });
    expect(computeIndicatorProgress(zero, [value('I1', 3)], PERIOD, QUARTERS)).toMatchObject({ percentOfPeriodTarget: null, status: 'no_target' });
  });
  it('keeps it out of the report headline, whose mean caps each % at 100 and says how many it covers', () => {
    expect(meanAchievement([120, 54, null])).toEqual({ percent: 77, indicatorCount: 2 });
    const model = buildReportModel({
      project: project('P1'), donorNames: [], results, frameworkNodes: nodes, period: PERIOD, approvals: [], generatedAt: '2025-10-01T00:00:00Z',
      indicators: [zero, indicator({ code: 'I2', targets: { [PERIOD]: 10 } }), indicator({ code: 'I3', targets: { [PERIOD]: 50 } })],
      values: [value('I1', 3), value('I2', 12), value('I3', 27)],
      template: { id: 't', title: 'T', language: 'en', groupBy: 'unsdcf' },
      cycle: { id: null, version: 0, status: 'preview', dataAsOf: null },
    });
    // I2 120% (capped at 100) and I3 54%: (100 + 54) / 2 = 77; I1 has no target and is not in the mean.
    expect(model.summary.meanAchievement).toEqual({ percent: 77, indicatorCount: 2 });
    expect(model.summary.byStatus.no_target).toBe(1);
    const headline = model.summary.keyFigures.find((k) => k.label.startsWith('Mean'))!;
    expect(headline).toEqual({ label: 'Mean achievement of period targets (2 indicators with a target, each capped at 100%)', value: '77%' });
  });
});
