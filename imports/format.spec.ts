import { describe, expect, it } from 'vitest';
import { COL, COLUMNS, mapRow, resolveHeader } from './format.js';
import { FileRefused } from './issues.js';

function refusal(names: string[]): FileRefused {
  try {
    resolveHeader('data.csv', names);
  } catch (e) {
    if (e instanceof FileRefused) return e;
    throw e;
  }
  throw new Error('expected the header to be refused');
}

describe('resolveHeader', () => {
  it('maps columns in any order, without regard to case, spaces or hyphens', () => {
    const h = resolveHeader('data.csv', ['Value', ' Period ', 'indicator-code', 'Project Code', 'sex']);
    expect(h.positions[COL.value]).toBe(0);
    expect(h.positions[COL.period]).toBe(1);
    expect(h.positions[COL.indicator_code]).toBe(2);
    expect(h.positions[COL.project_code]).toBe(3);
    expect(h.positions[COL.sex]).toBe(4);
    expect(h.positions[COL.location]).toBe(-1);
  });
  it('refuses a header without the required columns, naming them, on row 1', () => {
    const e = refusal(['project_code', 'period']);
    expect(e.issues).toEqual([{ file: 'data.csv', row: 1, column: 'indicator_code, value', message: expect.stringMatching(/^required columns missing/) }]);
  });
  it('refuses an unknown column, with the closest name', () => {
    const e = refusal(['project_code', 'indicator_code', 'period', 'value', 'sexe']);
    expect(e.issues[0]).toMatchObject({ column: 'sexe', message: expect.stringMatching(/is not a column of the format \(did you mean sex\?\)/) });
    expect(refusal([...COLUMNS, 'uuid']).issues[0]!.message).not.toMatch(/did you mean/);
  });
  it('refuses a column given twice and an unnamed column in the middle', () => {
    expect(refusal(['project_code', 'indicator_code', 'period', 'value', 'value']).issues[0]).toMatchObject({ column: 'value', message: 'appears twice in the header' });
    expect(refusal(['project_code', '', 'indicator_code', 'period', 'value']).issues[0]).toMatchObject({ column: 'column 2', message: 'has no name in the header' });
  });
  it('ignores trailing unnamed columns (spreadsheet exports)', () => {
    expect(() => resolveHeader('data.csv', ['project_code', 'indicator_code', 'period', 'value', '', ''])).not.toThrow();
  });
});

describe('mapRow', () => {
  const header = resolveHeader('data.csv', ['period', 'value', 'project_code', 'indicator_code', '']);
  it('puts cells in canonical order, empty for absent columns', () => {
    const { cells, issues } = mapRow(header, ['2025-Q3', '12', 'LY10P0542', 'OC1.a', '']);
    expect(cells.slice(0, 4)).toEqual(['LY10P0542', 'OC1.a', '2025-Q3', '12']);
    expect(cells[COL.sex]).toBe('');
    expect(issues).toEqual([]);
  });
  it('flags a value in a column without a name', () => {
    expect(mapRow(header, ['2025-Q3', '12', 'LY10P0542', 'OC1.a', 'stray', 'more']).issues).toEqual([
      { column: 'column 5', message: 'has a value ("stray") but no column name in the header' },
      { column: 'column 6', message: 'has a value ("more") but no column name in the header' },
    ]);
  });
});
