import { describe, expect, it } from 'vitest';
import { periodIdFromDates } from './period-dates.js';

describe('period ids from IATI period dates', () => {
  it('recognises our months, quarters, half-years and years', () => {
    expect(periodIdFromDates('2025-07-01', '2025-09-30')).toBe('2025-Q3');
    expect(periodIdFromDates('2025-01-01', '2025-06-30')).toBe('2025-H1');
    expect(periodIdFromDates('2016-01-01', '2016-12-31')).toBe('2016');
    expect(periodIdFromDates('2024-02-01', '2024-02-29')).toBe('2024-02');
    expect(periodIdFromDates('2025-07-01T00:00:00', '2025-09-30')).toBe('2025-Q3');
  });

  it('gives nothing for other spans and for what is not a date', () => {
    expect(periodIdFromDates('2019-02-05', '2019-11-03')).toBeUndefined();
    expect(periodIdFromDates('2025-07-01', '2025-12-30')).toBeUndefined();
    expect(periodIdFromDates('', '')).toBeUndefined();
    expect(periodIdFromDates('2025-13-01', '2025-13-31')).toBeUndefined();
  });
});
