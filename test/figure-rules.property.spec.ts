/**
 * Property-based specs: the domain's arithmetic against the oracle of test/oracle/figure-rules.ts (an
 * independent reading of PRODUCT.md's rules) over generated indicators, targets and values: zeros,
 * missing periods and targets, decrease indicators with and without baselines, value-only percentages,
 * breakdowns without a total row, and revised values (only the last revision of a cell counts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeIndicatorProgress, meanAchievement } from '../domain/progress.js';
import type { Indicator, IndicatorValue } from '../domain/results-framework.js';
import { contributionOfIndicator, rollupLine } from '../domain/rollup.js';
import { groupRevisions, type ValueRevision } from '../domain/value-history.js';
import {
  currentEntries, oracleActual, oracleCumulative, oracleLine, oracleMean, oraclePercent, oracleStatus, shownPercent,
  type Kind, type OracleContribution, type OracleEntry, type OracleIndicator,
} from './oracle/figure-rules.js';

const QUARTERS = ['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4'];
// FIGURE_RULES_RUNS=20000 to search longer (a failure prints its seed and shrunk case).
const RUNS = { numRuns: Number(process.env.FIGURE_RULES_RUNS ?? 400) };

const kindArb = fc.constantFrom<Kind>('count', 'percentage', 'yes_no', 'qualitative');
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null, freq: 3 });
const targetArb = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 400 }));

function indicatorArb(kind: Kind, direction?: 'increase' | 'decrease'): fc.Arbitrary<OracleIndicator> {
  return fc.record({
    kind: fc.constant(kind),
    direction: direction ? fc.constant(direction) : fc.constantFrom<'increase' | 'decrease'>('increase', 'decrease'),
    baseline: maybe(fc.integer({ min: 0, max: 400 })),
    timeRule: fc.constantFrom<'sum' | 'latest' | 'max'>('sum', 'latest', 'max'),
    targets: fc.dictionary(fc.constantFrom(...QUARTERS, 'LOP'), kind === 'yes_no' ? fc.constantFrom(0, 1) : targetArb, { maxKeys: 5 }),
  });
}

/** One entry as typed: counts and yes/no a value; percentages with parts or value-only; qualitative text. */
function entryArb(kind: Kind, quarter: string, sex: OracleEntry['sex']): fc.Arbitrary<OracleEntry> {
  const base = { quarter: fc.constant(quarter), sex: fc.constant(sex), numerator: fc.constant(null), denominator: fc.constant(null), text: fc.constant(null) };
  switch (kind) {
    case 'count':
      return fc.record({ ...base, value: fc.integer({ min: 0, max: 500 }) });
    case 'yes_no':
      return fc.record({ ...base, value: fc.constantFrom(0, 1) });
    case 'qualitative':
      return fc.record({ ...base, value: fc.constant(null), text: fc.constantFrom('Done', 'Delayed by access') });
    case 'percentage':
      return fc.oneof(
        fc.record({ ...base, value: fc.integer({ min: 0, max: 100 }) }), // value-only
        fc.integer({ min: 1, max: 80 }).chain((denominator) =>
          fc.integer({ min: 0, max: denominator }).map((numerator) => ({
            quarter, sex, numerator, denominator, text: null, value: Math.round((100 * numerator) / denominator), // a value typed beside its parts
          }))),
      );
  }
}

/** Per quarter: nothing, a total, a breakdown by sex, or both; each cell entered one to three times (revisions). */
function entriesArb(kind: Kind): fc.Arbitrary<OracleEntry[]> {
  const cellsOf = (shape: number): OracleEntry['sex'][] => (shape === 1 ? [''] : shape === 2 ? ['female', 'male'] : shape === 3 ? ['', 'female', 'male'] : []);
  return fc.tuple(...QUARTERS.map(() => fc.integer({ min: 0, max: kind === 'count' || kind === 'percentage' ? 3 : 1 }))).chain((shapes) => {
    const cells = QUARTERS.flatMap((q, i) => cellsOf(shapes[i]!).map((sex) => ({ q, sex })));
    return fc.tuple(...cells.map(({ q, sex }) => fc.array(entryArb(kind, q, sex), { minLength: 1, maxLength: 3 }))).map((lists) => lists.flat());
  }).chain((entries) => fc.shuffledSubarray(entries, { minLength: entries.length, maxLength: entries.length }));
}

const toIndicator = (o: OracleIndicator, code: string): Indicator => ({
  code, resultCode: 'OC1', title: code, type: o.kind, unit: o.kind === 'percentage' ? '%' : '', baseline: o.baseline, baselineDate: null,
  timeAggregation: o.timeRule, direction: o.direction, disaggregations: ['sex'], disaggregationCheck: 'warning', dataSource: '', meansOfVerification: '',
  commonIndicatorCode: null, reportingFrequency: 'quarter', targets: o.targets,
});

/**
 * The values the product reads: every entry stored as a revision (the later one supersedes the earlier
 * in the same cell) and the current revision of each cell taken as the domain takes it.
 */
function currentValues(code: string, kind: Kind, entries: OracleEntry[]): IndicatorValue[] {
  const revisions: ValueRevision[] = entries.map((e, i) => ({
    id: i + 1, period: e.quarter, disaggregation: e.sex ? { sex: e.sex } : {}, value: e.value, numerator: e.numerator, denominator: e.denominator, text: e.text,
    source: 'test', comment: '', evidenceUrl: '', enteredBy: 'me', enteredByName: null, enteredAt: new Date(Date.UTC(2025, 0, 1, 0, 0, i)).toISOString(),
    supersededAt: entries.slice(i + 1).some((later) => later.quarter === e.quarter && later.sex === e.sex) ? '2026-01-01T00:00:00.000Z' : null, importBatchId: null, importFileName: null,
  }));
  return groupRevisions(revisions, kind).flatMap((cell) => (cell.current ? [{
    indicatorCode: code, period: cell.current.period, disaggregation: cell.current.disaggregation, value: cell.current.value,
    numerator: cell.current.numerator, denominator: cell.current.denominator, text: cell.current.text,
  }] : []));
}

/** Shown % are rounded to 0.1: two readings of 63.75 may round to 63.7 and 63.8. */
const close = (a: number | null, b: number | null, tolerance: number) => (a === null || b === null ? a === b : Math.abs(a - b) <= tolerance);
/** Status is compared away from the thresholds, where the last bit of a float may fall either way. */
const nearThreshold = (p: number | null) => p !== null && [60, 90].some((t) => Math.abs(p - t) < 0.06);

describe('one indicator: the domain agrees with the oracle', () => {
  it('period actual, % of period target, status, cumulative and % of life-of-project target', () => {
    fc.assert(
      fc.property(kindArb.chain((kind) => fc.tuple(indicatorArb(kind), entriesArb(kind), fc.constantFrom(...QUARTERS))), ([o, entries, quarter]) => {
        const periods = QUARTERS.slice(0, QUARTERS.indexOf(quarter) + 1);
        const progress = computeIndicatorProgress(toIndicator(o, 'I'), currentValues('I', o.kind, entries), quarter, periods);

        const current = currentEntries(entries);
        const figures = periods.map((q) => oracleActual(o, current, q));
        const figure = figures[figures.length - 1]!;
        const target = o.targets[quarter] ?? null;
        const hasText = current.some((e) => e.quarter === quarter && e.sex === '' && e.text);
        const hasActual = o.kind === 'qualitative' ? hasText || figure.actual !== null : figure.actual !== null;
        const percent = o.kind === 'qualitative' ? null : oraclePercent(o.direction, o.baseline, figure.actual, target);
        const cumulative = oracleCumulative(o, figures);
        const lop = o.kind === 'qualitative' ? null : oraclePercent(o.direction, o.baseline, cumulative.value, o.targets['LOP'] ?? null);

        expect(close(progress.periodActual, figure.actual, 0.006)).toBe(true);
        expect(progress.periodTarget).toBe(target);
        expect(close(progress.percentOfPeriodTarget, shownPercent(percent), 0.1001)).toBe(true);
        if (!nearThreshold(percent)) expect(progress.status).toBe(oracleStatus(o.kind, hasActual, percent));
        expect(close(progress.cumulativeActual, cumulative.value, 0.006)).toBe(true);
        expect(progress.cumulativeLeftOut).toBe(cumulative.leftOut);
        expect(close(progress.percentOfLifeTarget, shownPercent(lop), 0.1001)).toBe(true);
      }),
      RUNS,
    );
  });
});

describe('a line across projects: the domain agrees with the oracle', () => {
  const lineArb = fc.tuple(kindArb, fc.constantFrom<'increase' | 'decrease'>('increase', 'decrease'), fc.constantFrom(...QUARTERS)).chain(([kind, direction, quarter]) =>
    fc.tuple(fc.constant(quarter), fc.array(fc.tuple(indicatorArb(kind, direction), entriesArb(kind)), { minLength: 1, maxLength: 4 })));

  it('actual, % of target, status and what it left out; a single contribution is its own figure', () => {
    fc.assert(
      fc.property(lineArb, ([quarter, members]) => {
        const periods = QUARTERS.slice(0, QUARTERS.indexOf(quarter) + 1);
        const contributions = members.map(([o, entries], i) => contributionOfIndicator(`P${i}`, toIndicator(o, `I${i}`), currentValues(`I${i}`, o.kind, entries), quarter, periods));
        const line = rollupLine('L', contributions);

        const oracleContributions: OracleContribution[] = members.map(([o, entries]) => {
          const current = currentEntries(entries);
          return {
            kind: o.kind, direction: o.direction, baseline: o.baseline, figure: oracleActual(o, current, quarter), target: o.targets[quarter] ?? null,
            hasText: current.some((e) => e.quarter === quarter && e.sex === '' && e.text),
          };
        });
        const expected = oracleLine(oracleContributions);

        if (line.type !== 'qualitative') expect(close(line.actual, expected.actual, 0.006)).toBe(true);
        expect(close(line.percentOfTarget, shownPercent(expected.percent), 0.1001)).toBe(true);
        if (!nearThreshold(expected.percent)) expect(line.status).toBe(expected.status);
        expect(line.leftOut).toBe(expected.leftOut);
        if (members.length === 1) {
          const own = computeIndicatorProgress(contributions[0]!.indicator, currentValues('I0', members[0]![0].kind, members[0]![1]), quarter, periods);
          expect(line.percentOfTarget).toBe(own.percentOfPeriodTarget);
          expect(line.status).toBe(own.status);
        }
      }),
      RUNS,
    );
  });
});

describe('the report headline', () => {
  it('is the mean of the defined % of period targets, each capped at 100, with how many it covers', () => {
    fc.assert(
      fc.property(fc.array(maybe(fc.double({ min: 0, max: 300, noNaN: true })), { maxLength: 30 }), (percents) => {
        const expected = oracleMean(percents);
        const got = meanAchievement(percents);
        expect(got.indicatorCount).toBe(expected.count);
        expect(close(got.percent, expected.percent === null ? null : Math.round(expected.percent * 10) / 10, 0.1001)).toBe(true);
      }),
      RUNS,
    );
  });
});
