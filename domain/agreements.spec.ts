import { describe, expect, it } from 'vitest';
import { agreementScheduleId, dueDateOf, lastEndedMonth, lastEndedPeriod, scheduleCalendar } from './agreements.js';

describe('donor agreements', () => {
  it('finds the period that just ended', () => {
    expect(lastEndedPeriod('quarterly', '2025-10-16T06:00:00Z')).toBe('2025-Q3');
    expect(lastEndedPeriod('quarterly', '2026-01-02T06:00:00Z')).toBe('2025-Q4');
    expect(lastEndedPeriod('semiannual', '2025-07-16T06:00:00Z')).toBe('2025-H1');
    expect(lastEndedPeriod('semiannual', '2026-01-16T06:00:00Z')).toBe('2025-H2');
    expect(lastEndedPeriod('annual', '2026-01-16T06:00:00Z')).toBe('2025');
  });
  it('finds the month a digest covers', () => {
    expect(lastEndedMonth('2025-11-01T07:00:00Z')).toBe('2025-10');
    expect(lastEndedMonth('2026-01-01T07:00:00Z')).toBe('2025-12');
  });
  it('dates the report due after the period ends', () => {
    expect(dueDateOf('2025-Q3', 30)).toBe('2025-10-30');
    expect(dueDateOf('2025-H2', 45)).toBe('2026-02-14');
  });
  it('fires ahead of the due date, in the month after each period', () => {
    expect(scheduleCalendar({ frequency: 'quarterly', dueDays: 30, leadDays: 15 })).toEqual({ months: [1, 4, 7, 10], dayOfMonth: 15, hour: 6 });
    expect(scheduleCalendar({ frequency: 'semiannual', dueDays: 10, leadDays: 20 })).toEqual({ months: [1, 7], dayOfMonth: 1, hour: 6 });
    expect(scheduleCalendar({ frequency: 'annual', dueDays: 90, leadDays: 30 }).dayOfMonth).toBe(28);
    expect(agreementScheduleId({ donorCode: 'EU', projectCode: 'LY10P0551', templateId: 'iom-donor-report' })).toBe('agreement/EU/LY10P0551/iom-donor-report');
  });
});
