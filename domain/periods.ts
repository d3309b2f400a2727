/**
 * Reporting periods as users write them: `2025-Q3`, `2025-H1`, `2025` (year) or `2025-07` (month).
 * Pure and deterministic: safe in workflow code.
 */
import { RbmError } from './errors.js';

export type PeriodKind = 'month' | 'quarter' | 'half' | 'year';
export interface Period {
  readonly id: string; // canonical text, e.g. 2025-Q3
  readonly kind: PeriodKind;
  readonly year: number;
  readonly index: number; // month 1-12, quarter 1-4, half 1-2, year 1
  readonly start: string; // ISO date, first day
  readonly end: string; // ISO date, last day
}

const PATTERNS: Array<[RegExp, PeriodKind]> = [
  [/^(\d{4})-Q([1-4])$/, 'quarter'],
  [/^(\d{4})-H([12])$/, 'half'],
  [/^(\d{4})-(0[1-9]|1[0-2])$/, 'month'],
  [/^(\d{4})$/, 'year'],
];
const MONTHS_PER: Record<PeriodKind, number> = { month: 1, quarter: 3, half: 6, year: 12 };
const pad = (n: number) => String(n).padStart(2, '0');

function lastDayOfMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

export function tryParsePeriod(text: string): Period | undefined {
  const t = text.trim().toUpperCase();
  for (const [re, kind] of PATTERNS) {
    const m = re.exec(t);
    if (!m) continue;
    const year = Number(m[1]);
    const index = kind === 'year' ? 1 : Number(m[2]);
    const months = MONTHS_PER[kind];
    const firstMonth = (index - 1) * months + 1;
    const lastMonth = firstMonth + months - 1;
    const id = kind === 'year' ? `${year}` : kind === 'month' ? `${year}-${pad(index)}` : `${year}-${kind === 'quarter' ? 'Q' : 'H'}${index}`;
    return {
      id,
      kind,
      year,
      index,
      start: `${year}-${pad(firstMonth)}-01`,
      end: `${year}-${pad(lastMonth)}-${pad(lastDayOfMonth(year, lastMonth))}`,
    };
  }
  return undefined;
}

export function parsePeriod(text: string): Period {
  const p = tryParsePeriod(text);
  if (!p) {
    throw new RbmError('invalid_input', `"${text}" is not a period: write 2025-Q3, 2025-H1, 2025 or 2025-07`);
  }
  return p;
}

/** The quarters from `from` to `to` inclusive, e.g. quartersBetween('2023-Q1', '2023-Q4'). */
export function quartersBetween(from: string, to: string): string[] {
  const a = parsePeriod(from);
  const b = parsePeriod(to);
  if (a.kind !== 'quarter' || b.kind !== 'quarter') throw new RbmError('invalid_input', 'quartersBetween takes quarters');
  const out: string[] = [];
  for (let y = a.year, q = a.index; y < b.year || (y === b.year && q <= b.index); q === 4 ? ((q = 1), y++) : q++) {
    out.push(`${y}-Q${q}`);
  }
  return out;
}

/** The quarter that contains an ISO date. */
export function quarterOf(isoDate: string): string {
  const year = Number(isoDate.slice(0, 4));
  const month = Number(isoDate.slice(5, 7));
  return `${year}-Q${Math.floor((month - 1) / 3) + 1}`;
}

/** True when period `p` lies within [start, end] of a project (ISO dates). */
export function periodWithin(p: Period, start: string, end: string): boolean {
  return p.start >= start && p.end <= end;
}

const MONTH_NAMES = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
/** Month names as Temporal's schedule calendars spell them. */
export const MONTH_NAMES_UPPER = ['JANUARY', 'FEBRUARY', 'MARCH', 'APRIL', 'MAY', 'JUNE', 'JULY', 'AUGUST', 'SEPTEMBER', 'OCTOBER', 'NOVEMBER', 'DECEMBER'] as const;

/** "30 Sep 2025" from an ISO date; fixed English names, independent of the machine's ICU data. */
export function formatDay(iso: string, withYear = true): string {
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number);
  return `${d} ${MONTH_NAMES[m! - 1]}${withYear ? ` ${y}` : ''}`;
}

/** Human label: "Q3 2025 (1 Jul – 30 Sep 2025)". */
export function periodLabel(text: string): string {
  const p = parsePeriod(text);
  const name = p.kind === 'quarter' ? `Q${p.index} ${p.year}` : p.kind === 'half' ? `H${p.index} ${p.year}` : p.kind === 'year' ? `Year ${p.year}` : `${MONTH_NAMES[p.index - 1]} ${p.year}`;
  return `${name} (${formatDay(p.start, false)} – ${formatDay(p.end)})`;
}

export const comparePeriods = (a: string, b: string): number => {
  const pa = parsePeriod(a);
  const pb = parsePeriod(b);
  return pa.start === pb.start ? pa.end.localeCompare(pb.end) : pa.start.localeCompare(pb.start);
};

/** The quarter that ended most recently before `nowIso`. */
export function lastEndedQuarter(nowIso: string): string {
  const current = quarterOf(nowIso);
  const [y, q] = [Number(current.slice(0, 4)), Number(current.slice(-1))];
  return q === 1 ? `${y - 1}-Q4` : `${y}-Q${q - 1}`;
}

/** The quarter a project's data is checked for: the last ended one, or the project's last quarter if it ended before. */
export function qualityPeriod(project: { startDate: string; endDate: string }, nowIso: string): string | null {
  const last = lastEndedQuarter(nowIso);
  const end = quarterOf(project.endDate);
  const period = end < last ? end : last;
  return period < quarterOf(project.startDate) ? null : period;
}
