/**
 * The mission overview: every project's achievement for one period, rolled up by UNSDCF output and by
 * IOM pillar. Pure functions.
 *
 * Roll-up rules (PRODUCT.md, "Across projects"), per period:
 * - the actual is the sum of all actuals (counts), summed numerators / summed denominators
 *   (percentages), "n of m" for yes/no (n say yes, m reported);
 * - the % of target uses only contributions that have both an actual and a target, pooled and then
 *   rated by the same percentAchieved as one indicator: sum of actuals / sum of targets; decrease:
 *   sum of (baseline − actual) / sum of (baseline − target) (target / actual without baselines);
 *   percentages pool their figures weighted by their denominators;
 * - a value-only percentage is never averaged with others: it is left out and counted; a line whose
 *   contributions are all value-only shows the value when there is exactly one;
 * - a line with a single contribution shows exactly that indicator's own figure and status.
 * Indicators of different projects roll up into one line only when they link to the same common
 * indicator; every other indicator is its own line under the group. Given the library of common
 * indicators (`commonIndicators`), a common line takes its title, unit and direction from the library
 * entry (not from whichever project indicator came first), and an indicator whose type is not the
 * entry's (a link the application refuses, from data older than that rule) is its own line: lines of
 * different types are never mixed.
 */
import type { CommonIndicatorLibrary, CommonIndicatorRef } from './common-indicators.js';
import type { FrameworkNode, Indicator, IndicatorType, IndicatorValue, Project, Result } from './results-framework.js';
import { computeIndicatorProgress, DEFAULT_THRESHOLDS, emptyStatusCounts, isValueOnly, percentAchieved, periodTotal, rateStatus, type ProgressStatus, type StatusThresholds } from './progress.js';
import { contributionOf, frameworkSectionTitle, projectQuartersTo } from './report-model.js';
import { parsePeriod, periodLabel } from './periods.js';

export interface RollupProjectInput {
  project: Project;
  donorNames: string[];
  results: Result[];
  indicators: Indicator[];
  values: IndicatorValue[];
}

export interface RollupLine {
  /** The common indicator code, or "PROJECT/INDICATOR" for an indicator of one project. */
  key: string;
  title: string;
  type: IndicatorType;
  unit: string;
  common: boolean;
  projects: string[];
  indicatorCount: number;
  /** Counts: sums; percentages: the ratio of the sums (0–100); yes/no: the number of "yes". */
  actual: number | null;
  target: number | null;
  /** Percentages: the summed parts behind `actual`. */
  numerator: number | null;
  denominator: number | null;
  /** How many contributions have an actual in the period (yes/no: the m of "n of m"). */
  reporting: number;
  /** How many contributions the % of target pools (those with both an actual and a target). */
  withTarget: number;
  /** Value-only percentages left out of the figure (never averaged with others). */
  leftOut: number;
  percentOfTarget: number | null;
  status: ProgressStatus;
  /** What a reader must know to read the figure (left-out values, the % over fewer contributions). */
  notes: string[];
}

export interface RollupGroup {
  key: string; // framework node code, or "none"
  title: string;
  illustrative: boolean;
  projects: string[];
  indicatorCount: number;
  byStatus: Record<ProgressStatus, number>;
  lines: RollupLine[];
}

export interface ProjectRollupRow {
  code: string;
  title: string;
  donors: string[];
  programmaticArea: string;
  illustrative: boolean;
  indicatorCount: number;
  byStatus: Record<ProgressStatus, number>;
  unsdcfOutputs: string[];
  pillars: string[];
}

export interface MissionRollup {
  period: string;
  periodLabel: string;
  projectCount: number;
  indicatorCount: number;
  byStatus: Record<ProgressStatus, number>;
  byUnsdcf: RollupGroup[];
  byPillar: RollupGroup[];
  projects: ProjectRollupRow[];
}

const emptyStatus = emptyStatusCounts;
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** One project indicator's contribution to a roll-up line, for the period. */
export interface IndicatorContribution {
  projectCode: string;
  indicator: Indicator;
  status: ProgressStatus;
  /** Period total (counts, yes/no 1/0, percentages 0–100), with the parts of a percentage. */
  actual: number | null;
  numerator: number | null;
  denominator: number | null;
  target: number | null;
}

/** Sum of numbers, or null for none. */
const sumOrNull = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) : null);

/** The pooled actual, target and baseline the line's % is rated on (see the rules above). */
function pooledFigures(type: IndicatorContribution['indicator']['type'], used: IndicatorContribution[]): { actual: number; target: number; baseline: number | null } {
  const baselines = used.map((c) => c.indicator.baseline);
  const allBaselines = baselines.every((b) => b !== null);
  if (type === 'percentage' || type === 'ratio') {
    // Weighted by denominators; a single value-only contribution (the only kind `used` can then hold) is its own figure.
    if (used.length === 1 && used[0]!.denominator === null) return { actual: used[0]!.actual!, target: used[0]!.target!, baseline: used[0]!.indicator.baseline };
    const den = used.reduce((a, c) => a + c.denominator!, 0);
    const weighted = (f: (c: IndicatorContribution) => number) => used.reduce((a, c) => a + f(c) * c.denominator!, 0) / den;
    const num = used.reduce((a, c) => a + c.numerator!, 0);
    return { actual: (num / den) * (type === 'percentage' ? 100 : 1), target: weighted((c) => c.target!), baseline: allBaselines ? weighted((c) => c.indicator.baseline!) : null };
  }
  return {
    actual: used.reduce((a, c) => a + c.actual!, 0),
    target: used.reduce((a, c) => a + c.target!, 0),
    baseline: allBaselines ? baselines.reduce((a: number, b) => a + b!, 0) : null,
  };
}

/**
 * Rolls contributions of the same type into one line (see the rules above). `common`: the library
 * entry of a common line, whose title, unit and direction the line takes.
 */
export function rollupLine(key: string, contributions: IndicatorContribution[], thresholds: StatusThresholds = DEFAULT_THRESHOLDS, common?: CommonIndicatorRef): RollupLine {
  const first = contributions[0]!;
  const { type } = first.indicator;
  // A common line is judged in the library entry's direction; a single contribution is its own figure.
  const direction = contributions.length === 1 ? first.indicator.direction : common?.direction ?? first.indicator.direction;
  const projects = [...new Set(contributions.map((c) => c.projectCode))];
  const reported = contributions.filter((c) => c.actual !== null);
  const ratio = type === 'percentage' || type === 'ratio';
  const valueOnly = ratio ? reported.filter((c) => isValueOnly(type, { value: c.actual, numerator: c.numerator, denominator: c.denominator })) : [];
  const withParts = reported.filter((c) => !valueOnly.includes(c));
  // Value-only percentages: left out when others have parts; the figure itself when it is the only one.
  const counted = withParts.length ? withParts : valueOnly.length === 1 ? valueOnly : [];
  const leftOut = reported.length - counted.length;
  const used = counted.filter((c) => c.target !== null);
  // The figures the % of target is rated on, pooled once.
  const pooledUsed = used.length && type !== 'qualitative' ? pooledFigures(type, used) : null;

  let actual: number | null = null;
  let target: number | null = null;
  let numerator: number | null = null;
  let denominator: number | null = null;
  switch (type) {
    case 'count':
      actual = counted.length ? round(counted.reduce((a, c) => a + c.actual!, 0)) : null;
      target = sumOrNull(contributions.flatMap((c) => (c.target === null ? [] : [c.target])));
      break;
    case 'percentage':
    case 'ratio':
      if (withParts.length) {
        numerator = withParts.reduce((a, c) => a + c.numerator!, 0);
        denominator = withParts.reduce((a, c) => a + c.denominator!, 0);
      }
      actual = counted.length ? round(pooledFigures(type, counted).actual) : null;
      target = pooledUsed ? round(pooledUsed.target) : contributions.length === 1 ? first.target : null;
      break;
    case 'yes_no':
      actual = reported.length ? reported.filter((c) => c.actual! >= 1).length : null;
      target = sumOrNull(contributions.flatMap((c) => (c.target === null ? [] : [c.target])));
      break;
    case 'qualitative':
      break;
  }
  let percentOfTarget: number | null = null;
  if (pooledUsed) {
    percentOfTarget = percentAchieved({ type, direction, baseline: pooledUsed.baseline }, pooledUsed.actual, pooledUsed.target);
  }
  const notes: string[] = [];
  if (leftOut) notes.push(`${leftOut} value-only percentage${leftOut === 1 ? '' : 's'} (no numerator and denominator) left out`);
  if (type !== 'qualitative' && contributions.length > 1 && used.length && used.length < counted.length) {
    notes.push(`% of target over the ${used.length} of ${counted.length} contributions with a target`);
  }
  const hasActual = type === 'qualitative' ? contributions.some((c) => c.status === 'reported') : counted.length > 0;
  return {
    key, title: common?.title ?? first.indicator.title, type, unit: common?.unit ?? first.indicator.unit,
    common: first.indicator.commonIndicatorCode !== null && key === first.indicator.commonIndicatorCode,
    projects, indicatorCount: contributions.length, actual, target, numerator, denominator,
    reporting: type === 'qualitative' ? contributions.filter((c) => c.status === 'reported').length : reported.length,
    withTarget: used.length, leftOut, percentOfTarget, notes,
    status: rateStatus(type, hasActual, percentOfTarget, thresholds),
  };
}

/** The period figures of one indicator (via the domain's progress rules). */
export function contributionOfIndicator(projectCode: string, indicator: Indicator, values: IndicatorValue[], period: string, quarters: string[], thresholds = DEFAULT_THRESHOLDS): IndicatorContribution {
  const progress = computeIndicatorProgress(indicator, values, period, quarters.length ? quarters : [period], thresholds);
  const total = periodTotal(indicator, values.filter((v) => v.indicatorCode === indicator.code && v.period === period));
  return {
    projectCode, indicator, status: progress.status, actual: total.value,
    numerator: total.numerator, denominator: total.denominator, target: progress.periodTarget,
  };
}

/** The line an indicator's contribution belongs to: its common indicator's code, or its own "PROJECT/INDICATOR". */
export function lineKeyOf(projectCode: string, indicator: Indicator, library?: CommonIndicatorLibrary): string {
  const code = indicator.commonIndicatorCode;
  if (!code) return `${projectCode}/${indicator.code}`;
  const entry = library?.get(code);
  return entry && entry.type !== indicator.type ? `${projectCode}/${indicator.code}` : code;
}

export function buildMissionRollup(input: {
  projects: RollupProjectInput[];
  frameworkNodes: FrameworkNode[];
  period: string;
  thresholds?: StatusThresholds;
  /** The library of common indicators (db/common-indicators-repository.ts loadCommonIndicatorLibrary). */
  commonIndicators?: CommonIndicatorLibrary;
}): MissionRollup {
  const p = parsePeriod(input.period);
  const nodeByCode = new Map(input.frameworkNodes.map((n) => [n.code, n]));
  const thresholds = input.thresholds ?? DEFAULT_THRESHOLDS;
  const library = input.commonIndicators;
  type Acc = { node: FrameworkNode | null; contributions: Map<string, IndicatorContribution[]>; projects: Set<string>; byStatus: Record<ProgressStatus, number>; count: number };
  const unsdcf = new Map<string, Acc>();
  const pillar = new Map<string, Acc>();
  const add = (groups: Map<string, Acc>, node: FrameworkNode | null, c: IndicatorContribution) => {
    const key = node?.code ?? 'none';
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { node, contributions: new Map(), projects: new Set(), byStatus: emptyStatus(), count: 0 }));
    const lineKey = lineKeyOf(c.projectCode, c.indicator, library);
    const list = g.contributions.get(lineKey) ?? [];
    list.push(c);
    g.contributions.set(lineKey, list);
    g.projects.add(c.projectCode);
    g.byStatus[c.status]++;
    g.count++;
  };

  const projects: ProjectRollupRow[] = [];
  const byStatus = emptyStatus();
  let indicatorCount = 0;
  for (const proj of input.projects) {
    const resultByCode = new Map(proj.results.map((r) => [r.code, r]));
    const quarters = projectQuartersTo(proj.project, p.id);
    const row: ProjectRollupRow = {
      code: proj.project.code, title: proj.project.title, donors: proj.donorNames, programmaticArea: proj.project.programmaticArea,
      illustrative: proj.project.illustrative, indicatorCount: 0, byStatus: emptyStatus(), unsdcfOutputs: [], pillars: [],
    };
    // Values grouped once per indicator: the roll-up over 25 projects stays linear.
    const valuesByIndicator = new Map<string, IndicatorValue[]>();
    for (const v of proj.values) {
      const list = valuesByIndicator.get(v.indicatorCode) ?? [];
      list.push(v);
      valuesByIndicator.set(v.indicatorCode, list);
    }
    for (const indicator of proj.indicators) {
      const result = resultByCode.get(indicator.resultCode);
      if (!result) continue;
      const c = contributionOfIndicator(proj.project.code, indicator, valuesByIndicator.get(indicator.code) ?? [], p.id, quarters, thresholds);
      const u = contributionOf(result, 'unsdcf', resultByCode, nodeByCode);
      const pl = contributionOf(result, 'iom_pillar', resultByCode, nodeByCode);
      add(unsdcf, u, c);
      add(pillar, pl, c);
      row.indicatorCount++;
      row.byStatus[c.status]++;
      byStatus[c.status]++;
      indicatorCount++;
      if (u && !row.unsdcfOutputs.includes(u.code)) row.unsdcfOutputs.push(u.code);
      if (pl && !row.pillars.includes(pl.code)) row.pillars.push(pl.code);
    }
    row.unsdcfOutputs.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
    row.pillars.sort();
    projects.push(row);
  }

  const finish = (groups: Map<string, Acc>, none: string): RollupGroup[] =>
    [...groups.entries()]
      .sort(([a], [b]) => (a === 'none' ? 1 : b === 'none' ? -1 : a.localeCompare(b, 'en', { numeric: true })))
      .map(([key, g]) => ({
        key,
        title: g.node ? frameworkSectionTitle(g.node) : none,
        illustrative: g.node?.illustrative ?? false,
        projects: [...g.projects].sort(),
        indicatorCount: g.count,
        byStatus: g.byStatus,
        lines: [...g.contributions.entries()]
          .map(([lineKey, cs]) => rollupLine(lineKey, cs, thresholds, cs[0]!.indicator.commonIndicatorCode === lineKey ? library?.get(lineKey) : undefined))
          .sort((a, b) => Number(b.common) - Number(a.common) || a.key.localeCompare(b.key, 'en', { numeric: true })),
      }));

  return {
    period: p.id,
    periodLabel: periodLabel(p.id),
    projectCount: projects.length,
    indicatorCount,
    byStatus,
    byUnsdcf: finish(unsdcf, 'Not linked to a UNSDCF output'),
    byPillar: finish(pillar, 'Not linked to an IOM pillar'),
    projects: projects.sort((a, b) => a.code.localeCompare(b.code)),
  };
}

/** A common indicator's mission-wide figure for one period: every linked indicator in one line. */
export interface CommonIndicatorPeriod {
  period: string;
  periodLabel: string;
  line: RollupLine;
}

/**
 * A common indicator across projects, period by period: the project indicators linked to it (of its
 * type; a link of another type is not its line, see lineKeyOf) rolled into one line per period by the
 * rules above, whatever UNSDCF output or pillar each contributes to. `periods`: in the order wanted.
 */
export function rollupCommonIndicator(
  entry: CommonIndicatorRef,
  linked: Array<{ project: Project; indicator: Indicator; values: IndicatorValue[] }>,
  periods: string[],
  thresholds: StatusThresholds = DEFAULT_THRESHOLDS,
): CommonIndicatorPeriod[] {
  const own = linked.filter((l) => l.indicator.commonIndicatorCode === entry.code && l.indicator.type === entry.type);
  if (!own.length) return [];
  return periods.map((period) => {
    const p = parsePeriod(period);
    const contributions = own.map((l) => contributionOfIndicator(l.project.code, l.indicator, l.values, p.id, projectQuartersTo(l.project, p.id), thresholds));
    return { period: p.id, periodLabel: periodLabel(p.id), line: rollupLine(entry.code, contributions, thresholds, entry) };
  });
}

/** What the mission overview renderers receive: plain JSON. */
export interface MissionOverviewModel {
  kind: 'mission';
  meta: {
    title: string;
    templateId: string;
    language: string;
    period: string;
    periodLabel: string;
    status: 'preview' | 'draft' | 'final';
    version: number;
    generatedAt: string;
    dataAsOf: string | null;
  };
  /** The headline a cycle records (same shape as a project report's summary). */
  summary: { indicatorCount: number; byStatus: Record<ProgressStatus, number> };
  rollup: MissionRollup;
  sections: Array<{ kind: 'cover' } | { kind: 'rollup'; by: 'unsdcf' | 'iom_pillar'; title: string; newPage: boolean } | { kind: 'projects'; title: string; newPage: boolean }>;
}
