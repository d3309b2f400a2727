/**
 * The report model: everything a renderer needs, as plain JSON-safe data, already computed.
 * Renderers (Excel, PDF) only lay it out; they never compute progress themselves.
 */
import type { FrameworkNode, Indicator, IndicatorType, IndicatorValue, Project, Result } from './results-framework.js';
import { computeIndicatorProgress, DEFAULT_THRESHOLDS, type IndicatorProgress, type ProgressStatus, type StatusThresholds } from './progress.js';
import { parsePeriod, periodLabel, quarterOf, quartersBetween } from './periods.js';

export interface ApprovalEntry {
  step: string; // e.g. "Project manager"
  decidedBy: string; // user id
  decidedByName: string;
  decision: 'approved' | 'returned';
  decidedAt: string; // ISO timestamp
  comment: string | null;
  version: number;
}

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
    objective: string | null;
  };
  summary: {
    indicatorCount: number;
    byStatus: Record<ProgressStatus, number>;
    keyFigures: Array<{ label: string; value: string }>;
  };
  sections: ReportSection[];
  approvals: ApprovalEntry[];
  /** Narrative per section key ("summary", "challenges", ...); plain text, never markup. */
  narrative: Record<string, string>;
}

export interface BuildReportModelInput {
  project: Project;
  donorNames: string[];
  results: Result[];
  indicators: Indicator[];
  values: IndicatorValue[];
  frameworkNodes: FrameworkNode[];
  period: string;
  template: { id: string; title: string; language: string; groupBy: 'unsdcf' | 'iom_pillar' | 'outcome' };
  cycle: { id: string | null; version: number; status: ReportModel['meta']['status']; dataAsOf: string | null };
  approvals: ApprovalEntry[];
  narrative?: Record<string, string>;
  generatedAt: string;
  thresholds?: StatusThresholds;
}

/** The quarters from the project's start to `period`'s last quarter. */
export function projectQuartersTo(project: Project, period: string): string[] {
  const p = parsePeriod(period);
  const first = quarterOf(project.startDate);
  const last = quarterOf(p.end);
  return last < first ? [] : quartersBetween(first, last);
}

const FRAMEWORK_FOR_GROUPING = { unsdcf: 'unsdcf', iom_pillar: 'iom_pillar' } as const;

export function buildReportModel(input: BuildReportModelInput): ReportModel {
  const { project, results, indicators, values, frameworkNodes, period, template } = input;
  const quarters = projectQuartersTo(project, period);
  const p = parsePeriod(period);
  const resultByCode = new Map(results.map((r) => [r.code, r]));
  const nodeByCode = new Map(frameworkNodes.map((n) => [n.code, n]));

  const sectionOf = (result: Result): { key: string; node: FrameworkNode | null } => {
    if (template.groupBy === 'outcome') {
      let r: Result | undefined = result;
      while (r && r.level !== 'outcome' && r.parentCode) r = resultByCode.get(r.parentCode);
      return { key: r?.code ?? 'other', node: null };
    }
    const kind = FRAMEWORK_FOR_GROUPING[template.groupBy];
    // An output inherits its outcome's links when it has none of its own.
    for (let r: Result | undefined = result; r; r = r.parentCode ? resultByCode.get(r.parentCode) : undefined) {
      const node = r.contributesTo.map((c) => nodeByCode.get(c)).find((n) => n?.framework === kind && (kind !== 'unsdcf' || n.level === 'output'));
      if (node) return { key: node.code, node };
    }
    return { key: 'other', node: null };
  };

  const sections = new Map<string, ReportSection>();
  for (const indicator of indicators) {
    const result = resultByCode.get(indicator.resultCode);
    if (!result) continue;
    const { key, node } = sectionOf(result);
    let section = sections.get(key);
    if (!section) {
      const title = node
        ? `${node.framework === 'unsdcf' ? 'UNSDCF Output' : 'IOM pillar'} ${node.code.replace(/^UNSDCF-|^IOM-/, '')}: ${node.title}`
        : template.groupBy === 'outcome' && resultByCode.get(key)
          ? `${key}: ${resultByCode.get(key)!.statement}`
          : 'Other project results';
      section = { key, title, frameworkCode: node?.code ?? null, illustrative: node?.illustrative ?? false, results: [], rows: [] };
      sections.set(key, section);
    }
    if (!section.results.some((r) => r.code === result.code)) {
      section.results.push({ code: result.code, level: result.level, statement: result.statement });
    }
    const progress = computeIndicatorProgress(indicator, values, period, quarters.length ? quarters : [period], input.thresholds ?? DEFAULT_THRESHOLDS);
    section.rows.push({
      ...progress,
      title: indicator.title,
      type: indicator.type,
      unit: indicator.unit,
      baseline: indicator.baseline,
      resultCode: result.code,
      resultStatement: result.statement,
      resultLevel: result.level,
      dataSource: indicator.dataSource,
      meansOfVerification: indicator.meansOfVerification,
    });
  }
  // Sections in framework order ("other" last); rows by result then indicator code.
  const ordered = [...sections.values()].sort((a, b) => (a.key === 'other' ? 1 : b.key === 'other' ? -1 : a.key.localeCompare(b.key, 'en', { numeric: true })));
  for (const s of ordered) s.rows.sort((a, b) => a.indicatorCode.localeCompare(b.indicatorCode, 'en', { numeric: true }));

  const rows = ordered.flatMap((s) => s.rows);
  const byStatus: Record<ProgressStatus, number> = { on_track: 0, at_risk: 0, off_track: 0, no_data: 0, reported: 0 };
  for (const r of rows) byStatus[r.status]++;
  const withTarget = rows.filter((r) => r.percentOfPeriodTarget !== null);
  const meanAchievement = withTarget.length ? withTarget.reduce((a, r) => a + Math.min(r.percentOfPeriodTarget!, 150), 0) / withTarget.length : null;

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
      periods: quarters,
      cycleId: input.cycle.id,
      version: input.cycle.version,
      status: input.cycle.status,
      generatedAt: input.generatedAt,
      dataAsOf: input.cycle.dataAsOf,
      objective: results.find((r) => r.level === 'objective')?.statement ?? null,
    },
    summary: {
      indicatorCount: rows.length,
      byStatus,
      keyFigures: [
        { label: 'Indicators reported', value: `${rows.length - byStatus.no_data} of ${rows.length}` },
        { label: 'On track', value: String(byStatus.on_track) },
        { label: 'At risk / off track', value: `${byStatus.at_risk} / ${byStatus.off_track}` },
        { label: 'Mean achievement of period targets', value: meanAchievement === null ? '—' : `${Math.round(meanAchievement)}%` },
      ],
    },
    sections: ordered,
    approvals: input.approvals,
    narrative: input.narrative ?? {},
  };
}
