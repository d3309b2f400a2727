/**
 * Data-quality warnings on what an import stores (domain/data-quality.ts): for every indicator period
 * the batch writes, an outlier flag against the indicator's own history and targets, and the project's
 * validation rules for that period. Warnings, never refusals: the rows are stored all the same, and the
 * warnings are listed with the import's result (and kept with the batch).
 *
 * Only the projects the batch touches are read (their values reduced in the database), and only the
 * indicators it touches, or that a rule names beside one it touches, are computed, each over its own
 * values: a file for one project costs the same whatever the size of the portfolio.
 */
import type { Pool, Queryable } from '../db/pool.js';
import { libraryRulesFor } from '../db/common-indicators-repository.js';
import { stagedIndicatorPeriods } from '../db/imports-repository.js';
import { getProjectBundle, getProjectBundles, type ProjectBundle } from '../db/portfolio-repository.js';
import { databaseNow, readRollupValuesAsOf } from '../db/values-repository.js';
import { checkValidationRules, findOutlier } from '../domain/data-quality.js';
import { periodsOfKindTo } from '../domain/value-history.js';
import { computeIndicatorProgress, type IndicatorProgress, type PeriodFigure } from '../domain/progress.js';
import type { Indicator, IndicatorValue } from '../domain/results-framework.js';
import { groupBy } from '../domain/group-by.js';

export interface QualityWarning {
  /** The first row of the batch that wrote the indicator period. */
  ord: number;
  column: string;
  message: string;
}

/** At most this many warnings per batch: a million-row file with a bad unit would otherwise list them all. */
export const MAX_QUALITY_WARNINGS = 500;

type TouchedCell = Awaited<ReturnType<typeof stagedIndicatorPeriods>>[number];

export async function importQualityWarnings(tx: Queryable): Promise<QualityWarning[]> {
  const touched = await stagedIndicatorPeriods(tx);
  if (!touched.length) return [];
  // The touched projects, in the order of their first row (as the cells come).
  const byProject = groupBy(touched, (t) => t.projectCode);
  const asOf = await databaseNow(tx);
  const warnings: QualityWarning[] = [];
  // Period totals are all the checks need: values reduced in the database, as the mission overview
  // reads them, for a few projects at a time (memory stays flat however many projects a file names),
  // with their bundles (six reads for a chunk rather than six per project). The next chunk is read
  // while this one is checked: the database works while Node computes. One query at a time on the
  // batch's connection all the same (`db`).
  const { db, drained } = oneAtATime(tx);
  const library = readOnce(db);
  const projects = [...byProject.keys()];
  const chunks: string[][] = [];
  for (let k = 0; k < projects.length; k += chunks[chunks.length - 1]!.length) chunks.push(nextChunk(projects, k, byProject));
  const read = (chunk: string[]) => {
    const reading = Promise.all([readRollupValuesAsOf(db, asOf, chunk), getProjectBundles(db, chunk)]);
    reading.catch(() => undefined); // awaited later: a failure is not unhandled meanwhile
    return reading;
  };
  let next: ReturnType<typeof read> | undefined = read(chunks[0]!);
  try {
    for (let c = 0; c < chunks.length && warnings.length < MAX_QUALITY_WARNINGS; c++) {
      const [values, bundles] = await next!;
      next = c + 1 < chunks.length ? read(chunks[c + 1]!) : undefined;
      for (const projectCode of chunks[c]!) {
        const cells = byProject.get(projectCode)!;
        const bundle = bundles.get(projectCode) ?? (await getProjectBundle(db, projectCode));
        const rules = [...bundle.validationRules, ...(await libraryRulesFor(library, bundle.indicators))];
        const progressOf = projectProgress(bundle.indicators, bundle.project.startDate, values.get(projectCode) ?? [], cells);
        for (const cell of cells) {
          const { indicator, byPeriod } = progressOf.series(cell.indicatorCode, cell.period)!;
          const outlier = findOutlier(indicator, byPeriod, cell.period);
          if (outlier) warnings.push({ ord: cell.ord, column: 'value', message: `${projectCode} ${outlier.message}` });
        }
        if (rules.length) {
          // The cells of each period, in row order, and the codes each period touches.
          const byPeriod = new Map<string, { cells: TouchedCell[]; codes: Set<string> }>();
          for (const c of cells) {
            const entry = byPeriod.get(c.period);
            if (entry) {
              entry.cells.push(c);
              entry.codes.add(c.indicatorCode);
            } else byPeriod.set(c.period, { cells: [c], codes: new Set([c.indicatorCode]) });
          }
          for (const [period, inPeriod] of byPeriod) {
            const named = rules.filter((r) => [...r.left, ...r.right].some((code) => inPeriod.codes.has(code)));
            if (!named.length) continue;
            const ruleCodes = new Set(named.flatMap((r) => [...r.left, ...r.right]));
            const actuals = new Map([...ruleCodes].map((code) => [code, progressOf.actual(code, period)]));
            for (const w of checkValidationRules(named, actuals, period)) {
              const ord = inPeriod.cells.find((c) => c.indicatorCode === w.indicatorCode || ruleCodes.has(c.indicatorCode))!.ord;
              warnings.push({ ord, column: 'value', message: `${projectCode} ${period}: ${w.message}` });
            }
          }
        }
        if (warnings.length >= MAX_QUALITY_WARNINGS) break;
      }
    }
  } finally {
    // A read still running (the warnings filled up early, or one failed) ends before the batch goes on.
    await next?.catch(() => undefined);
    await drained();
  }
  return warnings.slice(0, MAX_QUALITY_WARNINGS);
}

/**
 * The batch's connection for the quality reads, as a pool-like queue: every query waits for the one
 * before it (a connection runs one query at a time, and pg deprecates queueing them), so the next
 * chunk's reads can be started while this chunk is checked, and a library or bundle read asked for
 * meanwhile simply comes after them. `drained` resolves once nothing is left to run.
 */
function oneAtATime(q: Queryable): { db: Pool; drained: () => Promise<void> } {
  let last: Promise<unknown> = Promise.resolve();
  const query = (...args: Parameters<Queryable['query']>) => {
    const next = last.then(() => (q.query as (...a: unknown[]) => Promise<unknown>)(...args));
    last = next.catch(() => undefined);
    return next;
  };
  const drained = async () => {
    // Until no query is left: a read may queue more when one of its queries ends.
    for (let seen = last; ; seen = last) {
      await seen;
      if (seen === last) return;
    }
  };
  return { db: { query } as unknown as Pool, drained };
}

/** Reads the same query once (libraryRulesFor reads the whole library for each project). */
function readOnce(q: Queryable): Queryable {
  const seen = new Map<string, Promise<unknown>>();
  const query = (text: string, values?: unknown[]) => {
    const key = JSON.stringify([text, values ?? null]);
    let r = seen.get(key);
    if (!r) seen.set(key, (r = (q.query as (...a: unknown[]) => Promise<unknown>)(text, values)));
    return r;
  };
  return { query } as unknown as Queryable;
}

/** Touched cells read per round trip, about: each has its indicator's periods to date beside it. */
const CELLS_PER_READ = 40_000;

/** The projects from `projects[k]` on whose touched cells make one read (at least that project). */
function nextChunk(projects: string[], k: number, byProject: Map<string, TouchedCell[]>): string[] {
  const chunk = [projects[k]!];
  let cells = byProject.get(projects[k]!)!.length;
  for (let j = k + 1; j < projects.length && cells + byProject.get(projects[j]!)!.length <= CELLS_PER_READ; j++) {
    chunk.push(projects[j]!);
    cells += byProject.get(projects[j]!)!.length;
  }
  return chunk;
}

/**
 * The figures of one project's indicators, each over that indicator's own values only:
 * - `series(code, period)`: the period figures (target, actual) from the project's start to `period`,
 *   what the outlier check compares a period with. Computed once per indicator, to its latest touched
 *   period: the figures of an earlier period are a prefix of that series (each period's figure depends
 *   on that period's rows only).
 * - `actual(code, period)`: the period's actual (null: none, or no such indicator), for the rules.
 */
function projectProgress(indicators: Indicator[], startDate: string, values: IndicatorValue[], cells: TouchedCell[]) {
  const indicatorsByCode = new Map(indicators.map((i) => [i.code, i]));
  const valuesOf = groupBy(values, (v) => v.indicatorCode);
  // The latest touched period of each indicator: its periods are of its own kind, which sort as text
  // (a period that is not in the series is computed on its own below).
  const latest = new Map<string, string>();
  for (const c of cells) {
    const seen = latest.get(c.indicatorCode);
    if (seen === undefined || c.period > seen) latest.set(c.indicatorCode, c.period);
  }
  const progress = (indicator: Indicator, period: string): IndicatorProgress => {
    const periods = periodsOfKindTo(indicator.reportingFrequency, startDate, period);
    return computeIndicatorProgress(indicator, valuesOf.get(indicator.code) ?? [], period, periods.length ? periods : [period]);
  };
  const full = new Map<string, { figures: PeriodFigure[]; index: Map<string, number> }>();
  const single = new Map<string, IndicatorProgress>();
  const one = (indicator: Indicator, period: string): IndicatorProgress => {
    const key = `${indicator.code}\u0000${period}`;
    let p = single.get(key);
    if (!p) single.set(key, (p = progress(indicator, period)));
    return p;
  };
  return {
    series(code: string, period: string): { indicator: Indicator; byPeriod: PeriodFigure[] } | undefined {
      const indicator = indicatorsByCode.get(code);
      if (!indicator) return undefined;
      let s = full.get(code);
      if (!s) {
        const figures = progress(indicator, latest.get(code) ?? period).byPeriod;
        full.set(code, (s = { figures, index: new Map(figures.map((f, i) => [f.period, i])) }));
      }
      const i = s.index.get(period);
      // A period outside the series (before the project's start): computed on its own, as it always was.
      return { indicator, byPeriod: i === undefined ? one(indicator, period).byPeriod : s.figures.slice(0, i + 1) };
    },
    actual(code: string, period: string): number | null {
      const indicator = indicatorsByCode.get(code);
      return indicator ? one(indicator, period).periodActual : null;
    },
  };
}
