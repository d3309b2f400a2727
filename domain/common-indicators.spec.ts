import { describe, expect, it } from 'vitest';
import { commonLinkProblem, indicatorSchemaFor, libraryFileRow, libraryOf, LIBRARY_COLUMNS, readLibraryRows, type CommonIndicator, type LibraryRow } from './common-indicators.js';
import type { Indicator } from './results-framework.js';

const library = libraryOf([
  { code: 'CI-PROT-01', title: 'Number of migrants provided with protection assistance', type: 'count', unit: 'people', direction: 'increase' },
  { code: 'CI-SAT-01', title: 'Percentage of assisted people satisfied', type: 'percentage', unit: '%', direction: 'increase' },
]);
const indicator: Indicator = {
  code: 'OP1.a', resultCode: 'OP1', title: 'People assisted', type: 'count', unit: 'people', baseline: 0, baselineDate: null, timeAggregation: 'sum',
  reportingFrequency: 'quarter', direction: 'increase', disaggregations: [], disaggregationCheck: 'warning', dataSource: '', meansOfVerification: '',
  commonIndicatorCode: 'CI-PROT-01', targets: {},
};

describe('a link to a common indicator', () => {
  it('is allowed to an entry of the same type, or to none', () => {
    expect(commonLinkProblem(indicator, library)).toBeNull();
    expect(commonLinkProblem({ ...indicator, commonIndicatorCode: null }, library)).toBeNull();
    expect(commonLinkProblem({ type: 'percentage', commonIndicatorCode: 'CI-SAT-01' }, library)).toBeNull();
  });

  it('is refused to a code outside the library, or to an entry of another type, saying why', () => {
    expect(commonLinkProblem({ ...indicator, commonIndicatorCode: 'CI-NONE' }, library)).toBe('"CI-NONE" is not in the common indicator library (see `rbm common-indicators list`)');
    expect(commonLinkProblem({ type: 'yes_no', commonIndicatorCode: 'CI-PROT-01' }, library)).toBe(
      'CI-PROT-01 "Number of migrants provided with protection assistance" is a count indicator: a yes/no indicator cannot link to it (the roll-up adds up only indicators of the same type)',
    );
    expect(commonLinkProblem({ type: 'count', commonIndicatorCode: 'CI-SAT-01' }, library)).toMatch(/^CI-SAT-01 ".*" is a percentage indicator: a count indicator cannot link to it/);
  });

  it('is checked by the indicator schema built for the library, on the commonIndicatorCode field', () => {
    expect(indicatorSchemaFor(library).safeParse(indicator).success).toBe(true);
    const refused = indicatorSchemaFor(library).safeParse({ ...indicator, type: 'ratio' });
    expect(refused.success).toBe(false);
    expect(refused.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['commonIndicatorCode', 'CI-PROT-01 "Number of migrants provided with protection assistance" is a count indicator: a ratio indicator cannot link to it (the roll-up adds up only indicators of the same type)'],
    ]);
  });
});

describe('the library file', () => {
  const nodes = new Set(['UNSDCF-3.1.2', 'GCM-7', 'SDG-10.7']);
  const rows = (...lines: string[][]): LibraryRow[] => lines.map((cells, k) => ({ row: k + 1, cells }));
  const read = (...lines: string[][]) => readLibraryRows('library.csv', rows(...lines), nodes);
  const problems = (...lines: string[][]) => read(...lines).issues.map((i) => `${i.row}|${i.column}|${i.message}`);

  it('reads entries with defaults, columns in any order and named in any case', () => {
    const r = read(
      ['Type', 'Code', 'Title', 'Time aggregation', 'Frameworks', 'Illustrative', 'Sector'],
      ['count', 'CI-PROT-01', 'Number of migrants provided with protection assistance', '', 'UNSDCF-3.1.2; GCM-7', 'yes', 'Protection'],
      ['', '', '', '', '', '', ''],
      ['Percentage', 'CI-SAT-01', 'Percentage of assisted people satisfied', 'average', '', '', ''],
    );
    expect(r.issues).toEqual([]);
    expect(r.entries).toEqual([
      { row: 2, code: 'CI-PROT-01', title: 'Number of migrants provided with protection assistance', type: 'count', unit: '', timeAggregation: 'sum', direction: 'increase', definition: '', sector: 'Protection', frameworkNodes: ['GCM-7', 'UNSDCF-3.1.2'], illustrative: true },
      { row: 4, code: 'CI-SAT-01', title: 'Percentage of assisted people satisfied', type: 'percentage', unit: '', timeAggregation: 'average', direction: 'increase', definition: '', sector: '', frameworkNodes: [], illustrative: false },
    ]);
  });

  it('lists every problem with its row and column: required cells, bad codes and choices, duplicates, formulas, unknown nodes', () => {
    expect(problems(
      ['code', 'title', 'type', 'direction', 'frameworks', 'illustrative', 'definition'],
      ['CI-1', '', 'count', '', '', '', ''],
      ['CI 2', 'Title', 'number', 'up', '', '', ''],
      ['CI-1', 'Again', 'count', '', 'UNSDCF-9.9', 'perhaps', '=HYPERLINK("x")'],
      ['', 'No code', 'count', '', '', '', ''],
    )).toEqual([
      '2|title|title is required',
      '3|code|"CI 2" is not a common indicator code: letters, digits, ".", "_" or "-", at most 50 characters, e.g. CI-PROT-01',
      '3|type|"number" is not one of count, percentage, ratio, yes_no, qualitative',
      '3|direction|"up" is not one of increase, decrease',
      '4|code|CI-1 is already defined on row 2',
      '4|definition|"=HYPERLINK("x")" starts like a spreadsheet formula (= + - @): remove or reword that first character',
      '4|frameworks|unknown framework node "UNSDCF-9.9": give codes of UNSDCF outputs, IOM pillars, SDG targets or GCM objectives (GET /api/v1/frameworks lists them)',
      '4|illustrative|"perhaps" is not yes or no: write yes, no, 1, 0, true or false',
      '5|code|code is required',
    ]);
  });

  it('refuses a file without the header it documents', () => {
    expect(problems(['code', 'name', 'kind'], ['CI-1', 'x', 'count'])).toEqual([
      '1|name|unknown column "name": the columns are code, title, type, unit, time_aggregation, direction, definition, sector, frameworks, illustrative, validation_rule',
      '1|kind|unknown column "kind": the columns are code, title, type, unit, time_aggregation, direction, definition, sector, frameworks, illustrative, validation_rule',
      '1|title|the required column title is missing',
      '1|type|the required column type is missing',
    ]);
    expect(problems(['code;title;type'], ['CI-1;x;count'])).toEqual(['1|null|the header is one cell: separate the columns with commas (save the file as "CSV UTF-8 (comma delimited)")']);
    expect(problems()).toEqual(['null|null|is empty: it needs a header row (code, title, type, ...) and one row per common indicator']);
    expect(problems(['code', 'title', 'type'])).toEqual(['1|null|has a header but no common indicators']);
    expect(problems(['code', 'title', 'type', '', 'code'], ['CI-1', 'x', 'count', 'stray', 'CI-1'])).toEqual([
      '1|column 4|column 4 holds data but has no header',
      '1|code|the column code appears twice (columns 1 and 5)',
    ]);
  });

  it('reports a cell the reader refused (a formula) under its column, and reads back what libraryFileRow writes', () => {
    const r = readLibraryRows('library.xlsx', [{ row: 1, cells: ['code', 'title', 'type'] }, { row: 2, cells: ['CI-1', '', 'count'], issues: [{ column: 1, message: 'holds a formula (=A1): paste the values only' }] }], nodes);
    expect(r.issues).toEqual([{ file: 'library.xlsx', row: 2, column: 'title', message: 'holds a formula (=A1): paste the values only' }]);
    const entry: CommonIndicator = { code: 'CI-X', title: 'A title, with a comma', type: 'ratio', unit: 'ratio', timeAggregation: 'latest', direction: 'decrease', definition: 'd', sector: 's', frameworkNodes: ['GCM-7', 'SDG-10.7'], illustrative: false };
    const row = libraryFileRow(entry);
    const back = readLibraryRows('f', rows([...LIBRARY_COLUMNS], LIBRARY_COLUMNS.map((c) => row[c])), nodes);
    expect(back.issues).toEqual([]);
    expect(back.entries).toEqual([{ ...entry, row: 2 }]);
  });
});
