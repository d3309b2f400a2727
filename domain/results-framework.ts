/**
 * The vocabulary of results-based monitoring: frameworks a project contributes to (UNSDCF, IOM pillars,
 * SDG, GCM), projects with their results matrix (objective -> outcomes -> outputs -> indicators),
 * targets and data values. Plain types; zod schemas for the boundaries live beside them.
 */
import { z } from 'zod';

export const FRAMEWORK_KINDS = ['unsdcf', 'iom_pillar', 'sdg', 'gcm'] as const;
export type FrameworkKind = (typeof FRAMEWORK_KINDS)[number];

/** A node of a framework tree, e.g. UNSDCF strategic priority -> outcome -> output. */
export const FrameworkNodeSchema = z.object({
  code: z.string().min(1), // e.g. "UNSDCF-1.2.1", "IOM-RESILIENCE", "SDG-10.7"
  framework: z.enum(FRAMEWORK_KINDS),
  level: z.enum(['strategic_priority', 'outcome', 'output', 'pillar', 'target', 'objective']),
  parentCode: z.string().nullable(),
  title: z.string().min(1),
  illustrative: z.boolean().default(false), // wording invented for the demo
});
export type FrameworkNode = z.infer<typeof FrameworkNodeSchema>;

export const INDICATOR_TYPES = ['count', 'percentage', 'ratio', 'yes_no', 'qualitative'] as const;
export type IndicatorType = (typeof INDICATOR_TYPES)[number];
/** How values over periods combine (TolaData's kinds: sum = non-cumulative, latest = non-summing). */
export const TIME_AGGREGATIONS = ['sum', 'latest', 'max', 'average'] as const;
export type TimeAggregation = (typeof TIME_AGGREGATIONS)[number];
export const DISAGGREGATION_DIMENSIONS = ['sex', 'age_group', 'population_type', 'nationality', 'location'] as const;
export type DisaggregationDimension = (typeof DISAGGREGATION_DIMENSIONS)[number];
/**
 * How often an indicator is reported: the kind of period its data values take (domain/periods.ts
 * PeriodKind). The data import refuses a value whose period is of another kind.
 */
export const REPORTING_FREQUENCIES = ['month', 'quarter', 'half', 'year'] as const;
export type ReportingFrequency = (typeof REPORTING_FREQUENCIES)[number];
export const DIRECTIONS = ['increase', 'decrease'] as const;

export const IndicatorSchema = z.object({
  code: z.string().min(1), // unique within the project, e.g. "OP1.2"
  resultCode: z.string().min(1), // the outcome or output it measures
  title: z.string().min(1),
  type: z.enum(INDICATOR_TYPES),
  unit: z.string().default(''),
  baseline: z.number().nullable(),
  baselineDate: z.string().nullable(),
  timeAggregation: z.enum(TIME_AGGREGATIONS),
  /** The kind of period its values are reported for (default quarter). */
  reportingFrequency: z.enum(REPORTING_FREQUENCIES).default('quarter'),
  direction: z.enum(DIRECTIONS).default('increase'),
  disaggregations: z.array(z.enum(DISAGGREGATION_DIMENSIONS)).default([]),
  /** What to do when disaggregated values do not add up to the total. */
  disaggregationCheck: z.enum(['error', 'warning']).default('warning'),
  dataSource: z.string().default(''),
  meansOfVerification: z.string().default(''),
  /** The mission-wide common indicator it rolls up to (domain/common-indicators.ts): same type only. */
  commonIndicatorCode: z.string().nullable().default(null),
  /** Targets per period id ("2025-Q3") and for the life of the project ("LOP"). */
  targets: z.record(z.string(), z.number()),
});
export type Indicator = z.infer<typeof IndicatorSchema>;

export const ResultSchema = z.object({
  code: z.string().min(1), // "OC1", "OP1.2"
  level: z.enum(['objective', 'outcome', 'output']),
  parentCode: z.string().nullable(),
  statement: z.string().min(1),
  /** Framework nodes this result contributes to (UNSDCF outputs, IOM pillars, SDG targets...). */
  contributesTo: z.array(z.string()).default([]),
});
export type Result = z.infer<typeof ResultSchema>;

export const ProjectSchema = z.object({
  code: z.string().min(1), // Prima ID, e.g. LY10P0542
  altCode: z.string().nullable().default(null), // project ID, e.g. PO.0185
  title: z.string().min(1),
  donors: z.array(z.string()).default([]), // donor codes
  startDate: z.string(),
  endDate: z.string(),
  budget: z.number().nullable().default(null),
  currency: z.string().default('USD'),
  status: z.enum(['pipeline', 'active', 'closed']).default('active'),
  coverage: z.string().default(''),
  locations: z.array(z.string()).default([]),
  programmaticArea: z.string().default(''),
  illustrative: z.boolean().default(false),
});
export type Project = z.infer<typeof ProjectSchema>;

/** One disaggregation cell; all empty is the total. */
export type Disaggregation = Partial<Record<DisaggregationDimension, string>>;

/** One stored indicator value (the long format, one row per value). */
export interface IndicatorValue {
  indicatorCode: string;
  period: string;
  disaggregation: Disaggregation;
  value: number | null;
  /** Percentages keep both parts so that they aggregate as ratio of sums (Akvo RSR, DHIS2). */
  numerator?: number | null;
  denominator?: number | null;
  text?: string | null; // qualitative indicators
}

export const isTotal = (d: Disaggregation): boolean =>
  DISAGGREGATION_DIMENSIONS.every((k) => !d[k]);
