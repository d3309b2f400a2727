import { describe, expect, it } from 'vitest';
import { sampleReportModel } from '../test/fixtures/sample-report.js';

describe('report model', () => {
  const model = sampleReportModel('draft');
  it('groups indicators by the UNSDCF output their result contributes to', () => {
    expect(model.sections.map((s) => s.key)).toEqual(['UNSDCF-1.2.1', 'UNSDCF-1.2.2']);
    expect(model.sections[1]!.rows.map((r) => r.indicatorCode)).toEqual(['OP1.2.a', 'OP1.2.b', 'OP1.2.c']);
  });
  it('carries hand-checked figures', () => {
    const trained = model.sections[1]!.rows[0]!;
    expect(trained).toMatchObject({ periodActual: 36, periodTarget: 40, cumulativeActual: 84, percentOfPeriodTarget: 90, percentOfLifeTarget: 70, status: 'on_track' });
    // (12 + 24 + 27) / (20 + 30 + 36) = 73.26%: the ratio of sums over the quarters.
    expect(model.sections[1]!.rows[1]!.cumulativeActual).toBeCloseTo(73.26, 2);
    expect(model.meta.periods).toEqual(['2025-Q1', '2025-Q2', '2025-Q3']);
    expect(model.summary.byStatus).toEqual({ on_track: 3, at_risk: 0, off_track: 1, no_target: 0, no_data: 0, reported: 1 });
  });
});
