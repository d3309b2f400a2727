/**
 * What changed in the data between two versions of a report: each cell (indicator, period,
 * disaggregation) added, changed or removed, so that a reviewer sees exactly what was corrected.
 */
import { DISAGGREGATION_DIMENSIONS, type IndicatorValue } from './results-framework.js';

export interface ValueChange {
  indicatorCode: string;
  period: string;
  /** "total", or e.g. "sex: female · location: Tripoli". */
  cell: string;
  before: string | null;
  after: string | null;
  kind: 'added' | 'changed' | 'removed';
}

const cellOf = (v: IndicatorValue) =>
  DISAGGREGATION_DIMENSIONS.filter((d) => v.disaggregation[d]).map((d) => `${d.replace('_', ' ')}: ${v.disaggregation[d]}`).join(' · ') || 'total';

/** The value as a reviewer reads it: the number (with its parts for ratios) or the text. */
function shown(v: IndicatorValue): string {
  if (v.text) return v.text;
  if (v.value === null) return '—';
  return v.numerator != null && v.denominator != null ? `${v.value} (${v.numerator}/${v.denominator})` : String(v.value);
}

export function diffValues(before: IndicatorValue[], after: IndicatorValue[]): ValueChange[] {
  const key = (v: IndicatorValue) => `${v.indicatorCode}\u0000${v.period}\u0000${cellOf(v)}`;
  const old = new Map(before.map((v) => [key(v), v]));
  const changes: ValueChange[] = [];
  for (const v of after) {
    const k = key(v);
    const prev = old.get(k);
    old.delete(k);
    if (!prev) changes.push({ indicatorCode: v.indicatorCode, period: v.period, cell: cellOf(v), before: null, after: shown(v), kind: 'added' });
    else if (shown(prev) !== shown(v)) changes.push({ indicatorCode: v.indicatorCode, period: v.period, cell: cellOf(v), before: shown(prev), after: shown(v), kind: 'changed' });
  }
  for (const v of old.values()) changes.push({ indicatorCode: v.indicatorCode, period: v.period, cell: cellOf(v), before: shown(v), after: null, kind: 'removed' });
  return changes.sort((a, b) => a.indicatorCode.localeCompare(b.indicatorCode, 'en', { numeric: true }) || a.period.localeCompare(b.period) || a.cell.localeCompare(b.cell));
}
