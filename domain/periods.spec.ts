import { describe, expect, it } from 'vitest';
import { comparePeriods, lastEndedQuarter, parsePeriod, periodLabel, periodWithin, qualityPeriod, quarterOf, quartersBetween, tryParsePeriod } from './periods.js';

describe('periods', () => {
  it('parses the four forms users write', () => {
    expect(parsePeriod('2025-Q3')).toMatchObject({ kind: 'quarter', start: '2025-07-01', end: '2025-09-30' });
    expect(parsePeriod('2025-h1')).toMatchObject({ id: '2025-H1', kind: 'half', start: '2025-01-01', end: '2025-06-30' });
    expect(parsePeriod('2024')).toMatchObject({ kind: 'year', start: '2024-01-01', end: '2024-12-31' });
    expect(parsePeriod('2024-02')).toMatchObject({ kind: 'month', end: '2024-02-29' });
  });
  it('refuses anything else with a message that shows the forms', () => {
    expect(tryParsePeriod('2025-Q5')).toBeUndefined();
    expect(tryParsePeriod('Q3 2025')).toBeUndefined();
    expect(() => parsePeriod('2025-13')).toThrow(/write 2025-Q3, 2025-H1, 2025 or 2025-07/);
  });
  it('lists quarters across years and finds the quarter of a date', () => {
    expect(quartersBetween('2023-Q3', '2024-Q2')).toEqual(['2023-Q3', '2023-Q4', '2024-Q1', '2024-Q2']);
    expect(quarterOf('2022-11-30')).toBe('2022-Q4');
  });
  it('checks a period against project dates and orders periods', () => {
    expect(periodWithin(parsePeriod('2025-Q4'), '2022-01-01', '2025-12-31')).toBe(true);
    expect(periodWithin(parsePeriod('2026-Q1'), '2022-01-01', '2025-12-31')).toBe(false);
    expect(['2025-Q2', '2024', '2025-01'].sort(comparePeriods)).toEqual(['2024', '2025-01', '2025-Q2']);
  });
  it('labels a period for people', () => {
    expect(periodLabel('2025-Q3')).toBe('Q3 2025 (1 Jul – 30 Sep 2025)');
  });
});

describe('the quarter a project is checked for', () => {
  it('is the last ended quarter, or the project’s last quarter once it has ended, or none before it starts', () => {
    expect(lastEndedQuarter('2026-01-15T00:00:00Z')).toBe('2025-Q4');
    expect(lastEndedQuarter('2026-11-23T10:00:00Z')).toBe('2026-Q3');
    expect(qualityPeriod({ startDate: '2024-01-01', endDate: '2027-12-31' }, '2026-11-23T10:00:00Z')).toBe('2026-Q3');
    expect(qualityPeriod({ startDate: '2023-01-01', endDate: '2025-12-31' }, '2026-11-23T10:00:00Z')).toBe('2025-Q4');
    expect(qualityPeriod({ startDate: '2023-01-01', endDate: '2025-12-31' }, '2024-10-15T00:00:00Z')).toBe('2024-Q3');
    expect(qualityPeriod({ startDate: '2026-10-01', endDate: '2027-12-31' }, '2026-11-23T10:00:00Z')).toBeNull();
  });
});
