/**
 * Small helpers that keep the demo projects readable: the reporting quarters of a project, target
 * series written per year, and an indicator constructor that fills the usual defaults.
 */
import { quarterOf, quartersBetween, parsePeriod } from '../domain/periods.js';
import type { Indicator, Project } from '../domain/results-framework.js';

/** Demo data starts in 2023 (the UNSDCF 2023-2025 cycle), even for projects that started earlier. */
export const DEMO_FIRST_QUARTER = '2023-Q1';

/** The quarters a project reports on: from its first quarter (not before 2023-Q1) to its last. */
export function reportingQuarters(project: Pick<Project, 'startDate' | 'endDate'>): string[] {
  const first = quarterOf(project.startDate);
  const from = parsePeriod(first).start < parsePeriod(DEMO_FIRST_QUARTER).start ? DEMO_FIRST_QUARTER : first;
  return quartersBetween(from, quarterOf(project.endDate));
}

export type Targets = Record<string, number>;
type PerYear = Record<number, number>;
const yearOf = (quarter: string) => Number(quarter.slice(0, 4));

/** Target builders for one project's quarters. */
export function targetsFor(project: Pick<Project, 'startDate' | 'endDate'>) {
  const quarters = reportingQuarters(project);
  return {
    quarters,
    /** A flow (counts summed over time): the same target every quarter of a year; LOP = the sum. */
    perQuarter(perYear: PerYear): Targets {
      const t: Targets = {};
      for (const q of quarters) t[q] = perYear[yearOf(q)] ?? 0;
      t.LOP = quarters.reduce((a, q) => a + (t[q] ?? 0), 0);
      return t;
    },
    /** A flow concentrated in given quarters (0 elsewhere); LOP = the sum. */
    inQuarters(planned: Record<string, number>): Targets {
      const t: Targets = {};
      for (const q of quarters) t[q] = planned[q] ?? 0;
      t.LOP = quarters.reduce((a, q) => a + (t[q] ?? 0), 0);
      return t;
    },
    /** A level (percentages, "latest" counts, averages): the level expected in each year; LOP = last year's level unless given. */
    level(perYear: PerYear, lop?: number): Targets {
      const t: Targets = {};
      for (const q of quarters) t[q] = perYear[yearOf(q)] ?? 0;
      t.LOP = lop ?? t[quarters[quarters.length - 1]!] ?? 0;
      return t;
    },
    /** A yes/no milestone: 0 before `quarter`, 1 from it; LOP = 1. */
    milestone(quarter: string): Targets {
      const at = parsePeriod(quarter).start;
      const t: Targets = {};
      for (const q of quarters) t[q] = parsePeriod(q).start >= at ? 1 : 0;
      t.LOP = 1;
      return t;
    },
  };
}

type Defaulted = 'direction' | 'disaggregationCheck' | 'commonIndicatorCode' | 'unit' | 'reportingFrequency';

/** An indicator with the usual defaults: increase, reported quarterly, warning on disaggregation mismatch, no common indicator. */
export function indicator(fields: Omit<Indicator, Defaulted> & Partial<Pick<Indicator, Defaulted>>): Indicator {
  return {
    unit: '',
    direction: 'increase',
    reportingFrequency: 'quarter',
    disaggregationCheck: 'warning',
    commonIndicatorCode: null,
    ...fields,
  };
}
