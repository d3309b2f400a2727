/**
 * Donor agreements: a donor receives a project's report in a template, quarterly, semi-annually or
 * annually, due some days after the period ends. Pure calendar rules, used by the schedules and the
 * workflow that starts scheduled cycles.
 */
import { parsePeriod, type PeriodKind } from './periods.js';

export type Frequency = 'quarterly' | 'semiannual' | 'annual';
export interface Agreement {
  id: number;
  donorCode: string;
  projectCode: string;
  templateId: string;
  frequency: Frequency;
  dueDays: number;
  leadDays: number;
  sendExcel: boolean;
}

export const PERIOD_KIND_OF: Record<Frequency, PeriodKind> = { quarterly: 'quarter', semiannual: 'half', annual: 'year' };

/** The period of this frequency that ended most recently before `now` (an ISO timestamp). */
export function lastEndedPeriod(frequency: Frequency, now: string): string {
  const year = Number(now.slice(0, 4));
  const month = Number(now.slice(5, 7)); // 1-12
  if (frequency === 'annual') return `${year - 1}`;
  const size = frequency === 'quarterly' ? 3 : 6;
  const current = Math.floor((month - 1) / size) + 1; // the period `now` is in
  const [y, i] = current === 1 ? [year - 1, 12 / size] : [year, current - 1];
  return frequency === 'quarterly' ? `${y}-Q${i}` : `${y}-H${i}`;
}

export function addDays(isoDate: string, days: number): string {
  const d = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export const dueDateOf = (period: string, dueDays: number): string => addDays(parsePeriod(period).end, dueDays);

/**
 * When the schedule fires: in the month after each period ends, on the day that leaves `leadDays`
 * before the due date (day 1 at the earliest, day 28 at the latest so that every month has it).
 */
export function scheduleCalendar(a: Pick<Agreement, 'frequency' | 'dueDays' | 'leadDays'>): { months: number[]; dayOfMonth: number; hour: number } {
  const months = a.frequency === 'quarterly' ? [1, 4, 7, 10] : a.frequency === 'semiannual' ? [1, 7] : [1];
  const dayOfMonth = Math.min(28, Math.max(1, a.dueDays - a.leadDays));
  return { months, dayOfMonth, hour: 6 };
}

export const agreementScheduleId = (a: Pick<Agreement, 'donorCode' | 'projectCode' | 'templateId'>): string =>
  `agreement/${a.donorCode}/${a.projectCode}/${a.templateId}`;

/** The calendar month that ended most recently before `now`, e.g. "2025-10" on 2025-11-01. */
export function lastEndedMonth(now: string): string {
  const year = Number(now.slice(0, 4));
  const month = Number(now.slice(5, 7));
  return month === 1 ? `${year - 1}-12` : `${year}-${String(month - 1).padStart(2, '0')}`;
}

export const digestScheduleId = (donorCode: string): string => `digest/${donorCode}`;
