import { describe, expect, it } from 'vitest';
import type { IndicatorValue } from './results-framework.js';
import { diffValues } from './value-diff.js';

const v = (indicatorCode: string, period: string, value: number | null, extra: Partial<IndicatorValue> = {}): IndicatorValue => ({ indicatorCode, period, disaggregation: {}, value, ...extra });

describe('what changed between two versions', () => {
  it('lists each cell added, changed or removed, in indicator and period order', () => {
    const before = [v('OP1.2', '2025-Q2', 30), v('OP1.2', '2025-Q2', 16, { disaggregation: { sex: 'female' } }), v('OP1.10', '2025-Q2', 4), v('OC1', '2025-Q2', 60, { numerator: 12, denominator: 20 })];
    const after = [v('OP1.2', '2025-Q2', 31), v('OP1.2', '2025-Q2', 16, { disaggregation: { sex: 'female' } }), v('OP1.2', '2025-Q2', 15, { disaggregation: { sex: 'male' } }), v('OC1', '2025-Q2', 65, { numerator: 13, denominator: 20 })];
    expect(diffValues(before, after)).toEqual([
      { indicatorCode: 'OC1', period: '2025-Q2', cell: 'total', before: '60 (12/20)', after: '65 (13/20)', kind: 'changed' },
      { indicatorCode: 'OP1.2', period: '2025-Q2', cell: 'sex: male', before: null, after: '15', kind: 'added' },
      { indicatorCode: 'OP1.2', period: '2025-Q2', cell: 'total', before: '30', after: '31', kind: 'changed' },
      { indicatorCode: 'OP1.10', period: '2025-Q2', cell: 'total', before: '4', after: null, kind: 'removed' },
    ]);
  });
  it('finds nothing when the data is the same, and compares qualitative text', () => {
    expect(diffValues([v('A', '2025', 1)], [v('A', '2025', 1)])).toEqual([]);
    expect(diffValues([v('Q', '2025', null, { text: 'old' })], [v('Q', '2025', null, { text: 'new' })])[0]).toMatchObject({ before: 'old', after: 'new', kind: 'changed' });
  });
});
