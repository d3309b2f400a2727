/**
 * The logframe workbook as M&E officers keep it: an "Instructions" sheet, a "Project" sheet (one field
 * per row: label in column A, value in column B), a "Results" sheet (one result per row) and an
 * "Indicators" sheet (one indicator per row, then the life-of-project target and one column per period
 * target, "Target 2025-Q1" ...). Three reference sheets list the framework nodes, the common indicators
 * of the mission's library and the donors that codes can point to; the reader ignores them. Shared by
 * the writer and the reader so they cannot drift apart.
 */
import {
  DIRECTIONS, DISAGGREGATION_DIMENSIONS, INDICATOR_TYPES, REPORTING_FREQUENCIES, TIME_AGGREGATIONS,
} from '../domain/results-framework.js';

export const SHEETS = {
  instructions: 'Instructions',
  project: 'Project',
  results: 'Results',
  indicators: 'Indicators',
  validationRules: 'Validation rules',
  frameworks: 'Framework nodes',
  commonIndicators: 'Common indicators',
  donors: 'Donors',
} as const;

/** One problem of a workbook, where the user sees it (Excel row numbers; column = the header or field label). */
export interface LogframeIssue {
  file: string;
  sheet: string | null;
  row: number | null;
  column: string | null;
  message: string;
}

export const LEVELS = ['objective', 'outcome', 'output'] as const;
export const DISAGGREGATION_CHECKS = ['error', 'warning'] as const;
export const STATUSES = ['pipeline', 'active', 'closed'] as const;
export { DIRECTIONS, DISAGGREGATION_DIMENSIONS, INDICATOR_TYPES, REPORTING_FREQUENCIES, TIME_AGGREGATIONS };

/** The "Validation rules" sheet: one rule between indicators per row (data-quality warnings, never refusals). */
export const VALIDATION_RULE_COLUMNS = [
  { key: 'code', label: 'Code', required: true, width: 12, help: 'A short code for the rule, unique in the project, e.g. R1.' },
  { key: 'rule', label: 'Rule', required: true, width: 40, help: 'Indicator codes of this workbook joined by "+", compared with <=, >=, =, < or >: e.g. "OP1.4.a <= OP1.3.b" or "OP1.w + OP1.m = OP1.t". Checked on each period\'s actuals; a broken rule is a warning shown to the reviewer.' },
  { key: 'description', label: 'Description', required: false, width: 60, help: 'What the rule means, in words: e.g. "trained ≤ enrolled".' },
] as const satisfies ReadonlyArray<FieldSpec<string>>;

/** The separator of list cells (donors, locations, framework nodes, disaggregations). */
export const LIST_SEPARATOR = ';';

export type ProjectField =
  | 'code' | 'altCode' | 'title' | 'donors' | 'startDate' | 'endDate' | 'budget' | 'currency' | 'status'
  | 'coverage' | 'locations' | 'programmaticArea' | 'illustrative';

export interface FieldSpec<K extends string> {
  key: K;
  label: string;
  required: boolean;
  width?: number;
  /** A short explanation (Instructions sheet, header note). */
  help: string;
  /** The allowed values, offered as a drop-down list in Excel. */
  list?: readonly string[];
}

export const PROJECT_FIELDS: ReadonlyArray<FieldSpec<ProjectField>> = [
  { key: 'code', label: 'Code', required: true, help: 'Prima ID, e.g. LY10P0542. An existing code updates that project; a new one creates it.' },
  { key: 'altCode', label: 'Alt code', required: false, help: 'Project ID, e.g. PO.0185.' },
  { key: 'title', label: 'Title', required: true, help: 'The project title.' },
  { key: 'donors', label: 'Donors', required: false, help: 'Donor codes separated by ";" (see the Donors sheet).' },
  { key: 'startDate', label: 'Start date', required: true, help: 'A date (YYYY-MM-DD or an Excel date).' },
  { key: 'endDate', label: 'End date', required: true, help: 'A date, not before the start date.' },
  { key: 'budget', label: 'Budget', required: false, help: 'A number, without thousands separators.' },
  { key: 'currency', label: 'Currency', required: false, help: 'ISO code, default USD.' },
  { key: 'status', label: 'Status', required: false, help: 'pipeline, active or closed (default active).', list: STATUSES },
  { key: 'coverage', label: 'Coverage', required: false, help: 'e.g. National.' },
  { key: 'locations', label: 'Locations', required: false, help: 'Places separated by ";".' },
  { key: 'programmaticArea', label: 'Programmatic area', required: false, help: 'e.g. Migration Policy Activities.' },
  { key: 'illustrative', label: 'Illustrative', required: false, help: 'yes for invented demo data, otherwise no.', list: ['yes', 'no'] },
];

export type ResultField = 'level' | 'code' | 'parentCode' | 'statement' | 'contributesTo';
export const RESULT_COLUMNS: ReadonlyArray<FieldSpec<ResultField>> = [
  { key: 'level', label: 'Level', required: true, width: 12, help: 'objective, outcome or output.', list: LEVELS },
  { key: 'code', label: 'Code', required: true, width: 12, help: 'Unique in the project, e.g. OC1, OP1.2.' },
  { key: 'parentCode', label: 'Parent code', required: true, width: 12, help: 'An outcome\'s objective or an output\'s outcome; empty for the objective.' },
  { key: 'statement', label: 'Statement', required: true, width: 70, help: 'The result statement.' },
  { key: 'contributesTo', label: 'Contributes to', required: false, width: 40, help: 'Framework node codes separated by ";" (see the Framework nodes sheet), e.g. UNSDCF-1.1.1; IOM-GOVERNANCE.' },
];

export type IndicatorField =
  | 'resultCode' | 'code' | 'title' | 'type' | 'unit' | 'baseline' | 'baselineDate' | 'timeAggregation' | 'reportingFrequency' | 'direction'
  | 'disaggregations' | 'disaggregationCheck' | 'dataSource' | 'meansOfVerification' | 'commonIndicatorCode' | 'lop';
export const INDICATOR_COLUMNS: ReadonlyArray<FieldSpec<IndicatorField>> = [
  { key: 'resultCode', label: 'Result code', required: true, width: 12, help: 'The code of the result (Results sheet) it measures.' },
  { key: 'code', label: 'Code', required: true, width: 12, help: 'Unique in the project, e.g. OP1.2.a.' },
  { key: 'title', label: 'Title', required: true, width: 60, help: 'The indicator.' },
  { key: 'type', label: 'Type', required: true, width: 13, help: 'count, percentage (0-100), ratio, yes_no or qualitative.', list: INDICATOR_TYPES },
  { key: 'unit', label: 'Unit', required: false, width: 12, help: 'e.g. people, %.' },
  { key: 'baseline', label: 'Baseline', required: false, width: 10, help: 'A number, or empty.' },
  { key: 'baselineDate', label: 'Baseline date', required: false, width: 13, help: 'A date, or empty.' },
  { key: 'timeAggregation', label: 'Aggregation over time', required: true, width: 12, help: 'sum (non-cumulative), latest (non-summing), max or average.', list: TIME_AGGREGATIONS },
  { key: 'reportingFrequency', label: 'Reporting frequency', required: false, width: 11, help: 'How often values are reported: month, quarter (default), half (half-year) or year. A data import refuses values for periods of another kind. Without this column, an import keeps each indicator\'s stored frequency.', list: REPORTING_FREQUENCIES },
  { key: 'direction', label: 'Direction', required: false, width: 11, help: 'increase or decrease: which way is better (default increase).', list: DIRECTIONS },
  { key: 'disaggregations', label: 'Disaggregations', required: false, width: 20, help: `Separated by ";": ${DISAGGREGATION_DIMENSIONS.join(', ')}.` },
  { key: 'disaggregationCheck', label: 'Disaggregation check', required: false, width: 12, help: 'When disaggregated values do not add up to the total: error (refused) or warning (default).', list: DISAGGREGATION_CHECKS },
  { key: 'dataSource', label: 'Data source', required: false, width: 30, help: 'Where the data comes from.' },
  { key: 'meansOfVerification', label: 'Means of verification', required: false, width: 30, help: 'The evidence.' },
  { key: 'commonIndicatorCode', label: 'Common indicator code', required: false, width: 14, help: `The mission-wide common indicator it rolls up to in the mission overview (see the ${SHEETS.commonIndicators} sheet), of the same type; or empty.` },
  { key: 'lop', label: 'LOP target', required: false, width: 10, help: 'The life-of-project target, or empty.' },
];

/** "Target 2025-Q1": one column per reporting period target (quarter, half-year, year or month). */
export const TARGET_PREFIX = 'Target ';
export const targetHeader = (period: string): string => `${TARGET_PREFIX}${period}`;
