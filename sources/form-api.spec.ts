import { describe, expect, it } from 'vitest';
import { parseSourcesConfig, type FormApiSourceDefinition } from './config.js';
import { fieldOf, nextWatermark, submissionsToRows, unreadSubmissions } from './form-api.js';

function source(mapping: object, extra: object = {}): FormApiSourceDefinition {
  const s = parseSourcesConfig({ sources: [{ id: 'kobo', kind: 'form-api', project: 'LY10P0563', url: 'https://kf.example.org/data/', mapping, ...extra }] }, '/x/s.json').sources[0]!;
  if (s.kind !== 'form-api') throw new Error('not a form source');
  return s;
}

describe('form submissions to long-format rows', () => {
  const mapping = {
    period: { dateField: 'report_month', as: 'quarter' },
    disaggregation: { location: { field: 'clinic/baladiya', map: { sebha: 'Sebha' } } },
    values: [
      { field: 'ref/female', indicator: 'OP1.1.b', disaggregation: { sex: { value: 'female' } } },
      { field: 'ref/male', indicator: 'OP1.1.b', disaggregation: { sex: { value: 'male' } } },
      { field: 'sat/pct', indicator: 'OC1.a', numeratorField: 'sat/yes', denominatorField: 'sat/n' },
    ],
  };

  it('maps fields to indicators and disaggregations, from configuration', () => {
    const rows = submissionsToRows(source(mapping), [
      { _id: 7, report_month: '2023-02-01', 'clinic/baladiya': 'sebha', 'ref/female': 4, 'ref/male': '3', sat: { pct: 75, yes: 30, n: 40 } },
    ]);
    expect(rows).toEqual([
      expect.objectContaining({ project_code: 'LY10P0563', indicator_code: 'OP1.1.b', period: '2023-Q1', value: '4', sex: 'female', location: 'Sebha', source: 'kobo', comment: 'submission 7' }),
      expect.objectContaining({ indicator_code: 'OP1.1.b', value: '3', sex: 'male', location: 'Sebha' }),
      expect.objectContaining({ indicator_code: 'OC1.a', value: '75', numerator: '30', denominator: '40', sex: '' }),
    ]);
  });

  it('leaves out empty questions, passes a bad date on for the import to reject', () => {
    const rows = submissionsToRows(source(mapping), [{ _id: 1, report_month: 'last month', 'ref/female': 2, 'ref/male': null }]);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.period).toBe('last month');
  });

  it('keeps the latest submission of a cell (a correction), by submission time', () => {
    const s = source({ period: { field: 'p' }, values: [{ field: 'n', indicator: 'OP1.1.b' }] }, { since: { field: '_submission_time', param: 'query' } });
    const rows = submissionsToRows(s, [
      { _id: 2, p: '2023-Q1', n: 9, _submission_time: '2023-04-03T10:00:00' },
      { _id: 1, p: '2023-Q1', n: 5, _submission_time: '2023-04-01T10:00:00' },
    ]);
    expect(rows.map((r) => [r.value, r.comment])).toEqual([['9', 'submission 2']]);
  });

  it('reads grouped fields by path', () => {
    expect(fieldOf({ a: { b: 1 } }, 'a/b')).toBe(1);
    expect(fieldOf({ 'a/b': 2 }, 'a/b')).toBe(2);
  });
});

describe('the watermark of incremental pulls', () => {
  const s = source({ period: { field: 'p' }, values: [{ field: 'n', indicator: 'OP1.1.b' }] }, { since: { field: 't', param: 'query' } });
  const subs = [
    { _id: 1, t: '2024-01-01T10:00:00', p: '2023-Q1', n: 1 },
    { _id: 2, t: '2024-01-02T10:00:00', p: '2023-Q2', n: 2 },
    { _id: 3, t: '2024-01-02T10:00:00', p: '2023-Q3', n: 3 },
  ];

  it('is the latest time with the ids at that time', () => {
    expect(nextWatermark(s, subs, null)).toEqual({ at: '2024-01-02T10:00:00', ids: ['2', '3'] });
    expect(nextWatermark(s, [], { at: '2024-01-02T10:00:00', ids: ['2'] })).toEqual({ at: '2024-01-02T10:00:00', ids: ['2'] });
    expect(nextWatermark(s, [{ _id: 4, t: '2024-01-02T10:00:00' }], { at: '2024-01-02T10:00:00', ids: ['2'] })).toEqual({ at: '2024-01-02T10:00:00', ids: ['2', '4'] });
  });

  it('leaves out what was read at the watermark, and only that', () => {
    const again = unreadSubmissions(s, subs.slice(1), { at: '2024-01-02T10:00:00', ids: ['2'] });
    expect(again.map((x) => x._id)).toEqual([3]);
    expect(unreadSubmissions(s, subs, null)).toHaveLength(3);
  });
});
