/** The Temporal ScheduleSpec of a source's `schedule` (pure). */
import type { SourceSchedule } from './config.js';

export const SOURCE_SCHEDULE_PREFIX = 'source/';
export const sourceScheduleId = (sourceId: string) => `${SOURCE_SCHEDULE_PREFIX}${sourceId}`;
/** Scheduled runs get Temporal's timestamp after it; `rbm sources run` uses it as is. */
export const gatherWorkflowId = (sourceId: string) => `gather/${sourceId}`;

type Weekday = 'MONDAY' | 'TUESDAY' | 'WEDNESDAY' | 'THURSDAY' | 'FRIDAY' | 'SATURDAY' | 'SUNDAY';

export interface SourceScheduleSpec {
  intervals?: Array<{ every: string; offset?: string }>;
  calendars?: Array<{ hour: number; minute: number; dayOfWeek?: Weekday[]; dayOfMonth?: number[] }>;
}

export function scheduleSpec(s: SourceSchedule): SourceScheduleSpec {
  if ('every' in s) return { intervals: [{ every: s.every, ...(s.offset ? { offset: s.offset } : {}) }] };
  const c = s.calendar;
  return { calendars: [{ hour: c.hour, minute: c.minute, ...(c.dayOfWeek ? { dayOfWeek: c.dayOfWeek } : {}), ...(c.dayOfMonth ? { dayOfMonth: c.dayOfMonth } : {}) }] };
}

export function describeSchedule(s: SourceSchedule | undefined): string {
  if (!s) return 'manual';
  if ('every' in s) return `every ${s.every}${s.offset ? ` (+${s.offset})` : ''}`;
  const c = s.calendar;
  const at = `${String(c.hour).padStart(2, '0')}:${String(c.minute).padStart(2, '0')} UTC`;
  if (c.dayOfWeek) return `${c.dayOfWeek.map((d) => d.slice(0, 3).toLowerCase()).join(',')} ${at}`;
  if (c.dayOfMonth) return `day ${c.dayOfMonth.join(',')} ${at}`;
  return `daily ${at}`;
}
