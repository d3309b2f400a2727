import { describe, expect, it } from 'vitest';
import { annualBudgets } from './budgets.js';

describe('annual budgets', () => {
  it('gives one line per calendar year, pro rata to days, adding up to the total in cents', () => {
    const lines = annualBudgets({ budget: 300000, startDate: '2022-01-01', endDate: '2025-12-31' });
    expect(lines.map((l) => `${l.start}..${l.end}`)).toEqual(['2022-01-01..2022-12-31', '2023-01-01..2023-12-31', '2024-01-01..2024-12-31', '2025-01-01..2025-12-31']);
    expect(lines.map((l) => l.value)).toEqual(['74948.66', '74948.66', '75154', '74948.68']);
    expect(lines.reduce((a, l) => a + Math.round(Number(l.value) * 100), 0)).toBe(30_000_000);
  });

  it('keeps a project within one year as one line, and writes nothing without a budget', () => {
    expect(annualBudgets({ budget: 1850000, startDate: '2023-04-01', endDate: '2023-12-31' })).toEqual([{ start: '2023-04-01', end: '2023-12-31', value: '1850000' }]);
    expect(annualBudgets({ budget: null, startDate: '2023-01-01', endDate: '2025-12-31' })).toEqual([]);
    expect(annualBudgets({ budget: 0, startDate: '2023-01-01', endDate: '2025-12-31' })).toEqual([]);
  });
});
