import { describe, expect, it } from 'vitest';
import { projectQuartersTo } from './report-model.js';
import type { Project } from './results-framework.js';
import {
  cellLabel, changesBetween, formatFigure, formatNumber, groupRevisions, isHttpUrl, periodsOfKindTo, shownValue, type ValueRevision,
} from './value-history.js';

const rev = (over: Partial<ValueRevision>): ValueRevision => ({
  id: 1, period: '2025-Q3', disaggregation: {}, value: 5, numerator: null, denominator: null, text: null, source: 'demo data', comment: '',
  evidenceUrl: '', enteredBy: 'demo-loader', enteredByName: null, enteredAt: '2025-10-01T08:00:00.000001Z', supersededAt: null,
  importBatchId: null, importFileName: null, ...over,
});

describe('formatting values', () => {
  it('groups thousands and keeps at most two decimals, whatever the locale', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(999)).toBe('999');
    expect(formatNumber(1250)).toBe('1,250');
    expect(formatNumber(1234567.891)).toBe('1,234,567.89');
    expect(formatNumber(-12500.5)).toBe('-12,500.5');
  });
  it('shows a figure by the indicator type', () => {
    expect(formatFigure(null, 'count')).toBe('—');
    expect(formatFigure(undefined, 'percentage')).toBe('—');
    expect(formatFigure(45.5, 'percentage')).toBe('45.5%');
    expect(formatFigure(1, 'yes_no')).toBe('yes');
    expect(formatFigure(0, 'yes_no')).toBe('no');
    expect(formatFigure(3000, 'count')).toBe('3,000');
  });
  it('shows a stored value with its parts, or its text', () => {
    expect(shownValue(rev({ value: 45, numerator: 9, denominator: 20 }), 'percentage')).toBe('45% (9 / 20)');
    expect(shownValue(rev({ value: null, text: 'Minutes of the MWG cite the analysis' }), 'qualitative')).toBe('Minutes of the MWG cite the analysis');
    expect(shownValue(rev({ value: null }), 'count')).toBe('—');
    expect(shownValue(rev({ value: 1200 }), 'count')).toBe('1,200');
  });
  it('names a cell by its categories', () => {
    expect(cellLabel({})).toBe('total');
    expect(cellLabel({ location: 'Tripoli', sex: 'female' })).toBe('sex: female · location: Tripoli');
    expect(cellLabel({ age_group: '18-59' })).toBe('age group: 18-59');
  });
  it('links evidence only when it is an http(s) URL', () => {
    expect(isHttpUrl('https://example.org/report.pdf')).toBe(true);
    expect(isHttpUrl('http://example.org')).toBe(true);
    expect(isHttpUrl('javascript:alert(1)')).toBe(false);
    expect(isHttpUrl('ftp://example.org/x')).toBe(false);
    expect(isHttpUrl('see the shared drive')).toBe(false);
    expect(isHttpUrl('')).toBe(false);
    expect(isHttpUrl(null)).toBe(false);
  });
});

describe('what a correction changed', () => {
  it('lists the value, source, comment and evidence link that differ', () => {
    const older = rev({ value: 5, source: 'demo data' });
    const newer = rev({ value: 7, source: 'MWG minutes', comment: 'recounted', evidenceUrl: 'https://example.org/m.pdf' });
    expect(changesBetween(older, newer, 'count')).toEqual([
      { field: 'value', before: '5', after: '7' },
      { field: 'source', before: 'demo data', after: 'MWG minutes' },
      { field: 'comment', before: '', after: 'recounted' },
      { field: 'evidence link', before: '', after: 'https://example.org/m.pdf' },
    ]);
    expect(changesBetween(older, rev({ value: 5, source: 'demo data' }), 'count')).toEqual([]);
    // a percentage whose parts changed but not its rounded value still changed
    expect(changesBetween(rev({ value: 50, numerator: 5, denominator: 10 }), rev({ value: 50, numerator: 10, denominator: 20 }), 'percentage'))
      .toEqual([{ field: 'value', before: '50% (5 / 10)', after: '50% (10 / 20)' }]);
  });
});

describe('groupRevisions', () => {
  const t0 = '2025-10-01T08:00:00.000001Z';
  const t1 = '2025-11-02T09:30:00.123456Z';
  const t2 = '2025-11-02T09:30:00.123457Z'; // a microsecond later
  const rows: ValueRevision[] = [
    // as the repository orders them: period, cell, newest first
    rev({ id: 3, value: 9, enteredAt: t2, enteredBy: 'me.officer', enteredByName: 'Salma Ben Ali', importBatchId: 12, importFileName: 'fix.csv', source: 'MWG minutes' }),
    rev({ id: 2, value: 7, enteredAt: t1, supersededAt: t2, enteredBy: 'admin', enteredByName: 'Omar Admin' }),
    rev({ id: 1, value: 5, enteredAt: t0, supersededAt: t1 }),
    rev({ id: 4, disaggregation: { sex: 'female' }, value: 2, enteredAt: t0 }),
    rev({ id: 5, period: '2025-Q4', value: 1, enteredAt: t0 }),
  ];

  it('gives each cell its current value first and the earlier ones newest first, with who replaced each', () => {
    const cells = groupRevisions(rows, 'count');
    expect(cells.map((c) => [c.period, c.cell])).toEqual([['2025-Q3', 'total'], ['2025-Q3', 'sex: female'], ['2025-Q4', 'total']]);
    const total = cells[0]!;
    expect(total.current).toMatchObject({ id: 3, current: true, shown: '9', by: 'Salma Ben Ali (me.officer)', replacedBy: null, importFileName: 'fix.csv' });
    expect(total.current!.changes).toEqual([{ field: 'value', before: '7', after: '9' }, { field: 'source', before: 'demo data', after: 'MWG minutes' }]);
    expect(total.earlier.map((r) => r.id)).toEqual([2, 1]);
    expect(total.earlier[0]).toMatchObject({ current: false, supersededAt: t2, replacedBy: 'Salma Ben Ali (me.officer)', by: 'Omar Admin (admin)' });
    expect(total.earlier[1]).toMatchObject({ current: false, supersededAt: t1, replacedBy: 'Omar Admin (admin)', by: 'demo-loader', changes: [] });
    expect(cells[1]!.current).toMatchObject({ id: 4, shown: '2' });
    expect(cells[1]!.earlier).toEqual([]);
  });

  it('orders by the microseconds of the timestamps, whatever order the rows come in', () => {
    const cells = groupRevisions([...rows].reverse(), 'count');
    const total = cells.find((c) => c.period === '2025-Q3' && c.cell === 'total')!;
    expect(total.current!.id).toBe(3);
    expect(total.earlier.map((r) => r.id)).toEqual([2, 1]);
  });

  it('has no current value when every revision of a cell is superseded', () => {
    const [cell] = groupRevisions([rev({ id: 1, supersededAt: t1 })], 'count');
    expect(cell!.current).toBeNull();
    expect(cell!.earlier.map((r) => r.id)).toEqual([1]);
  });

  it('marks evidence links that may be links', () => {
    const [cell] = groupRevisions([rev({ evidenceUrl: 'javascript:alert(1)' }), rev({ id: 2, evidenceUrl: 'https://example.org/a', disaggregation: { sex: 'male' } })], 'count');
    expect(cell!.current!.evidenceLink).toBeNull();
    expect(groupRevisions([rev({ evidenceUrl: 'https://example.org/a' })], 'count')[0]!.current!.evidenceLink).toBe('https://example.org/a');
  });
});

describe('periodsOfKindTo', () => {
  it('gives the quarters as projectQuartersTo does', () => {
    const project = { startDate: '2022-02-15' } as Project;
    expect(periodsOfKindTo('quarter', project.startDate, '2022-Q4')).toEqual(['2022-Q1', '2022-Q2', '2022-Q3', '2022-Q4']);
    for (const through of ['2022-Q1', '2023-Q3', '2025-07', '2024-H1', '2025']) {
      expect(periodsOfKindTo('quarter', project.startDate, through), through).toEqual(projectQuartersTo(project, through));
    }
  });
  it('gives months, halves and years from the one containing the start', () => {
    expect(periodsOfKindTo('month', '2024-11-20', '2025-Q1')).toEqual(['2024-11', '2024-12', '2025-01', '2025-02', '2025-03']);
    expect(periodsOfKindTo('half', '2024-03-01', '2025-Q3')).toEqual(['2024-H1', '2024-H2', '2025-H1', '2025-H2']);
    expect(periodsOfKindTo('year', '2022-01-01', '2024-Q2')).toEqual(['2022', '2023', '2024']);
    expect(periodsOfKindTo('quarter', '2025-10-01', '2025-Q3')).toEqual([]);
  });
});
