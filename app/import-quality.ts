/**
 * Data-quality warnings on what an import stores (domain/data-quality.ts): for every indicator period
 * the batch writes, an outlier flag against the indicator's own history and targets, and the project's
 * validation rules for that period. Warnings, never refusals: the rows are stored all the same, and the
 * warnings are listed with the import's result (and kept with the batch).
 */
import type { Queryable } from '../db/pool.js';
import { libraryRulesFor } from '../db/common-indicators-repository.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import { stagedIndicatorPeriods } from '../db/quality-repository.js';
import { databaseNow, readRollupValuesAsOf } from '../db/values-repository.js';
import { checkValidationRules, findOutlier } from '../domain/data-quality.js';
import { periodsOfKindTo } from '../domain/value-history.js';
import { computeIndicatorProgress } from '../domain/progress.js';

export interface QualityWarning {
  /** The first row of the batch that wrote the indicator period. */
  ord: number;
  column: string;
  message: string;
}

/** At most this many warnings per batch: a million-row file with a bad unit would otherwise list them all. */
export const MAX_QUALITY_WARNINGS = 500;

export async function importQualityWarnings(tx: Queryable): Promise<QualityWarning[]> {
  const touched = await stagedIndicatorPeriods(tx);
  if (!touched.length) return [];
  // Period totals are all the checks need: values reduced in the database, as the mission overview reads them.
  const values = await readRollupValuesAsOf(tx, await databaseNow(tx));
  const warnings: QualityWarning[] = [];
  const byProject = new Map<string, typeof touched>();
  for (const t of touched) byProject.set(t.projectCode, [...(byProject.get(t.projectCode) ?? []), t]);
  for (const [projectCode, cells] of byProject) {
    const bundle = await getProjectBundle(tx, projectCode);
    const rules = [...bundle.validationRules, ...(await libraryRulesFor(tx, bundle.indicators))];
    const projectValues = values.get(projectCode) ?? [];
    const progress = (code: string, period: string) => {
      const indicator = bundle.indicators.find((i) => i.code === code)!;
      const periods = periodsOfKindTo(indicator.reportingFrequency, bundle.project.startDate, period);
      return { indicator, p: computeIndicatorProgress(indicator, projectValues, period, periods.length ? periods : [period]) };
    };
    for (const cell of cells) {
      const { indicator, p } = progress(cell.indicatorCode, cell.period);
      const outlier = findOutlier(indicator, p.byPeriod, cell.period);
      if (outlier) warnings.push({ ord: cell.ord, column: 'value', message: `${projectCode} ${outlier.message}` });
    }
    for (const period of new Set(cells.map((c) => c.period))) {
      const named = rules.filter((r) => [...r.left, ...r.right].some((code) => cells.some((c) => c.indicatorCode === code && c.period === period)));
      if (!named.length) continue;
      const codes = new Set(named.flatMap((r) => [...r.left, ...r.right]));
      const actuals = new Map([...codes].map((code) => [code, bundle.indicators.some((i) => i.code === code) ? progress(code, period).p.periodActual : null]));
      for (const w of checkValidationRules(named, actuals, period)) {
        const ord = cells.find((c) => c.period === period && (c.indicatorCode === w.indicatorCode || codes.has(c.indicatorCode)))!.ord;
        warnings.push({ ord, column: 'value', message: `${projectCode} ${period}: ${w.message}` });
      }
    }
    if (warnings.length >= MAX_QUALITY_WARNINGS) break;
  }
  return warnings.slice(0, MAX_QUALITY_WARNINGS);
}
