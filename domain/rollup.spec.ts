import { describe, expect, it } from 'vitest';
import { libraryOf } from './common-indicators.js';
import type { FrameworkNode, Indicator, IndicatorValue, Project, Result } from './results-framework.js';
import { buildMissionRollup, rollupCommonIndicator, lineKeyOf, rollupLine, type IndicatorContribution } from './rollup.js';

const project = (code: string): Project => ({
  code, altCode: null, title: `Project ${code}`, donors: [], startDate: '2025-01-01', endDate: '2025-12-31', budget: null, currency: 'USD',
  status: 'active', coverage: '', locations: [], programmaticArea: 'Test', illustrative: true,
});
const nodes: FrameworkNode[] = [
  { code: 'UNSDCF-1.1.1', framework: 'unsdcf', level: 'output', parentCode: null, title: 'Output A', illustrative: true },
  { code: 'UNSDCF-2.1.1', framework: 'unsdcf', level: 'output', parentCode: null, title: 'Output B', illustrative: true },
  { code: 'IOM-RESILIENCE', framework: 'iom_pillar', level: 'pillar', parentCode: null, title: 'Resilience', illustrative: false },
];
const results = (unsdcf: string): Result[] => [
  { code: 'OC1', level: 'outcome', parentCode: null, statement: 'Outcome', contributesTo: [unsdcf, 'IOM-RESILIENCE'] },
  { code: 'OP1', level: 'output', parentCode: 'OC1', statement: 'Output', contributesTo: [] },
];
const base = { unit: 'people', baseline: 0, baselineDate: null, direction: 'increase' as const, disaggregations: [], disaggregationCheck: 'warning' as const, dataSource: '', meansOfVerification: '', reportingFrequency: 'quarter' as const };
const people = (common: string | null, target: number): Indicator => ({ ...base, code: 'OP1.a', resultCode: 'OP1', title: 'People assisted', type: 'count', timeAggregation: 'sum', commonIndicatorCode: common, targets: { '2025-Q3': target } });
const share = (common: string | null, target: number): Indicator => ({ ...base, code: 'OP1.b', resultCode: 'OP1', title: 'Satisfied', type: 'percentage', unit: '%', timeAggregation: 'sum', commonIndicatorCode: common, targets: { '2025-Q3': target } });
const plan = (common: string | null): Indicator => ({ ...base, code: 'OC1.a', resultCode: 'OC1', title: 'Plan adopted', type: 'yes_no', unit: '', timeAggregation: 'latest', commonIndicatorCode: common, targets: { '2025-Q3': 1 } });
const v = (indicatorCode: string, value: number | null, extra: Partial<IndicatorValue> = {}): IndicatorValue => ({ indicatorCode, period: '2025-Q3', disaggregation: {}, value, ...extra });

describe('rollupLine', () => {
  const c = (actual: number | null, target: number | null, extra: Partial<IndicatorContribution> = {}): IndicatorContribution => ({
    projectCode: 'P', indicator: people('CI-1', 0), status: 'on_track', actual, target, numerator: null, denominator: null, ...extra,
  });
  it('sums counts and divides the sums of the contributions that have both an actual and a target', () => {
    const line = rollupLine('CI-1', [c(30, 40), c(50, 60, { projectCode: 'Q' }), c(null, 10, { projectCode: 'R', status: 'no_data' })]);
    expect(line.actual).toBe(80); // 30 + 50
    expect(line.target).toBe(110); // 40 + 60 + 10
    expect(line.percentOfTarget).toBe(80); // 80 / (40 + 60): R has no actual
    expect(line.withTarget).toBe(2);
    expect(line.projects).toEqual(['P', 'Q', 'R']);
    expect(line.status).toBe('at_risk');
  });
  it('rolls percentages up as the ratio of sums, never a sum or a mean of percentages', () => {
    const pct = share('CI-2', 0);
    // 9/10 = 90% and 10/40 = 25%: the mean would be 57.5%, the sum 115%; the ratio of sums is 19/50 = 38%.
    const line = rollupLine('CI-2', [
      c(90, 80, { indicator: pct, numerator: 9, denominator: 10 }),
      c(25, 50, { indicator: pct, numerator: 10, denominator: 40, projectCode: 'Q' }),
    ]);
    expect(line.numerator).toBe(19);
    expect(line.denominator).toBe(50);
    expect(line.actual).toBe(38);
    expect(line.target).toBe(56); // (80×10 + 50×40) / 50
    expect(line.percentOfTarget).toBe(67.9); // 38 / 56
  });
  it('counts yes/no indicators', () => {
    const yn = plan('CI-3');
    const line = rollupLine('CI-3', [c(1, 1, { indicator: yn }), c(0, 1, { indicator: yn, projectCode: 'Q' }), c(1, 1, { indicator: yn, projectCode: 'R' }), c(null, 1, { indicator: yn, projectCode: 'S', status: 'no_data' })]);
    expect(line.actual).toBe(2); // two say yes
    expect(line.target).toBe(4); // four are expected to
    expect(line.reporting).toBe(3); // "2 of 3"
    expect(line.percentOfTarget).toBe(66.7); // 2 / 3: S has no actual, so no part in the %
  });
});

describe('buildMissionRollup', () => {
  const input = {
    frameworkNodes: nodes,
    period: '2025-Q3',
    projects: [
      { project: project('P1'), donorNames: ['D1'], results: results('UNSDCF-1.1.1'), indicators: [people('CI-PEOPLE', 100), share('CI-SAT', 80), plan(null)],
        values: [v('OP1.a', 60), v('OP1.b', 90, { numerator: 9, denominator: 10 }), v('OC1.a', 1)] },
      { project: project('P2'), donorNames: ['D2'], results: results('UNSDCF-1.1.1'), indicators: [people('CI-PEOPLE', 50), share('CI-SAT', 50)],
        values: [v('OP1.a', 40), v('OP1.b', 25, { numerator: 10, denominator: 40 })] },
      { project: project('P3'), donorNames: [], results: results('UNSDCF-2.1.1'), indicators: [people('CI-PEOPLE', 20)], values: [] },
    ],
  };
  const rollup = buildMissionRollup(input);

  it('groups by UNSDCF output (inherited from the outcome) and by pillar', () => {
    expect(rollup.byUnsdcf.map((g) => g.key)).toEqual(['UNSDCF-1.1.1', 'UNSDCF-2.1.1']);
    expect(rollup.byUnsdcf[0]!.projects).toEqual(['P1', 'P2']);
    expect(rollup.byPillar.map((g) => g.key)).toEqual(['IOM-RESILIENCE']);
    expect(rollup.byPillar[0]!.projects).toEqual(['P1', 'P2', 'P3']);
  });
  it('counts add up: indicator counts and statuses over groups equal the totals', () => {
    expect(rollup.indicatorCount).toBe(6);
    expect(rollup.byUnsdcf.reduce((a, g) => a + g.indicatorCount, 0)).toBe(6);
    expect(rollup.byPillar.reduce((a, g) => a + g.indicatorCount, 0)).toBe(6);
    for (const s of ['on_track', 'at_risk', 'off_track', 'no_data', 'reported'] as const) {
      expect(rollup.byUnsdcf.reduce((a, g) => a + g.byStatus[s], 0)).toBe(rollup.byStatus[s]);
      expect(rollup.projects.reduce((a, p) => a + p.byStatus[s], 0)).toBe(rollup.byStatus[s]);
    }
  });
  it('rolls common indicators into one line across projects', () => {
    const out1 = rollup.byUnsdcf[0]!;
    const peopleLine = out1.lines.find((l) => l.key === 'CI-PEOPLE')!;
    expect(peopleLine).toMatchObject({ actual: 100, target: 150, percentOfTarget: 66.7, projects: ['P1', 'P2'] });
    const satLine = out1.lines.find((l) => l.key === 'CI-SAT')!;
    expect(satLine).toMatchObject({ numerator: 19, denominator: 50, actual: 38 });
    // a non-common indicator stays its own line
    expect(out1.lines.find((l) => l.key === 'P1/OC1.a')).toMatchObject({ type: 'yes_no', actual: 1, target: 1 });
    // the pillar sums every project's people: 60 + 40 + nothing reported by P3; targets 100 + 50 + 20
    expect(rollup.byPillar[0]!.lines.find((l) => l.key === 'CI-PEOPLE')).toMatchObject({ actual: 100, target: 170, reporting: 2 });
  });
});

describe('with the library of common indicators', () => {
  const library = libraryOf([
    { code: 'CI-PEOPLE', title: 'Number of migrants provided with protection assistance', type: 'count', unit: 'migrants', direction: 'increase' },
    { code: 'CI-SAT', title: 'Percentage of assisted people satisfied', type: 'percentage', unit: '%', direction: 'increase' },
  ]);
  // P4's "share" is a percentage wrongly linked to the count CI-PEOPLE (a link the application refuses today).
  const wrong: Indicator = { ...share(null, 60), commonIndicatorCode: 'CI-PEOPLE' };
  const input = {
    frameworkNodes: nodes,
    period: '2025-Q3',
    commonIndicators: library,
    projects: [
      { project: project('P1'), donorNames: [], results: results('UNSDCF-1.1.1'), indicators: [{ ...people('CI-PEOPLE', 100), title: 'People assisted by P1', unit: 'people' }, share('CI-SAT', 80)],
        values: [v('OP1.a', 60), v('OP1.b', 90, { numerator: 9, denominator: 10 })] },
      { project: project('P2'), donorNames: [], results: results('UNSDCF-1.1.1'), indicators: [people('CI-PEOPLE', 50), share('CI-SAT', 50)],
        values: [v('OP1.a', 40), v('OP1.b', 25, { numerator: 10, denominator: 40 })] },
      { project: project('P4'), donorNames: [], results: results('UNSDCF-1.1.1'), indicators: [wrong], values: [v('OP1.b', 50, { numerator: 5, denominator: 10 })] },
    ],
  };
  const rollup = buildMissionRollup(input);
  const out1 = rollup.byUnsdcf[0]!;

  it('a common line takes its title and unit from the library entry, not from the first project indicator', () => {
    expect(out1.lines.find((l) => l.key === 'CI-PEOPLE')).toMatchObject({
      title: 'Number of migrants provided with protection assistance', unit: 'migrants', common: true, type: 'count',
      projects: ['P1', 'P2'], indicatorCount: 2, actual: 100, target: 150, percentOfTarget: 66.7, // 60 + 40 of 100 + 50
    });
    expect(out1.lines.find((l) => l.key === 'CI-SAT')).toMatchObject({ title: 'Percentage of assisted people satisfied', numerator: 19, denominator: 50, actual: 38 });
    // without the library: the first project indicator's wording
    const plain = buildMissionRollup({ ...input, commonIndicators: undefined, projects: input.projects.slice(0, 2) });
    expect(plain.byUnsdcf[0]!.lines.find((l) => l.key === 'CI-PEOPLE')).toMatchObject({ title: 'People assisted by P1', unit: 'people', actual: 100 });
  });

  it('never mixes types: an indicator linked to an entry of another type is its own line', () => {
    expect(lineKeyOf('P4', wrong, library)).toBe('P4/OP1.b');
    expect(lineKeyOf('P4', wrong)).toBe('CI-PEOPLE'); // no library: grouped by the code as before
    expect(out1.lines.find((l) => l.key === 'P4/OP1.b')).toMatchObject({ common: false, type: 'percentage', actual: 50, projects: ['P4'] });
    expect(out1.lines.find((l) => l.key === 'CI-PEOPLE')!.projects).toEqual(['P1', 'P2']);
    expect(out1.indicatorCount).toBe(5);
    expect(out1.lines.reduce((n, l) => n + l.indicatorCount, 0)).toBe(5);
  });

  it('a common line is judged in the library entry\'s direction', () => {
    const c = (projectCode: string, actual: number, target: number): IndicatorContribution => ({
      projectCode, indicator: { ...people('CI-DAYS', target), baseline: null }, status: 'on_track', actual, target, numerator: null, denominator: null,
    });
    const entry = { code: 'CI-DAYS', title: 'Days from registration to departure', type: 'count' as const, unit: 'days', direction: 'decrease' as const };
    // actual 30 + 50 = 80 against 40 + 60 = 100: lower is better, so 100 / 80 = 125% of target
    expect(rollupLine('CI-DAYS', [c('P', 30, 40), c('Q', 50, 60)], undefined, entry)).toMatchObject({ actual: 80, target: 100, percentOfTarget: 125, status: 'on_track', title: entry.title, unit: 'days' });
    // the project indicators say "increase": 80 / 100
    expect(rollupLine('CI-DAYS', [c('P', 30, 40), c('Q', 50, 60)])).toMatchObject({ percentOfTarget: 80, title: 'People assisted' });
  });

  it('rolls one common indicator up across projects, period by period, wherever each contributes', () => {
    const q2 = (ind: Indicator, target2: number): Indicator => ({ ...ind, targets: { ...ind.targets, '2025-Q2': target2 } });
    const linked = [
      // P1 under UNSDCF output A, P2 under output B: one mission-wide line all the same.
      { project: project('P1'), indicator: q2(people('CI-PEOPLE', 100), 20), values: [v('OP1.a', 60), v('OP1.a', 10, { period: '2025-Q2' })] },
      { project: project('P2'), indicator: q2(people('CI-PEOPLE', 50), 30), values: [v('OP1.a', 40)] },
      { project: project('P4'), indicator: wrong, values: [v('OP1.b', 50, { numerator: 5, denominator: 10 })] },
    ];
    const entry = library.get('CI-PEOPLE')!;
    const series = rollupCommonIndicator(entry, linked, ['2025-Q2', '2025-Q3']);
    expect(series.map((s) => s.period)).toEqual(['2025-Q2', '2025-Q3']);
    // Q2: only P1 reported, 10 against its 20 (P2's target of 30 has no actual); Q3: 60 + 40 against 100 + 50. P4 (another type) never counts.
    expect(series[0]!.line).toMatchObject({ actual: 10, target: 50, percentOfTarget: 50, reporting: 1, indicatorCount: 2, projects: ['P1', 'P2'], status: 'off_track' });
    expect(series[1]!.line).toMatchObject({ actual: 100, target: 150, percentOfTarget: 66.7, reporting: 2, title: entry.title, unit: 'migrants' });
    expect(series[1]!.periodLabel).toContain('2025');
    expect(rollupCommonIndicator(library.get('CI-SAT')!, linked, ['2025-Q3'])).toEqual([]);
  });
});
