import { describe, expect, it } from 'vitest';
import { cyclesToReopen, dataLocks, lockedMessage, periodsInside, type ApprovedCycle } from './approval-lock.js';

const approved = (period: string, templateId = 'iom-donor-report', projectCode = 'P1'): ApprovedCycle => ({
  cycleId: `report-cycle/${projectCode}/${period}/${templateId}`, projectCode, period, templateId, approvedAt: '2025-10-20T10:00:00Z',
});

describe('approval locks', () => {
  it('covers the approved period and every shorter period inside it', () => {
    expect(periodsInside('2025-Q3')).toEqual(['2025-Q3', '2025-07', '2025-08', '2025-09']);
    expect(periodsInside('2025-H1')).toEqual(['2025-H1', '2025-Q1', '2025-Q2', '2025-01', '2025-02', '2025-03', '2025-04', '2025-05', '2025-06']);
    expect(periodsInside('2025-07')).toEqual(['2025-07']);
  });
  it('locks each project period once, with every cycle that approved it', () => {
    const locks = dataLocks([approved('2025-Q3'), approved('2025-Q3', 'eu-results-report'), approved('2025-Q2', 'iom-donor-report', 'P2')]);
    const q3 = locks.find((l) => l.projectCode === 'P1' && l.period === '2025-Q3')!;
    expect(q3.cycles.map((c) => c.templateId)).toEqual(['iom-donor-report', 'eu-results-report']);
    expect(locks.some((l) => l.projectCode === 'P1' && l.period === '2025-Q2')).toBe(false);
    expect(lockedMessage(q3)).toContain('2025-Q3 of P1 is locked by its approved report (iom-donor-report approved 2025-10-20, eu-results-report approved 2025-10-20)');
  });
  it('a change reopens the cycles of the period that contains it, not the others', () => {
    const all = [approved('2025-Q3'), approved('2025-Q2'), approved('2025-Q3', 'iom-donor-report', 'P2')];
    expect(cyclesToReopen(all, 'P1', '2025-08').map((c) => c.period)).toEqual(['2025-Q3']);
    expect(cyclesToReopen(all, 'P1', '2025-Q4')).toEqual([]);
  });
});
