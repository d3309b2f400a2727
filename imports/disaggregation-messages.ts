/**
 * What to say, and what to do, when disaggregated values do not add up to the total: per indicator,
 * refuse the rows (disaggregation_check 'error': every row of that indicator and period in the batch is
 * rejected together, so stored data never disagrees with itself) or store them with a warning. Pure.
 */
import type { RowIssue } from './issues.js';

/** A dimension combination whose values do not add up to the total of their indicator and period. */
export interface DisaggregationMismatch {
  indicatorId: number;
  projectCode: string;
  indicatorCode: string;
  type: 'count' | 'percentage' | 'ratio';
  check: 'error' | 'warning';
  period: string;
  signature: string; // e.g. "sex", "sex x location"
  total: number | null;
  sum: number | null;
  totalNumerator: number | null;
  sumNumerator: number | null;
  totalDenominator: number | null;
  sumDenominator: number | null;
  /** ord of the total row when the batch brings it; null when the total is the stored one. */
  totalOrd: number | null;
  /** ord of the first batch row of the combination (null: all stored). */
  firstOrd: number | null;
}

export type OrdLabel = (ord: number) => string; // "row 12" or "quarantine entry #7"

export function mismatchMessage(m: DisaggregationMismatch, label: OrdLabel): string {
  const what = `${m.projectCode} ${m.indicatorCode} ${m.period} by ${m.signature}`;
  const whose = m.totalOrd !== null ? `the total on ${label(m.totalOrd)}` : 'the stored total';
  if (m.type === 'count') {
    const sum = m.sum ?? 0;
    const total = m.total ?? 0;
    return sum > total
      ? `${what}: the values add up to ${fmt(sum)}, more than ${whose} (${fmt(total)})`
      : `${what}: the values add up to ${fmt(sum)}, not to ${whose} (${fmt(total)})`;
  }
  return `${what}: numerators add up to ${fmt(m.sumNumerator)} and denominators to ${fmt(m.sumDenominator)}, ` +
    `not to ${whose} (${fmt(m.totalNumerator)} / ${fmt(m.totalDenominator)})`;
}

/** Groups (indicator, period) whose batch rows are refused, with the reasons each row gets. */
export function groupRejections(mismatches: DisaggregationMismatch[], label: OrdLabel): Array<{ indicatorId: number; period: string; reasons: RowIssue[] }> {
  const groups = new Map<string, { indicatorId: number; period: string; reasons: RowIssue[] }>();
  for (const m of mismatches) {
    if (m.check !== 'error') continue;
    const key = `${m.indicatorId}|${m.period}`;
    const group = groups.get(key) ?? { indicatorId: m.indicatorId, period: m.period, reasons: [] };
    group.reasons.push({ column: 'value', message: `${mismatchMessage(m, label)}; ${m.indicatorCode} requires its disaggregations to add up, so its rows for ${m.period} are refused together` });
    groups.set(key, group);
  }
  return [...groups.values()];
}

/** Warnings for indicators that accept disaggregations that do not add up, on the row that brings the total (or the first one). */
export function mismatchWarnings(mismatches: DisaggregationMismatch[], label: OrdLabel): Array<{ ord: number | null; column: string; message: string }> {
  return mismatches
    .filter((m) => m.check === 'warning')
    .map((m) => ({ ord: m.totalOrd ?? m.firstOrd, column: 'value', message: `${mismatchMessage(m, label)} (stored with a warning)` }));
}

const fmt = (n: number | null) => (n === null ? '?' : String(Math.round(n * 1000) / 1000));
