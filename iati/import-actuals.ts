/**
 * IATI actuals -> our long-format indicator values, for one project: the IATI source of the gathering
 * step uses this, and the export's round trip test reads our own files back with it.
 *
 * The activity is found by identifier (default: ours, XM-DAC-47066-<project code>). An IATI indicator
 * matches one of the project's indicators by, in order: the caller's map (keyed by our code, a
 * reference code or the title), our code (the rbm:code attribute our export writes), a reference code
 * equal to an indicator code, or the same title. A period must be exactly one of ours (a month,
 * quarter, half-year or year); dimensions map to ours by name (synonyms accepted). Whatever cannot be
 * mapped is listed in `skipped` with the reason, never guessed.
 */
import { RbmError } from '../domain/errors.js';
import type { Disaggregation, Indicator, IndicatorValue } from '../domain/results-framework.js';
import { iatiIdentifier } from './codes.js';
import { categoryOf, dimensionOf, dimensionsOf } from './dimensions.js';
import { parseIatiActivities, type IatiActivity, type IatiIndicator, type IatiPeriodValue } from './parse-activities.js';
import { periodIdFromDates } from './period-dates.js';

export interface ImportTarget {
  projectCode: string;
  indicators: Array<Pick<Indicator, 'code' | 'title' | 'type'>>;
}
export interface ImportOptions {
  /** The IATI activity to read; default XM-DAC-47066-<project code>. */
  activityId?: string;
  /** IATI indicator (our code, a reference code or its title) -> our indicator code. */
  indicatorMap?: Record<string, string>;
}
export interface ImportSkip {
  indicator: string; // our code, or the IATI title when nothing matched
  period: string | null; // our period id, or the IATI dates
  reason: string;
}
export interface IatiImport {
  activityId: string;
  values: IndicatorValue[];
  skipped: ImportSkip[];
}

export function importIatiActuals(source: string | IatiActivity[], target: ImportTarget, options: ImportOptions = {}): IatiImport {
  const activities = typeof source === 'string' ? parseIatiActivities(source) : source;
  const activityId = options.activityId ?? iatiIdentifier(target.projectCode);
  const activity = activities.find((a) => a.identifier === activityId);
  if (!activity) {
    const found = activities.map((a) => a.identifier).slice(0, 10).join(', ') || 'none';
    throw new RbmError('not_found', `no IATI activity ${activityId} in the file (activities found: ${found})`);
  }
  const match = indicatorMatcher(target.indicators, options.indicatorMap ?? {});
  const values: IndicatorValue[] = [];
  const skipped: ImportSkip[] = [];
  const seen = new Set<string>();

  for (const iatiIndicator of activity.results.flatMap((r) => r.indicators)) {
    const indicator = match(iatiIndicator);
    if (!indicator) {
      if (iatiIndicator.periods.some((p) => p.actuals.length)) {
        skipped.push({ indicator: iatiIndicator.title, period: null, reason: `no indicator of ${target.projectCode} matches it` });
      }
      continue;
    }
    for (const p of iatiIndicator.periods) {
      const period = periodIdFromDates(p.start, p.end);
      if (!period) {
        for (const _ of p.actuals) skipped.push({ indicator: indicator.code, period: `${p.start}..${p.end}`, reason: 'the period is not a month, quarter, half-year or year' });
        continue;
      }
      for (const actual of p.actuals) {
        const row = toValue(indicator, period, actual);
        if ('reason' in row) {
          skipped.push({ indicator: indicator.code, period, reason: row.reason });
          continue;
        }
        const cell = `${indicator.code}|${period}|${dimensionsOf(row.disaggregation).map((d) => `${d.name}=${d.value}`).join('|')}`;
        if (seen.has(cell)) {
          skipped.push({ indicator: indicator.code, period, reason: 'a second actual for the same disaggregation cell' });
          continue;
        }
        seen.add(cell);
        values.push(row);
      }
    }
  }
  return { activityId, values, skipped };
}

function toValue(indicator: ImportTarget['indicators'][number], period: string, actual: IatiPeriodValue): IndicatorValue | { reason: string } {
  const disaggregation: Disaggregation = {};
  for (const d of actual.dimensions) {
    const dimension = dimensionOf(d.name);
    if (!dimension) return { reason: `unknown dimension "${d.name}"` };
    const category = categoryOf(dimension, d.value);
    if (!category) return { reason: `dimension "${d.name}" has no value` };
    if (disaggregation[dimension] && disaggregation[dimension] !== category) return { reason: `dimension "${d.name}" given twice` };
    disaggregation[dimension] = category;
  }
  const base = { indicatorCode: indicator.code, period, disaggregation };
  if (indicator.type === 'qualitative') {
    return actual.comment ? { ...base, value: null, numerator: null, denominator: null, text: actual.comment } : { reason: 'a qualitative actual without a comment' };
  }
  const value = decimalOf(actual.value);
  if (value === null) return { reason: `no numeric value (${actual.value === null ? 'absent' : `"${actual.value}"`})` };
  return { ...base, value, numerator: actual.ratio?.numerator ?? null, denominator: actual.ratio?.denominator ?? null, text: actual.comment };
}

function indicatorMatcher(indicators: ImportTarget['indicators'], map: Record<string, string>) {
  const byCode = new Map(indicators.map((i) => [i.code, i]));
  const byTitle = new Map(indicators.map((i) => [normalizeTitle(i.title), i]));
  return (iati: IatiIndicator) => {
    const codes = [iati.code, ...iati.references.map((r) => r.code)].filter((k): k is string => Boolean(k));
    for (const key of [...codes, iati.title]) {
      const mapped = map[key];
      if (mapped !== undefined) return byCode.get(mapped);
    }
    const byOwnCode = codes.map((c) => byCode.get(c)).find(Boolean);
    return byOwnCode ?? byTitle.get(normalizeTitle(iati.title));
  };
}

const normalizeTitle = (t: string) => t.trim().replace(/\s+/g, ' ').toLowerCase();

function decimalOf(text: string | null): number | null {
  const t = text?.trim() ?? '';
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : null;
}
