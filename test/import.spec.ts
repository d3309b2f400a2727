/**
 * Imports of indicator data against the real PostgreSQL of the global setup, in a database of their
 * own on that server (so that the rows, revisions and quarantine entries they leave do not change
 * what the other specs read from the demo portfolio). Fixture files: test/fixtures/imports; workbooks,
 * a zip bomb and a large CSV are made here. Ends with `rbm import` as a real process (exit codes and
 * the --json contract).
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { discardQuarantinedRows, importFile, quarantineList, resubmitQuarantined, type ImportReport } from '../app/imports.js';
import { PROJECT_ROOT } from '../config/config.js';
import type { Pool } from '../db/pool.js';
import { zipBomb } from '../imports/zip-fixtures.js';

import { ownDatabase } from './support/own-database.js';

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'imports');
const fixture = (name: string) => path.join(FIXTURES, name);
const DATABASE = 'rbm_import_spec';

let pool: Pool;
let databaseUrl: string;
let scratch: string;

beforeAll(async () => {
  ({ pool, databaseUrl } = await ownDatabase(DATABASE));
  scratch = fs.mkdtempSync(path.join(inject('scratchDir'), 'imports-'));
});
afterAll(async () => {
  await pool?.end();
});

const run = (file: string, more: { encoding?: 'windows-1252'; delimiter?: string } = {}) => importFile({ pool }, { path: file, importedBy: 'me.officer', ...more });
const messages = (r: ImportReport) => r.errors.map((e) => `${e.row}|${e.column}|${e.message}`);
const count = async (sql: string, params: unknown[] = []) => Number((await pool.query(sql, params)).rows[0].n);
const currentValue = async (project: string, indicator: string, period: string, dims: Record<string, string> = {}) => {
  const { rows } = await pool.query(
    `SELECT v.value, v.numerator, v.denominator, v.text_value, v.entered_by FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id
       JOIN projects p ON p.id = i.project_id
      WHERE p.code = $1 AND i.code = $2 AND v.period = $3 AND v.superseded_at IS NULL
        AND v.sex = $4 AND v.age_group = '' AND v.population_type = '' AND v.nationality = '' AND v.location = $5`,
    [project, indicator, period, dims.sex ?? '', dims.location ?? ''],
  );
  return rows[0];
};

describe('a valid CSV', () => {
  it('is stored whole, as revisions of the values it changes', async () => {
    const before = await currentValue('LY10P0542', 'OC1.a', '2025-Q4');
    const r = await run(fixture('valid.csv'));
    expect(r).toMatchObject({ refused: false, accepted: 10, rejected: 0, unchanged: 0, errors: [], warnings: [] });
    expect(await currentValue('LY10P0542', 'OC1.a', '2025-Q4')).toMatchObject({ value: 3, entered_by: 'me.officer' });
    expect(before.value).not.toBe(3);
    // The old value is kept as a superseded revision.
    expect(await count(`SELECT count(*) AS n FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
                         WHERE p.code = 'LY10P0542' AND i.code = 'OC1.a' AND v.period = '2025-Q4' AND v.sex = '' AND v.location = ''`)).toBe(2);
    expect(await currentValue('LY10P0542', 'OP1.1.a', '2025-Q4')).toMatchObject({ value: 1 }); // "yes", project by its alternative code
    expect(await currentValue('LY10P0542', 'OC1.b', '2025-Q4')).toMatchObject({ value: 64.29, numerator: 9, denominator: 14 });
    expect(await currentValue('LY10P0542', 'OC1.c', '2025-Q4')).toMatchObject({ value: null, text_value: 'The draft migration strategy cites the analysis, section 3' });
  });

  it('changes nothing when imported again: every row unchanged', async () => {
    const values = await count('SELECT count(*) AS n FROM indicator_values');
    const r = await run(fixture('valid.csv'));
    expect(r).toMatchObject({ accepted: 0, rejected: 0, unchanged: 10 });
    expect(await count('SELECT count(*) AS n FROM indicator_values')).toBe(values);
  });

  it('is remembered as a batch: file, sha256, who, when, counts', async () => {
    const sha = createHash('sha256').update(fs.readFileSync(fixture('valid.csv'))).digest('hex');
    const { rows } = await pool.query(`SELECT * FROM import_batches WHERE file_sha256 = $1 ORDER BY id`, [sha]);
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatchObject({ kind: 'file', file_name: 'valid.csv', format: 'csv', imported_by: 'me.officer', status: 'stored', accepted: 10, rejected: 0, unchanged: 0 });
    expect(rows[1]).toMatchObject({ accepted: 0, unchanged: 10 });
    expect(rows[0].finished_at).toBeInstanceOf(Date);
  });
});

describe('a CSV with bad rows', () => {
  let first: ImportReport;
  beforeAll(async () => {
    first = await run(fixture('mixed.csv'));
  });

  it('stores the good rows and rejects the others, each with file, row, column and a clear message', () => {
    expect(first).toMatchObject({ refused: false, accepted: 4, rejected: 17, unchanged: 0 });
    expect(first.errors.every((e) => e.file === 'mixed.csv')).toBe(true);
    expect(messages(first)).toEqual([
      '3|project_code|unknown project "LY10P9999" (see `rbm projects list`)',
      '4|indicator_code|project LY10P0542 has no indicator "OP9.9" (see `rbm indicators list --project LY10P0542`)',
      '5|period|Q1 2026 (1 Jan – 31 Mar 2026) is outside project LY10P0542 (2022-01-01 to 2025-12-31)',
      '6|period|OC1.a is reported quarterly: write a quarter such as 2025-Q3, not 2025-07',
      '7|value|"abc" is not a number',
      '8|value|-2 is negative: a count cannot be below 0',
      '9|value|120 is outside 0-100: a percentage is written 0 to 100 (not 0 to 1)',
      '10|value|"maybe" is not yes or no: write yes, no, 1, 0, true or false',
      '11|comment|"=HYPERLINK("http://example.org")" starts like a spreadsheet formula (= + - @); remove or reword that first character',
      '12|null|the same value (project, indicator, period and disaggregation) is given on rows 12, 13: keep one and resubmit it',
      '13|null|the same value (project, indicator, period and disaggregation) is given on rows 12, 13: keep one and resubmit it',
      ...[14, 15, 16].map((row) => `${row}|value|LY10P0542 OP1.2.a 2025-Q1 by sex: the values add up to 13, more than the total on row 14 (10); OP1.2.a requires its disaggregations to add up, so its rows for 2025-Q1 are refused together`),
      ...[17, 18, 19].map((row) => `${row}|value|LY10P0542 OP1.2.a 2025-Q4 by sex: the values add up to 9, not to the total on row 17 (10); OP1.2.a requires its disaggregations to add up, so its rows for 2025-Q4 are refused together`),
    ]);
  });

  it('stores disaggregations that do not add up with a warning when the indicator only warns', async () => {
    expect(first.warnings).toEqual([
      { file: 'mixed.csv', row: 20, column: 'value', message: 'LY10P0542 OP1.1.b 2025-Q3 by location: the values add up to 5, not to the total on row 20 (7) (stored with a warning)' },
    ]);
    expect(await currentValue('LY10P0542', 'OP1.1.b', '2025-Q3', { location: 'Tripoli' })).toMatchObject({ value: 3 });
    expect(await count(`SELECT count(*) AS n FROM import_warnings WHERE batch_id = $1`, [first.batchId])).toBe(1);
  });

  it('keeps every rejected row in the quarantine with its cells and reasons', async () => {
    const entries = await quarantineList({ pool }, { batchId: first.batchId! });
    expect(entries.map((e) => e.row)).toEqual([3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19]);
    const notANumber = entries.find((e) => e.row === 7)!;
    expect(notANumber).toMatchObject({
      file: 'mixed.csv',
      cells: { project_code: 'LY10P0542', indicator_code: 'OC1.a', period: '2025-Q1', value: 'abc', comment: 'not a number' },
      reasons: [{ column: 'value', message: '"abc" is not a number' }],
    });
    // Rows refused by a check across rows keep their cells too (rebuilt from the normalised row).
    expect(entries.find((e) => e.row === 15)!.cells).toMatchObject({ project_code: 'LY10P0542', indicator_code: 'OP1.2.a', period: '2025-Q1', value: '8', sex: 'male' });
  });

  it('changes nothing when imported again: no new values, no second copy in the quarantine', async () => {
    const values = await count('SELECT count(*) AS n FROM indicator_values');
    const quarantined = await count('SELECT count(*) AS n FROM import_quarantine');
    const again = await run(fixture('mixed.csv'));
    expect(again).toMatchObject({ accepted: 0, rejected: 17, unchanged: 4 });
    expect(await count('SELECT count(*) AS n FROM indicator_values')).toBe(values);
    expect(await count('SELECT count(*) AS n FROM import_quarantine')).toBe(quarantined);
    expect((await quarantineList({ pool })).filter((e) => e.file === 'mixed.csv').every((e) => e.batchId === again.batchId)).toBe(true);
  });

  it('takes a fixed row back from the quarantine', async () => {
    const entry = (await quarantineList({ pool })).find((e) => e.file === 'mixed.csv' && e.row === 7)!;
    const r = await resubmitQuarantined({ pool }, { ids: [entry.id], set: { value: '12' }, by: 'me.officer' });
    expect(r).toMatchObject({ accepted: 1, rejected: 0, unchanged: 0, errors: [] });
    expect(await currentValue('LY10P0542', 'OC1.a', '2025-Q1')).toMatchObject({ value: 12 });
    expect((await quarantineList({ pool })).some((e) => e.id === entry.id)).toBe(false);
    const { rows } = await pool.query('SELECT resolution, resolved_by FROM import_quarantine WHERE id = $1', [entry.id]);
    expect(rows[0]).toEqual({ resolution: 'accepted', resolved_by: 'me.officer' });
  });

  it('keeps a resubmitted row that is still wrong, with its correction and the new reason', async () => {
    const entry = (await quarantineList({ pool })).find((e) => e.file === 'mixed.csv' && e.row === 9)!;
    const r = await resubmitQuarantined({ pool }, { ids: [entry.id], set: { value: '101' }, by: 'me.officer' });
    expect(r).toMatchObject({ accepted: 0, rejected: 1 });
    expect(r.errors).toEqual([{ file: 'mixed.csv', row: 9, column: 'value', message: '101 is outside 0-100: a percentage is written 0 to 100 (not 0 to 1)' }]);
    const kept = (await quarantineList({ pool })).find((e) => e.id === entry.id)!;
    expect(kept.cells.value).toBe('101');
  });

  it('resubmits a group of rows together once they add up', async () => {
    const group = (await quarantineList({ pool })).filter((e) => e.file === 'mixed.csv' && [14, 15, 16].includes(e.row));
    const female = group.find((e) => e.row === 16)!;
    const fixed = await resubmitQuarantined({ pool }, { ids: [female.id], set: { value: '2' }, by: 'me.officer' });
    // Alone, the female row does not add up with nothing stored for 2025-Q1 but a total of 0.
    expect(fixed.rejected).toBe(1);
    const all = await resubmitQuarantined({ pool }, { ids: group.map((e) => e.id), set: {}, by: 'me.officer' });
    expect(all).toMatchObject({ accepted: 3, rejected: 0 });
    expect(await currentValue('LY10P0542', 'OP1.2.a', '2025-Q1', { sex: 'female' })).toMatchObject({ value: 2 });
  });

  it('discards rows that should not be imported', async () => {
    const entry = (await quarantineList({ pool })).find((e) => e.file === 'mixed.csv' && e.row === 3)!;
    expect(await discardQuarantinedRows({ pool }, [entry.id], 'me.officer')).toEqual([entry.id]);
    await expect(discardQuarantinedRows({ pool }, [entry.id], 'me.officer')).rejects.toThrow(/no open quarantine entry/);
  });
});

describe('files that cannot be imported', () => {
  const refused = async (file: string, message: RegExp, more: { encoding?: 'windows-1252'; delimiter?: string } = {}) => {
    const values = await count('SELECT count(*) AS n FROM indicator_values');
    const r = await run(file, more);
    expect(r).toMatchObject({ refused: true, accepted: 0, rejected: 0, unchanged: 0 });
    expect(r.errors.map((e) => e.message).join('; ')).toMatch(message);
    expect(r.errors.every((e) => e.file === path.basename(file))).toBe(true);
    expect(await count('SELECT count(*) AS n FROM indicator_values')).toBe(values);
    return r;
  };

  it('an empty file, and a header without rows', async () => {
    await refused(fixture('empty.csv'), /is empty/);
    const r = await refused(fixture('header-only.csv'), /has a header but no data rows/);
    expect(r.errors[0]!.row).toBe(1);
  });

  it('a missing required column, an unknown column', async () => {
    const missing = await refused(fixture('missing-column.csv'), /required column missing: the header must have project_code, indicator_code, period, value/);
    expect(missing.errors[0]).toMatchObject({ row: 1, column: 'period' });
    const extra = await refused(fixture('extra-column.csv'), /is not a column of the format/);
    expect(extra.errors[0]).toMatchObject({ row: 1, column: 'remarks' });
  });

  it('semicolons instead of commas: named, and read when asked', async () => {
    await refused(fixture('semicolons.csv'), /the columns are separated by semicolons, not commas/);
    expect(await run(fixture('semicolons.csv'), { delimiter: ';' })).toMatchObject({ refused: false, rejected: 0 });
  });

  it('Windows-1252: refused with the line, nothing stored even from the rows before it; converted when asked', async () => {
    const r = await refused(fixture('windows-1252.csv'), /is not UTF-8: line 3 has 0xE9 \("é" in Windows-1252\)/);
    expect(r.errors[0]!.row).toBe(3);
    expect(await run(fixture('windows-1252.csv'), { encoding: 'windows-1252' })).toMatchObject({ refused: false, accepted: 2 });
    expect((await pool.query(`SELECT comment FROM indicator_values WHERE comment LIKE 'caf%'`)).rows[0].comment).toBe('café in Windows-1252');
  });

  it('UTF-8 with a BOM and CRLF line ends is read', async () => {
    const r = await run(fixture('utf8-bom.csv'));
    expect(r).toMatchObject({ refused: false, accepted: 1, rejected: 0 });
    expect((await pool.query(`SELECT comment FROM indicator_values WHERE comment LIKE 'BOM%'`)).rows[0].comment).toBe('BOM, CRLF and UTF-8: Misrata, مصراتة');
  });

  it('a file that does not exist', async () => {
    const r = await run(path.join(scratch, 'nope.csv'));
    expect(r).toMatchObject({ refused: true, batchId: null, errors: [{ file: 'nope.csv', row: null, column: null, message: 'does not exist' }] });
  });

  it('an XLSX that is not a workbook, and a zip bomb', async () => {
    await refused(fixture('not-a-workbook.xlsx'), /is not an Excel workbook \(\.xlsx\): it is not a zip file/);
    const bomb = path.join(scratch, 'bomb.xlsx');
    fs.writeFileSync(bomb, zipBomb(100));
    expect(fs.statSync(bomb).size).toBeLessThan(1024 * 1024);
    await refused(bomb, /looks like a zip bomb: xl\/worksheets\/sheet1\.xml would expand \d+ times \(to 100 MB\)/);
  });

  it('is remembered as a refused batch', async () => {
    const { rows } = await pool.query(`SELECT status, refusal FROM import_batches WHERE file_name = 'semicolons.csv' ORDER BY id LIMIT 1`);
    expect(rows[0]).toMatchObject({ status: 'refused', refusal: expect.stringMatching(/semicolons/) });
  });
});

describe('XLSX and JSON', () => {
  it('imports a workbook, rejecting a formula cell on its Excel row', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('values');
    ws.addRow(['project_code', 'indicator_code', 'period', 'value', 'location']);
    ws.addRow(['LY10P0558', 'OP1.1.b', '2025-Q4', 4, '']);
    ws.addRow(['LY10P0558', 'OP1.1.b', '2025-Q4', 4, 'Zuwara']);
    ws.addRow(['LY10P0558', 'OP1.2.a', '2025-Q4', { formula: '2*3', result: 6 }, '']);
    const file = path.join(scratch, 'values.xlsx');
    await wb.xlsx.writeFile(file);
    const r = await run(file);
    expect(r).toMatchObject({ refused: false, accepted: 2, rejected: 1 });
    expect(r.errors).toEqual([{ file: 'values.xlsx', row: 4, column: 'value', message: 'holds a formula (=2*3): paste the values only' }]);
    expect((await pool.query(`SELECT format FROM import_batches WHERE id = $1`, [r.batchId])).rows[0].format).toBe('xlsx');
  });

  it('imports an array of row objects', async () => {
    const r = await run(fixture('valid.json'));
    expect(r).toMatchObject({ refused: false, accepted: 3, rejected: 0, errors: [] });
    expect(await currentValue('LY10P0551', 'OC1.a', '2025-Q4')).toMatchObject({ value: 62.5, numerator: 50, denominator: 80 });
  });
});

describe('a large file', () => {
  it('is streamed into one transaction: 100,000 rows', async () => {
    const file = path.join(scratch, 'large.csv');
    const out = fs.createWriteStream(file);
    out.write('project_code,indicator_code,period,value,location\n');
    const quarters = ['2023-Q1', '2023-Q2', '2023-Q3', '2023-Q4', '2024-Q1', '2024-Q2', '2024-Q3', '2024-Q4', '2025-Q1', '2025-Q2'];
    for (const q of quarters) {
      let chunk = '';
      for (let i = 0; i < 10_000; i++) chunk += `LY10P0542,OP1.3.a,${q},${i % 7},Muhalla ${i}\n`;
      out.write(chunk);
    }
    await new Promise((resolve) => out.end(resolve));
    const r = await run(file);
    expect(r).toMatchObject({ refused: false, accepted: 100_000, rejected: 0 });
    // OP1.3.a only warns when its locations do not add up to the stored total.
    expect(r.warnings).toHaveLength(quarters.length);
  });
});

describe('disaggregations across two dimensions', () => {
  it('checks each combination on its own: sex and location add up, sex x location does not, so the rows are refused together', async () => {
    // Nothing stored for the period: the batch alone is checked.
    await pool.query(
      `UPDATE indicator_values v SET superseded_at = clock_timestamp() FROM indicators i JOIN projects p ON p.id = i.project_id
        WHERE v.indicator_id = i.id AND p.code = 'LY10P0563' AND i.code = 'OP2.1.a' AND v.period = '2024-Q1' AND v.superseded_at IS NULL`,
    );
    const file = path.join(scratch, 'cross.csv');
    fs.writeFileSync(
      file,
      [
        'project_code,indicator_code,period,value,sex,location',
        'LY10P0563,OP2.1.a,2024-Q1,10,,',
        'LY10P0563,OP2.1.a,2024-Q1,4,male,',
        'LY10P0563,OP2.1.a,2024-Q1,6,female,',
        'LY10P0563,OP2.1.a,2024-Q1,7,,Tripoli',
        'LY10P0563,OP2.1.a,2024-Q1,3,,Sabha',
        'LY10P0563,OP2.1.a,2024-Q1,3,male,Tripoli',
        'LY10P0563,OP2.1.a,2024-Q1,4,female,Tripoli',
        'LY10P0563,OP2.1.a,2024-Q1,1,male,Sabha',
        'LY10P0563,OP2.1.a,2024-Q1,1,female,Sabha',
        '',
      ].join('\n'),
    );
    const r = await run(file);
    expect(r).toMatchObject({ refused: false, accepted: 0, rejected: 9, warnings: [] });
    expect(new Set(messages(r))).toEqual(new Set([2, 3, 4, 5, 6, 7, 8, 9, 10].map((row) =>
      `${row}|value|LY10P0563 OP2.1.a 2024-Q1 by sex x location: the values add up to 9, not to the total on row 2 (10); OP2.1.a requires its disaggregations to add up, so its rows for 2024-Q1 are refused together`)));
    expect(r.errors).toHaveLength(9);
  });
});

describe('a cell repeated many times', () => {
  // A file that repeats one cell 20,000 times (a form exported with a stuck key) took minutes when the
  // check paired every duplicate with every other (a correlated subquery run per duplicate row). Each
  // row is still refused naming the cell's first rows; the good rows beside them are stored.
  const REPEATS = 20_000;
  let r: ImportReport;
  let seconds: number;
  let before: Record<string, unknown>;
  beforeAll(async () => {
    before = Object.fromEntries(await Promise.all(['2023-Q2', '2023-Q4'].map(async (q) => [q, await currentValue('LY10P0542', 'OC1.a', q)])));
    const file = path.join(scratch, 'repeated-cell.csv');
    const lines = ['project_code,indicator_code,period,value,comment'];
    for (let i = 0; i < REPEATS; i++) lines.push(`LY10P0542,OC1.a,2023-Q2,${i % 3},stuck key`); // rows 2 to 20001
    lines.push('LY10P0542,OC1.a,2023-Q3,4,the one good row'); // row 20002
    lines.push('LY10P0542,OC1.a,2023-Q4,1,first of a pair', 'LY10P0542,OC1.a,2023-Q4,2,second of a pair'); // rows 20003, 20004
    fs.writeFileSync(file, `${lines.join('\n')}\n`);
    const t0 = performance.now();
    r = await run(file);
    seconds = (performance.now() - t0) / 1000;
  }, 120_000);
  afterAll(async () => {
    // Discarded (all 20,002 at once), so that the quarantine listings of the specs below stay short.
    const ids = (await quarantineList({ pool }, { batchId: r.batchId! })).map((e) => e.id);
    expect(await discardQuarantinedRows({ pool }, ids, 'me.officer')).toHaveLength(REPEATS + 2);
  });

  it('is checked in seconds, not minutes', () => {
    expect(seconds).toBeLessThan(60);
  });

  it('refuses every repeat, each naming the first rows of the cell and how many more', async () => {
    expect(r).toMatchObject({ refused: false, accepted: 1, rejected: REPEATS + 2, unchanged: 0 });
    const many = `the same value (project, indicator, period and disaggregation) is given on rows 2, 3, 4, 5, 6, 7 and ${REPEATS - 6} more: keep one and resubmit it`;
    // The first 1,000 problems are listed, in row order, each with the file, its row and no column (the whole row).
    expect(r.errors).toHaveLength(1000);
    expect(r.errors.map((e) => e.row)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 2));
    expect(r.errors.every((e) => e.file === 'repeated-cell.csv' && e.column === null && e.message === many)).toBe(true);
    // All of them are in the quarantine, one entry per row, with their own cells.
    const { rows } = await pool.query(
      `SELECT count(*) AS n, count(DISTINCT row_number) AS rows, min(row_number) AS first, max(row_number) AS last,
              count(*) FILTER (WHERE reasons->0->>'message' = $2) AS named
         FROM import_quarantine WHERE batch_id = $1 AND cells->>'period' = '2023-Q2'`,
      [r.batchId, many],
    );
    expect(rows[0]).toEqual({ n: REPEATS, rows: REPEATS, first: 2, last: REPEATS + 1, named: REPEATS });
    const last = (await quarantineList({ pool }, { batchId: r.batchId! })).find((e) => e.row === REPEATS + 1)!;
    expect(last.cells).toMatchObject({ project_code: 'LY10P0542', indicator_code: 'OC1.a', period: '2023-Q2', value: String((REPEATS - 1) % 3), comment: 'stuck key' });
  });

  it('names both rows of a pair, and stores the good row beside the duplicates', async () => {
    const pair = 'the same value (project, indicator, period and disaggregation) is given on rows 20003, 20004: keep one and resubmit it';
    const entries = (await quarantineList({ pool }, { batchId: r.batchId! })).filter((e) => e.row > REPEATS + 1);
    expect(entries.map((e) => [e.row, e.reasons])).toEqual([20003, 20004].map((row) => [row, [{ column: null, message: pair }]]));
    expect(await currentValue('LY10P0542', 'OC1.a', '2023-Q3')).toMatchObject({ value: 4 });
    // The repeated cells keep the values they had.
    expect(await currentValue('LY10P0542', 'OC1.a', '2023-Q2')).toEqual(before['2023-Q2']);
    expect(await currentValue('LY10P0542', 'OC1.a', '2023-Q4')).toEqual(before['2023-Q4']);
  });

  it('refuses duplicates among resubmitted quarantine entries by entry number', async () => {
    const pair = (await quarantineList({ pool }, { batchId: r.batchId! })).filter((e) => e.row > REPEATS + 1);
    const again = await resubmitQuarantined({ pool }, { ids: pair.map((e) => e.id), set: {}, by: 'me.officer' });
    const message = `the same value (project, indicator, period and disaggregation) is given on quarantine entries #${pair[0]!.id}, #${pair[1]!.id}: keep one and resubmit it`;
    expect(again).toMatchObject({ accepted: 0, rejected: 2 });
    expect(again.errors).toEqual(pair.map((e) => ({ file: 'repeated-cell.csv', row: e.row, column: null, message })));
  });
});

describe('rbm import (the command)', () => {
  const rbm = promisify(execFile);
  async function cli(args: string[]) {
    const env = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress') };
    try {
      const { stdout } = await rbm('node', ['bin/rbm.js', ...args], { cwd: PROJECT_ROOT, env, timeout: 120_000 });
      return { code: 0, stdout };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }
  const shape = (stdout: string) => {
    const json = JSON.parse(stdout);
    expect(Object.keys(json)).toEqual(['accepted', 'rejected', 'unchanged', 'errors', 'warnings']);
    for (const e of [...json.errors, ...json.warnings]) expect(Object.keys(e)).toEqual(['file', 'row', 'column', 'message']);
    return json;
  };

  it('exits 0 when every row is accepted, 3 when some are rejected, 2 when nothing can be imported', async () => {
    const ok = await cli(['import', fixture('valid.csv'), '--json']);
    expect(ok.code).toBe(0);
    expect(shape(ok.stdout)).toEqual({ accepted: 0, rejected: 0, unchanged: 10, errors: [], warnings: [] });

    const some = await cli(['import', fixture('mixed.csv'), '--json', '--as', 'pm.governance']);
    expect(some.code).toBe(3);
    const json = shape(some.stdout);
    expect(json).toMatchObject({ rejected: 17 });
    expect(json.errors[0]).toEqual({ file: 'mixed.csv', row: 3, column: 'project_code', message: 'unknown project "LY10P9999" (see `rbm projects list`)' });

    const none = await cli(['import', fixture('missing-column.csv'), '--json']);
    expect(none.code).toBe(2);
    expect(shape(none.stdout)).toMatchObject({ accepted: 0, rejected: 0, unchanged: 0, errors: [{ file: 'missing-column.csv', row: 1, column: 'period' }] });
  });

  it('prints a short summary for people, and lists the quarantine', async () => {
    const some = await cli(['import', fixture('mixed.csv')]);
    expect(some.code).toBe(3);
    expect(some.stdout).toMatch(/^mixed\.csv: 0 accepted, 17 rejected \(kept in the quarantine\), 4 unchanged \(batch \d+\)\.\nFirst 10 problems:\n  row 3, column project_code: unknown project "LY10P9999"/);
    const list = await cli(['import', 'quarantine', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/#\d+ {2}mixed\.csv row 7 \(batch \d+\): project_code=LY10P0542 indicator_code=OC1\.a period=2025-Q1 value=abc comment=not a number\n {6}value: "abc" is not a number\n/);
  });
});
