import { describe, expect, it } from 'vitest';
import { groupRejections, mismatchMessage, mismatchWarnings, type DisaggregationMismatch } from './disaggregation-messages.js';

const base: DisaggregationMismatch = {
  indicatorId: 7, projectCode: 'LY10P0542', indicatorCode: 'OP1.2.a', type: 'count', check: 'error', period: '2025-Q3', signature: 'sex',
  total: 120, sum: 130, totalNumerator: null, sumNumerator: null, totalDenominator: null, sumDenominator: null, totalOrd: 2, firstOrd: 3,
};
const row = (ord: number) => `row ${ord}`;

describe('disaggregation mismatches', () => {
  it('say whether the values exceed the total or fall short of it, and where the total is', () => {
    expect(mismatchMessage(base, row)).toBe('LY10P0542 OP1.2.a 2025-Q3 by sex: the values add up to 130, more than the total on row 2 (120)');
    expect(mismatchMessage({ ...base, sum: 100, totalOrd: null }, row)).toBe('LY10P0542 OP1.2.a 2025-Q3 by sex: the values add up to 100, not to the stored total (120)');
    expect(mismatchMessage({ ...base, type: 'percentage', sumNumerator: 10, sumDenominator: 20, totalNumerator: 9, totalDenominator: 20 }, row)).toBe(
      'LY10P0542 OP1.2.a 2025-Q3 by sex: numerators add up to 10 and denominators to 20, not to the total on row 2 (9 / 20)',
    );
  });
  it('refuse every row of the indicator and period when the indicator says error', () => {
    const groups = groupRejections([base, { ...base, signature: 'location', sum: 110 }, { ...base, indicatorId: 8, check: 'warning' }], row);
    expect(groups).toHaveLength(1);
    expect(groups[0]!).toMatchObject({ indicatorId: 7, period: '2025-Q3' });
    expect(groups[0]!.reasons.map((r) => r.message)).toEqual([
      expect.stringMatching(/by sex: .* so its rows for 2025-Q3 are refused together$/),
      expect.stringMatching(/by location: the values add up to 110, not to the total/),
    ]);
  });
  it('warn on the total’s row when the indicator says warning', () => {
    expect(mismatchWarnings([{ ...base, check: 'warning' }, { ...base, check: 'warning', totalOrd: null }], row)).toEqual([
      { ord: 2, column: 'value', message: expect.stringMatching(/\(stored with a warning\)$/) },
      { ord: 3, column: 'value', message: expect.stringMatching(/stored total/) },
    ]);
  });
});
