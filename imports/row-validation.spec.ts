import { describe, expect, it } from 'vitest';
import { buildCatalogue, type CatalogueIndicator } from './catalogue.js';
import { COL, COLUMNS, type Column } from './format.js';
import { RowValidator } from './row-validation.js';

const indicator = (id: number, code: string, type: CatalogueIndicator['type'], more: Partial<CatalogueIndicator> = {}): CatalogueIndicator => ({
  id, code, projectCode: 'LY10P0542', type, timeAggregation: 'sum', disaggregations: [], disaggregationCheck: 'warning', frequency: 'quarter', ...more,
});
const catalogue = buildCatalogue(
  [{ code: 'LY10P0542', altCode: 'PO.0185', startDate: '2022-01-01', endDate: '2025-12-31' }],
  [
    indicator(1, 'OP1.2.a', 'count', { disaggregations: ['sex', 'location'] }),
    indicator(2, 'OC1.b', 'percentage', { disaggregations: ['sex'] }),
    indicator(3, 'OP1.1.a', 'yes_no'),
    indicator(4, 'OC1.c', 'qualitative'),
    indicator(5, 'AN.1', 'count', { frequency: 'year' }),
    indicator(6, 'R.1', 'ratio'),
  ],
);
const validator = new RowValidator(catalogue);

function row(cells: Partial<Record<Column, string>>): string[] {
  const base: Partial<Record<Column, string>> = { project_code: 'LY10P0542', indicator_code: 'OP1.2.a', period: '2025-Q3', value: '12' };
  const all = { ...base, ...cells };
  return COLUMNS.map((c) => all[c] ?? '');
}
const issues = (cells: Partial<Record<Column, string>>) => {
  const v = validator.validate(row(cells));
  return v.ok ? [] : v.issues;
};

describe('a valid row', () => {
  it('comes out normalised, ready to store', () => {
    const v = validator.validate(row({ sex: 'F', location: ' Misrata ', source: 'attendance sheets', evidence_url: 'https://example.org/a.pdf' }));
    expect(v).toEqual({
      ok: true,
      row: {
        indicatorId: 1, period: '2025-Q3', dims: ['female', '', '', '', 'Misrata'], value: 12, numerator: null, denominator: null, text: null,
        source: 'attendance sheets', comment: '', evidenceUrl: 'https://example.org/a.pdf',
      },
    });
  });
  it('finds the project by its alternative code and codes in another case', () => {
    expect(validator.validate(row({ project_code: 'po.0185', indicator_code: 'op1.2.a' })).ok).toBe(true);
  });
});

describe('codes', () => {
  it('names an unknown project or indicator', () => {
    expect(issues({ project_code: 'LY10P9999' })).toEqual([{ column: 'project_code', message: 'unknown project "LY10P9999" (see `rbm projects list`)' }]);
    expect(issues({ indicator_code: 'OP9.9' })).toEqual([{ column: 'indicator_code', message: 'project LY10P0542 has no indicator "OP9.9" (see `rbm indicators list --project LY10P0542`)' }]);
    expect(issues({ project_code: '', indicator_code: '' })).toEqual([
      { column: 'project_code', message: 'is empty' },
      { column: 'indicator_code', message: 'is empty' },
    ]);
  });
});

describe('periods', () => {
  it('refuses text that is not a period, with a hint for dates', () => {
    expect(issues({ period: '2025-Q5' })[0]).toEqual({ column: 'period', message: '"2025-Q5" is not a period: write 2025-Q3, 2025-H1, 2025 or 2025-07' });
    expect(issues({ period: '2025-07-01' })[0]!.message).toMatch(/it is a date: Excel may have turned a period into a date/);
  });
  it('refuses a period outside the project', () => {
    expect(issues({ period: '2021-Q4' })).toEqual([{ column: 'period', message: 'Q4 2021 (1 Oct – 31 Dec 2021) is outside project LY10P0542 (2022-01-01 to 2025-12-31)' }]);
  });
  it('refuses a period not on the indicator’s frequency', () => {
    expect(issues({ period: '2025-07' })).toEqual([{ column: 'period', message: 'OP1.2.a is reported quarterly: write a quarter such as 2025-Q3, not 2025-07' }]);
    expect(issues({ indicator_code: 'AN.1', period: '2025-Q1' })[0]!.message).toBe('AN.1 is reported yearly: write a year such as 2025, not 2025-Q1');
    expect(issues({ indicator_code: 'AN.1', period: '2025' })).toEqual([]);
  });
});

describe('values by indicator type', () => {
  it('counts: a number, not negative', () => {
    expect(issues({ value: 'twelve' })).toEqual([{ column: 'value', message: '"twelve" is not a number' }]);
    expect(issues({ value: '-3' })).toEqual([{ column: 'value', message: '-3 is negative: a count cannot be below 0' }]);
    expect(issues({ value: '' })).toEqual([{ column: 'value', message: 'is empty' }]);
  });
  it('percentages: 0 to 100, "45%" accepted, numerator and denominator consistent', () => {
    expect(issues({ indicator_code: 'OC1.b', value: '120' })[0]!.message).toMatch(/120 is outside 0-100/);
    expect(validator.validate(row({ indicator_code: 'OC1.b', value: '45%' }))).toMatchObject({ ok: true, row: { value: 45 } });
    expect(validator.validate(row({ indicator_code: 'OC1.b', value: '', numerator: '9', denominator: '12' }))).toMatchObject({ ok: true, row: { value: 75, numerator: 9, denominator: 12 } });
    expect(issues({ indicator_code: 'OC1.b', value: '60', numerator: '9', denominator: '12' })).toEqual([{ column: 'value', message: '60 does not match numerator / denominator = 9 / 12 = 75%' }]);
    expect(issues({ indicator_code: 'OC1.b', value: '', numerator: '13', denominator: '12' })[0]!.message).toMatch(/more than the denominator/);
    expect(issues({ indicator_code: 'OC1.b', value: '50', numerator: '9' })).toEqual([{ column: 'denominator', message: 'is empty: give both the numerator and the denominator, or neither' }]);
    expect(issues({ indicator_code: 'OC1.b', value: '50', numerator: '1', denominator: '0' })[0]).toMatchObject({ column: 'denominator', message: expect.stringMatching(/must be above 0/) });
  });
  it('yes/no: yes, no, 1, 0, true, false', () => {
    expect(validator.validate(row({ indicator_code: 'OP1.1.a', value: 'Yes' }))).toMatchObject({ ok: true, row: { value: 1 } });
    expect(validator.validate(row({ indicator_code: 'OP1.1.a', value: 'false' }))).toMatchObject({ ok: true, row: { value: 0 } });
    expect(issues({ indicator_code: 'OP1.1.a', value: 'done' })).toEqual([{ column: 'value', message: '"done" is not yes or no: write yes, no, 1, 0, true or false' }]);
  });
  it('qualitative: text in the value column, not a formula', () => {
    expect(validator.validate(row({ indicator_code: 'OC1.c', value: 'Ministry used the analysis' }))).toMatchObject({ ok: true, row: { value: null, text: 'Ministry used the analysis' } });
    expect(issues({ indicator_code: 'OC1.c', value: '=HYPERLINK("http://x")' })[0]!.message).toMatch(/spreadsheet formula/);
  });
  it('numerator and denominator only for percentages and ratios', () => {
    expect(issues({ numerator: '1', denominator: '2' })[0]).toMatchObject({ column: 'numerator', message: expect.stringMatching(/only percentage and ratio indicators/) });
    expect(validator.validate(row({ indicator_code: 'R.1', value: '', numerator: '1', denominator: '4' }))).toMatchObject({ ok: true, row: { value: 0.25 } });
  });
});

describe('disaggregation', () => {
  it('refuses a dimension the indicator is not disaggregated by, and unknown categories', () => {
    expect(issues({ age_group: '18-59' })).toEqual([{ column: 'age_group', message: 'OP1.2.a is not disaggregated by age group (it is by sex, location)' }]);
    expect(issues({ indicator_code: 'OP1.1.a', value: '1', sex: 'male' })[0]!.message).toBe('OP1.1.a is not disaggregated by sex (it has totals only)');
    expect(issues({ sex: 'x' })[0]).toMatchObject({ column: 'sex', message: expect.stringMatching(/is not a sex/) });
  });
});

describe('free text', () => {
  it('refuses text that starts like a formula, in any text column', () => {
    expect(issues({ comment: '=1+1' })[0]).toMatchObject({ column: 'comment' });
    expect(issues({ source: '@SUM(A1)' })[0]).toMatchObject({ column: 'source' });
    expect(issues({ location: '+cmd' })[0]).toMatchObject({ column: 'location' });
    expect(issues({ project_code: '=1+1' })[0]!.message).toMatch(/starts like a spreadsheet formula/);
    expect(issues({ evidence_url: 'javascript:alert(1)' })[0]).toMatchObject({ column: 'evidence_url' });
  });
  it('reports every problem of a row', () => {
    expect(issues({ period: 'Q3', value: 'n/a', comment: '- see annex' }).map((i) => i.column)).toEqual(['period', 'value', 'comment']);
  });
  it('keeps a lone dash, which sheets use for "none"', () => {
    expect(validator.validate(row({ comment: '-' }))).toMatchObject({ ok: true, row: { comment: '-' } });
  });
});

it('keeps canonical column positions', () => {
  expect(COL.project_code).toBe(0);
});
