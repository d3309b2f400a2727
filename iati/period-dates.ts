/**
 * IATI periods are a start and an end date; ours are ids (2025-Q3, 2025-H1, 2025, 2025-07). Writing
 * takes a period's dates; reading recognises dates that are exactly one of our periods.
 */
import { tryParsePeriod } from '../domain/periods.js';

/** The period id whose first and last days are `start` and `end`, or undefined (e.g. 2019-02-05..2019-11-03). */
export function periodIdFromDates(start: string, end: string): string | undefined {
  const s = start.trim().slice(0, 10);
  const e = end.trim().slice(0, 10);
  const year = s.slice(0, 4);
  const month = Number(s.slice(5, 7));
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s) || !/^\d{4}-\d{2}-\d{2}$/.test(e) || !(month >= 1 && month <= 12)) return undefined;
  const candidates = [`${year}-${s.slice(5, 7)}`, `${year}-Q${Math.floor((month - 1) / 3) + 1}`, `${year}-H${month <= 6 ? 1 : 2}`, year];
  return candidates.map((c) => tryParsePeriod(c)).find((p) => p && p.start === s && p.end === e)?.id;
}
