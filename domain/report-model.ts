/**
 * The report model: everything a renderer needs, as plain JSON-safe data, already computed.
 * Renderers (Excel, PDF) only lay it out; they never compute progress themselves.
 */
import type { DisaggregationDimension, FrameworkNode, Indicator, IndicatorType, IndicatorValue, Project, Result } from './results-framework.js';
import { DISAGGREGATION_DIMENSIONS } from './results-framework.js';
import { computeIndicatorProgress, DEFAULT_THRESHOLDS, emptyStatusCounts, meanAchievement, type IndicatorProgress, type ProgressStatus, type StatusThresholds } from './progress.js';
import { parsePeriod, periodLabel, quarterOf, quartersBetween } from './periods.js';
import { checkValidationRules, findOutlier, type DataQualityWarning, type ValidationRule } from './data-quality.js';
import type { ValueChange } from './value-diff.js';
import type { ValueRevision } from './value-history.js';

export interface ApprovalEntry {
  step: string; // e.g. "Project manager"
  decidedBy: string; // user id
  decidedByName: string;
  decision: 'approved' | 'returned';
  decidedAt: string; // ISO timestamp
  comment: string | null;
  version: number;
}

/** Where a value behind a report came from: its revision of the cell, source, batch, who and when. */
export interface ValueProvenance
  extends Pick<ValueRevision, 'period' | 'disaggregation' | 'value' | 'numerator' | 'denominator' | 'text' | 'source' | 'comment' | 'enteredBy' | 'enteredAt'> {
  indicatorCode: string;
  /** 1 for the first value of the cell, 2 for its first correction, ... */
  revision: number;
  /** Import batch (file, resubmission or correction on the web), when it came through one. */
  batchId: number | null;
  batchKind: string | null;
  fileName: string | null;
}

/** Columns a template may ask for in its results tables, in the order it lists them. */
export const REPORT_COLUMNS = [
  'baseline', 'period_target', 'period_actual', 'cumulative', 'lop_target', 'percent_period', 'percent_lop', 'status',
  'unit', 'data_source', 'source_of_verification', 'comments',
] as const;
export type ReportColumn = (typeof REPORT_COLUMNS)[number];

/** Which indicators to show; every field narrows (a trailing "*" in a code matches a prefix). */
export interface IndicatorFilter {
  levels?: Array<Result['level']>;
  types?: IndicatorType[];
  results?: string[];
  indicators?: string[];
}

const codeMatches = (patterns: string[], code: string) =>
  patterns.some((p) => (p.endsWith('*') ? code.startsWith(p.slice(0, -1)) : p === code));

export function matchesFilter(filter: IndicatorFilter, indicator: Pick<Indicator, 'code' | 'type'>, result: Pick<Result, 'code' | 'level'>): boolean {
  return (
    (!filter.levels || filter.levels.includes(result.level)) &&
    (!filter.types || filter.types.includes(indicator.type)) &&
    (!filter.results || codeMatches(filter.results, result.code)) &&
    (!filter.indicators || codeMatches(filter.indicators, indicator.code))
  );
}

/** A template section as laid out for this report: what the renderers print, in order. */
export type LayoutSection =
  | { kind: 'cover' | 'masthead' | 'approvals' }
  | { kind: 'summary'; title: string; newPage: boolean; partial?: string; text: string | null }
  | { kind: 'results'; title: string | null; newPage: boolean; charts: boolean; indicatorCodes: string[] }
  | { kind: 'logframe'; title: string; newPage: boolean; indicatorCodes: string[] }
  | { kind: 'narrative'; key: string; title: string; partial?: string; text: string | null };

/** What a template says about layout, as buildReportModel needs it (structural: no dependency on templates/). */
export interface TemplateLayout {
  id: string;
  title: string;
  language: string;
  groupBy: 'unsdcf' | 'iom_pillar' | 'outcome';
  show?: IndicatorFilter;
  sections?: Array<
    | { kind: 'cover' | 'masthead' | 'approvals' }
    | { kind: 'summary'; title: string; newPage: boolean; partial?: string }
    | { kind: 'results'; title?: string; show: IndicatorFilter; charts: boolean; newPage: boolean }
    | { kind: 'logframe'; title: string; show: IndicatorFilter; newPage: boolean }
    | { kind: 'narrative'; key: string; title: string; partial?: string }
    | { kind: 'rollup' | 'projects' }
  >;
  columns?: ReportColumn[];
  periods?: { show: 'to_date' | 'report_period' | 'last'; count?: number };
  disaggregations?: DisaggregationDimension[];
  maxPages?: number;
}

export const DEFAULT_COLUMNS: ReportColumn[] = ['baseline', 'period_target', 'period_actual', 'cumulative', 'lop_target', 'percent_period', 'status'];

export interface ReportRow extends IndicatorProgress {
  title: string;
  type: IndicatorType;
  unit: string;
  baseline: number | null;
  resultCode: string;
  resultStatement: string;
  resultLevel: Result['level'];
  dataSource: string;
  meansOfVerification: string;
  /** Comments for the logframe: the M&E officer's note for the indicator (narrative "indicator:CODE"), else derived. */
  comment: string | null;
  /** Data-quality warnings on this indicator's figure for the period (shown beside it; never a refusal). */
  qualityWarnings: string[];
}

export interface ReportSection {
  key: string; // framework node code, or "other"
  title: string; // e.g. "UNSDCF Output 1.2 — ..."
  frameworkCode: string | null;
  illustrative: boolean;
  /** The project's own results grouped under this section, in order. */
  results: Array<{ code: string; level: Result['level']; statement: string }>;
  rows: ReportRow[];
}

export interface ReportModel {
  meta: {
    title: string; // e.g. "Interim donor report"
    templateId: string;
    templateTitle: string;
    language: string;
    project: Project;
    donorNames: string[];
    period: string; // "2025-Q3"
    periodLabel: string; // "Q3 2025 (1 Jul – 30 Sep 2025)"
    periodStart: string;
    periodEnd: string;
    /** Periods shown as columns: every quarter of the project up to the report period. */
    periods: string[];
    cycleId: string | null; // null for a preview
    version: number;
    status: 'preview' | 'draft' | 'final';
    generatedAt: string; // ISO timestamp
    dataAsOf: string | null;
    /** SHA-256 of the values read (the digest the cycle recorded when it gathered them). */
    dataSha256: string | null;
    /** Set when the report revises an approved one (the cycle was reopened by a correction). */
    revision: ReportRevision | null;
    objective: string | null;
  };
  summary: {
    indicatorCount: number;
    byStatus: Record<ProgressStatus, number>;
    /** The headline: mean of the defined % of period targets, each capped at 100, and how many it covers. */
    meanAchievement: { percent: number | null; indicatorCount: number };
    keyFigures: Array<{ label: string; value: string }>;
  };
  sections: ReportSection[];
  /** Every data-quality warning of the period (validation rules broken, outliers), for the annex. */
  dataQuality: DataQualityWarning[];
  /** The stored values behind the figures shown (periods to date), each with where it came from. */
  provenance: ValueProvenance[];
  approvals: ApprovalEntry[];
  /** Narrative per section key ("summary", "challenges", ...); plain text, never markup. */
  narrative: Record<string, string>;
  /** The template's sections, columns and options, resolved for this report. */
  layout: {
    sections: LayoutSection[];
    columns: ReportColumn[];
    disaggregations: DisaggregationDimension[];
    maxPages: number | null;
  };
}

export interface BuildReportModelInput {
  project: Project;
  donorNames: string[];
  results: Result[];
  indicators: Indicator[];
  values: IndicatorValue[];
  frameworkNodes: FrameworkNode[];
  period: string;
  template: TemplateLayout;
  cycle: { id: string | null; version: number; status: ReportModel['meta']['status']; dataAsOf: string | null; dataSha256?: string | null };
  approvals: ApprovalEntry[];
  narrative?: Record<string, string>;
  generatedAt: string;
  thresholds?: StatusThresholds;
  /** The project's validation rules between indicators (data-quality warnings). */
  validationRules?: ValidationRule[];
  /** The values read, with their provenance (db/values-repository.ts readValueProvenanceAsOf). */
  provenance?: ValueProvenance[];
  revision?: ReportRevision | null;
}

/** A report revised after approval: which version was approved, who reopened it, why, and what changed. */
export interface ReportRevision {
  approvedVersion: number;
  by: string;
  reason: string;
  at: string;
  changes: ValueChange[];
}

/** The quarters from the project's start to `period`'s last quarter. */
export function projectQuartersTo(project: Project, period: string): string[] {
  const p = parsePeriod(period);
  const first = quarterOf(project.startDate);
  const last = quarterOf(p.end);
  return last < first ? [] : quartersBetween(first, last);
}

/**
 * The framework node of `kind` a result contributes to (UNSDCF: an output), inheriting its parents'
 * links when it has none of its own; null when none.
 */
export function contributionOf(result: Result, kind: 'unsdcf' | 'iom_pillar', resultByCode: Map<string, Result>, nodeByCode: Map<string, FrameworkNode>): FrameworkNode | null {
  for (let r: Result | undefined = result; r; r = r.parentCode ? resultByCode.get(r.parentCode) : undefined) {
    const node = r.contributesTo.map((c) => nodeByCode.get(c)).find((n) => n?.framework === kind && (kind !== 'unsdcf' || n.level === 'output'));
    if (node) return node;
  }
  return null;
}

/** Section title of a framework node: "UNSDCF Output 1.2.1: ..." or "IOM pillar GOVERNANCE: ...". */
export const frameworkSectionTitle = (node: FrameworkNode): string =>
  `${node.framework === 'unsdcf' ? 'UNSDCF Output' : 'IOM pillar'} ${node.code.replace(/^UNSDCF-|^IOM-/, '')}: ${node.title}`;

/** Periods shown as columns, from the quarters to date and the template's choice. */
function shownPeriods(quarters: string[], period: string, choice: TemplateLayout['periods']): string[] {
  if (!choice || choice.show === 'to_date') return quarters;
  if (choice.show === 'report_period') return quarters.length ? quarters.slice(-1) : [period];
  return quarters.slice(-(choice.count ?? 4));
}

function derivedComment(row: Omit<ReportRow, 'comment'>): string | null {
  const notes: string[] = [];
  if (row.type === 'qualitative' && row.narrative) notes.push(row.narrative);
  for (const m of row.disaggregationMismatches) notes.push(`Disaggregation by ${m.dimension.replace(/_/g, ' ')} sums to ${m.sum}, total is ${m.total}.`);
  if (row.cumulativeLeftOut) notes.push(`The cumulative figure leaves out ${row.cumulativeLeftOut} period${row.cumulativeLeftOut === 1 ? '' : 's'} reported as a percentage without numerator and denominator.`);
  return notes.length ? notes.join(' ') : null;
}

export function buildReportModel(input: BuildReportModelInput): ReportModel {
  const { project, results, indicators, values, frameworkNodes, period, template } = input;
  const quarters = projectQuartersTo(project, period);
  const p = parsePeriod(period);
  const resultByCode = new Map(results.map((r) => [r.code, r]));
  const nodeByCode = new Map(frameworkNodes.map((n) => [n.code, n]));
  const narrative = input.narrative ?? {};
  const dimensions = template.disaggregations ?? [...DISAGGREGATION_DIMENSIONS];

  const sectionOf = (result: Result): { key: string; node: FrameworkNode | null } => {
    if (template.groupBy === 'outcome') {
      let r: Result | undefined = result;
      while (r && r.level !== 'outcome' && r.parentCode) r = resultByCode.get(r.parentCode);
      return { key: r?.code ?? 'other', node: null };
    }
    const node = contributionOf(result, template.groupBy, resultByCode, nodeByCode);
    return node ? { key: node.code, node } : { key: 'other', node: null };
  };

  // Progress of every indicator (also those a template does not show: validation rules may name them).
  const progressOf = new Map(indicators.map((i) => [i.code, computeIndicatorProgress(i, values, period, quarters.length ? quarters : [period], input.thresholds ?? DEFAULT_THRESHOLDS)]));
  const dataQuality: DataQualityWarning[] = [
    ...checkValidationRules(input.validationRules ?? [], new Map([...progressOf].map(([code, pr]) => [code, pr.periodActual])), p.id),
    ...indicators.flatMap((i) => findOutlier(i, progressOf.get(i.code)!.byPeriod, p.id) ?? []),
  ];
  const rulesNaming = (code: string) => new Set((input.validationRules ?? []).filter((r) => r.left.includes(code) || r.right.includes(code)).map((r) => r.code));
  const sections = new Map<string, ReportSection>();
  for (const indicator of indicators) {
    const result = resultByCode.get(indicator.resultCode);
    if (!result) continue;
    if (template.show && !matchesFilter(template.show, indicator, result)) continue;
    const { key, node } = sectionOf(result);
    let section = sections.get(key);
    if (!section) {
      const title = node
        ? frameworkSectionTitle(node)
        : template.groupBy === 'outcome' && resultByCode.get(key)
          ? `${key}: ${resultByCode.get(key)!.statement}`
          : 'Other project results';
      section = { key, title, frameworkCode: node?.code ?? null, illustrative: node?.illustrative ?? false, results: [], rows: [] };
      sections.set(key, section);
    }
    if (!section.results.some((r) => r.code === result.code)) {
      section.results.push({ code: result.code, level: result.level, statement: result.statement });
    }
    const progress = progressOf.get(indicator.code)!;
    const row: Omit<ReportRow, 'comment'> = {
      ...progress,
      disaggregation: progress.disaggregation.filter((d) => dimensions.includes(d.dimension)),
      title: indicator.title,
      type: indicator.type,
      unit: indicator.unit,
      baseline: indicator.baseline,
      resultCode: result.code,
      resultStatement: result.statement,
      resultLevel: result.level,
      dataSource: indicator.dataSource,
      meansOfVerification: indicator.meansOfVerification,
      qualityWarnings: dataQuality.filter((w) => w.indicatorCode === indicator.code || rulesNaming(indicator.code).has(w.ruleCode ?? '')).map((w) => w.message),
    };
    section.rows.push({ ...row, comment: narrative[`indicator:${indicator.code}`]?.trim() || derivedComment(row) });
  }
  const shownCodes = new Set([...sections.values()].flatMap((s) => s.rows.map((r) => r.indicatorCode)));
  const quarterSet = new Set(quarters.length ? quarters : [p.id]);
  // Sections in framework order ("other" last); rows by result then indicator code.
  const ordered = [...sections.values()].sort((a, b) => (a.key === 'other' ? 1 : b.key === 'other' ? -1 : a.key.localeCompare(b.key, 'en', { numeric: true })));
  for (const s of ordered) s.rows.sort((a, b) => a.indicatorCode.localeCompare(b.indicatorCode, 'en', { numeric: true }));

  const rows = ordered.flatMap((s) => s.rows);
  const byStatus: Record<ProgressStatus, number> = emptyStatusCounts();
  for (const r of rows) byStatus[r.status]++;
  const mean = meanAchievement(rows.map((r) => r.percentOfPeriodTarget));

  // Layout: the template's sections with the indicators each shows (in model order).
  const shown = (filter: IndicatorFilter) =>
    rows.filter((r) => matchesFilter(filter, { code: r.indicatorCode, type: r.type }, { code: r.resultCode, level: r.resultLevel })).map((r) => r.indicatorCode);
  const templateSections = template.sections ?? [{ kind: 'cover' }, { kind: 'summary', title: 'Summary', newPage: true }, { kind: 'results', show: {}, charts: true, newPage: true }, { kind: 'approvals' }];
  const layoutSections: LayoutSection[] = [];
  for (const s of templateSections) {
    switch (s.kind) {
      case 'cover':
      case 'masthead':
      case 'approvals':
        layoutSections.push({ kind: s.kind });
        break;
      case 'summary':
        layoutSections.push({ kind: 'summary', title: s.title, newPage: s.newPage, ...(s.partial ? { partial: s.partial } : {}), text: narrative['summary']?.trim() || null });
        break;
      case 'results':
        layoutSections.push({ kind: 'results', title: s.title ?? null, newPage: s.newPage, charts: s.charts, indicatorCodes: shown(s.show) });
        break;
      case 'logframe':
        layoutSections.push({ kind: 'logframe', title: s.title, newPage: s.newPage, indicatorCodes: shown(s.show) });
        break;
      case 'narrative':
        layoutSections.push({ kind: 'narrative', key: s.key, title: s.title, ...(s.partial ? { partial: s.partial } : {}), text: narrative[s.key]?.trim() || null });
        break;
      default:
        break; // mission-scope sections have no place in a project report
    }
  }

  return {
    meta: {
      title: template.title,
      templateId: template.id,
      templateTitle: template.title,
      language: template.language,
      project,
      donorNames: input.donorNames,
      period: p.id,
      periodLabel: periodLabel(p.id),
      periodStart: p.start,
      periodEnd: p.end,
      periods: shownPeriods(quarters, p.id, template.periods),
      cycleId: input.cycle.id,
      version: input.cycle.version,
      status: input.cycle.status,
      generatedAt: input.generatedAt,
      dataAsOf: input.cycle.dataAsOf,
      dataSha256: input.cycle.dataSha256 ?? null,
      revision: input.revision ?? null,
      objective: results.find((r) => r.level === 'objective')?.statement ?? null,
    },
    summary: {
      indicatorCount: rows.length,
      byStatus,
      meanAchievement: mean,
      keyFigures: [
        { label: 'Indicators reported', value: `${rows.length - byStatus.no_data} of ${rows.length}` },
        { label: 'On track', value: String(byStatus.on_track) },
        { label: 'At risk / off track', value: `${byStatus.at_risk} / ${byStatus.off_track}` },
        ...(byStatus.no_target ? [{ label: 'Reported without a target', value: String(byStatus.no_target) }] : []),
        {
          label: `Mean achievement of period targets (${mean.indicatorCount} indicator${mean.indicatorCount === 1 ? '' : 's'} with a target, each capped at 100%)`,
          value: mean.percent === null ? '—' : `${Math.round(mean.percent)}%`,
        },
      ],
    },
    sections: ordered,
    dataQuality,
    provenance: (input.provenance ?? []).filter((v) => shownCodes.has(v.indicatorCode) && quarterSet.has(v.period)),
    approvals: input.approvals,
    narrative,
    layout: {
      sections: layoutSections,
      columns: template.columns ?? DEFAULT_COLUMNS,
      disaggregations: dimensions,
      maxPages: template.maxPages ?? null,
    },
  };
}
