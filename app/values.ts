/**
 * What a project's indicator data looks like to a reader: a project's indicators with their progress
 * for the last ended quarter (the project page), and one indicator's progress per period with the
 * full history of its values (every revision of every cell, current first, who entered each, when,
 * from which source or file, and what each correction changed). Read-only; the callers authorize.
 */
import { getProjectBundle, type ProjectBundle } from '../db/portfolio-repository.js';
import { databaseNow, readValueRevisions, readValuesAsOf } from '../db/values-repository.js';
import { RbmError } from '../domain/errors.js';
import { parsePeriod } from '../domain/periods.js';
import { computeIndicatorProgress, type IndicatorProgress } from '../domain/progress.js';
import type { Indicator, IndicatorValue, Project, Result } from '../domain/results-framework.js';
import { groupRevisions, periodsOfKindTo, type CellHistory } from '../domain/value-history.js';
import { qualityPeriod } from '../domain/periods.js';
import type { AppContext } from './context.js';

type DbContext = Pick<AppContext, 'pool'>;

export interface IndicatorValuesQuery {
  projectCode: string;
  indicatorCode: string;
  /** Only this period's history (and progress computed for it); default: every period, progress for the last ended one. */
  period?: string;
}

export interface IndicatorValuesView {
  project: Pick<Project, 'code' | 'altCode' | 'title' | 'startDate' | 'endDate'>;
  indicator: Indicator;
  result: Pick<Result, 'code' | 'level' | 'statement'> | null;
  /** The database time the figures were read at (ISO, microseconds). */
  asOf: string;
  /** The period asked for (canonical), or null for all. */
  period: string | null;
  /** The period progress is computed for (null: the project has not started). */
  progressPeriod: string | null;
  /** Progress for progressPeriod, with byPeriod from the project's start (periods of the indicator's frequency). */
  progress: IndicatorProgress | null;
  /** Each period of the indicator's frequency from the project's start to progressPeriod: its own figures and status. */
  periods: PeriodProgress[];
  /** The history, per cell (period and disaggregation): current value first, then the earlier revisions. */
  cells: CellHistory[];
  /** How many revisions in all, and how many of them superseded. */
  revisions: number;
  superseded: number;
}

export interface PeriodProgress {
  period: string;
  target: number | null;
  actual: number | null;
  percentOfTarget: number | null;
  /** Cumulative actual to the end of the period, by the indicator's aggregation over time. */
  cumulative: number | null;
  status: IndicatorProgress['status'];
  /** Qualitative indicators: the text reported. */
  narrative: string | null;
}

export interface IndicatorLine {
  indicator: Indicator;
  /** The period its figures are for (the last ended one of its frequency); null before the project starts. */
  period: string | null;
  progress: IndicatorProgress | null;
}
export interface ResultGroup extends Pick<Result, 'code' | 'level' | 'statement'> {
  indicators: IndicatorLine[];
}
export interface ProjectOverview {
  project: Project;
  donorNames: string[];
  asOf: string;
  /** The quarter checked: the last ended one, or the project's last quarter if it ended before (null: not started). */
  quarter: string | null;
  results: ResultGroup[];
}

/**
 * The periods of the indicator's frequency from the project's start through `through` and the one
 * progress is computed for: `through` itself when given, else the last of them that has ended by the
 * end of the quarter checked.
 */
function progressFor(project: Project, indicator: Indicator, values: IndicatorValue[], through: string | null, asked: string | null): { period: string | null; progress: IndicatorProgress | null } {
  const last = asked ?? through;
  if (!last) return { period: null, progress: null };
  const periods = periodsOfKindTo(indicator.reportingFrequency, project.startDate, last);
  const end = parsePeriod(last).end;
  const period = asked ?? [...periods].reverse().find((p) => parsePeriod(p).end <= end) ?? null;
  if (!period) return { period: null, progress: null };
  return { period, progress: computeIndicatorProgress(indicator, values, period, periods.length ? periods : [period]) };
}

function findIndicator(bundle: ProjectBundle, indicatorCode: string): Indicator {
  const indicator = bundle.indicators.find((i) => i.code === indicatorCode);
  if (!indicator) {
    throw new RbmError('not_found', `project ${bundle.project.code} has no indicator ${indicatorCode} (see \`rbm indicators list --project ${bundle.project.code}\`)`);
  }
  return indicator;
}

/** One indicator's definition, its progress per period and the history of its values. */
export async function indicatorValues(ctx: DbContext, query: IndicatorValuesQuery): Promise<IndicatorValuesView> {
  const period = query.period === undefined ? null : parsePeriod(query.period).id; // invalid_input for a bad period
  const bundle = await getProjectBundle(ctx.pool, query.projectCode); // not_found for an unknown project
  const indicator = findIndicator(bundle, query.indicatorCode);
  const asOf = await databaseNow(ctx.pool);
  const [values, rows] = await Promise.all([
    readValuesAsOf(ctx.pool, bundle.project.code, asOf),
    readValueRevisions(ctx.pool, bundle.project.code, indicator.code, period ?? undefined),
  ]);
  const { period: progressPeriod, progress } = progressFor(bundle.project, indicator, values, qualityPeriod(bundle.project, asOf), period);
  const result = bundle.results.find((r) => r.code === indicator.resultCode);
  const { code, altCode, title, startDate, endDate } = bundle.project;
  return {
    project: { code, altCode, title, startDate, endDate },
    indicator,
    result: result ? { code: result.code, level: result.level, statement: result.statement } : null,
    asOf,
    period,
    progressPeriod,
    progress,
    periods: progress ? progress.byPeriod.map((f, n, all) => {
      const upTo = computeIndicatorProgress(indicator, values, f.period, all.slice(0, n + 1).map((x) => x.period));
      return {
        period: f.period, target: upTo.periodTarget, actual: upTo.periodActual, percentOfTarget: upTo.percentOfPeriodTarget,
        cumulative: upTo.cumulativeActual, status: upTo.status, narrative: upTo.narrative,
      };
    }) : [],
    cells: groupRevisions(rows, indicator.type),
    revisions: rows.length,
    superseded: rows.filter((r) => r.supersededAt !== null).length,
  };
}

/** A project with its indicators grouped by result, each with its figures for the last ended quarter. */
export async function projectOverview(ctx: DbContext, projectCode: string): Promise<ProjectOverview> {
  const bundle = await getProjectBundle(ctx.pool, projectCode);
  const asOf = await databaseNow(ctx.pool);
  const values = await readValuesAsOf(ctx.pool, bundle.project.code, asOf);
  const quarter = qualityPeriod(bundle.project, asOf);
  const groups = new Map<string, ResultGroup>();
  for (const r of bundle.results) groups.set(r.code, { code: r.code, level: r.level, statement: r.statement, indicators: [] });
  for (const indicator of bundle.indicators) {
    let group = groups.get(indicator.resultCode);
    if (!group) {
      group = { code: indicator.resultCode, level: 'output', statement: '(a result not in the results matrix)', indicators: [] };
      groups.set(indicator.resultCode, group);
    }
    group.indicators.push({ indicator, ...progressFor(bundle.project, indicator, values, quarter, null) });
  }
  return {
    project: bundle.project,
    donorNames: bundle.donorNames,
    asOf,
    quarter,
    results: [...groups.values()].filter((g) => g.indicators.length),
  };
}
