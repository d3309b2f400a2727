/**
 * The logframe workbook against the real PostgreSQL of the global setup, in a database of its own (so
 * that the projects and targets it creates or changes do not change what other specs read): export and
 * import round-trip exactly on the demo project LY10P0542; a workbook creates a new project
 * (test/fixtures/logframe/new-project.xlsx, expected content beside it in new-project.json); an edited
 * workbook changes a target; bad workbooks are refused whole, nothing stored; and the commands as real
 * processes (exit codes, the --json contract).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { importCommonIndicators } from '../app/common-indicators.js';
import { buildLogframeExport, exportLogframeFile, importLogframe } from '../app/logframe.js';
import { PROJECT_ROOT } from '../config/config.js';
import type { Pool } from '../db/pool.js';
import { getProjectBundle, type ProjectDefinition } from '../db/portfolio-repository.js';
import { zipBomb } from '../imports/zip-fixtures.js';
import { INDICATOR_COLUMNS, SHEETS } from '../logframe/layout.js';

import { ownDatabase } from './support/own-database.js';

const FIXTURES = path.join(PROJECT_ROOT, 'test', 'fixtures', 'logframe');
const fixture = (name: string) => path.join(FIXTURES, name);
const DATABASE = 'rbm_logframe_spec';
const PROJECT = 'LY10P0542';

let pool: Pool;
let databaseUrl: string;
let scratch: string;

beforeAll(async () => {
  ({ pool, databaseUrl } = await ownDatabase(DATABASE));
  scratch = fs.mkdtempSync(path.join(inject('scratchDir'), 'logframe-'));
});
afterAll(async () => {
  await pool?.end();
});

const definition = async (code: string): Promise<ProjectDefinition> => {
  const { project, results, indicators } = await getProjectBundle(pool, code);
  return { project, results, indicators };
};
const count = async (sql: string, params: unknown[] = []) => Number((await pool.query(sql, params)).rows[0].n);
const valueCount = () => count('SELECT count(*) AS n FROM indicator_values');

async function openWorkbook(file: string): Promise<ExcelJS.Workbook> {
  const bytes = fs.readFileSync(file);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  return wb;
}
/** Every cell of the sheets an import reads, as plain values. */
function cells(wb: ExcelJS.Workbook): Record<string, unknown[][]> {
  const out: Record<string, unknown[][]> = {};
  for (const name of [SHEETS.project, SHEETS.results, SHEETS.indicators]) {
    const ws = wb.getWorksheet(name)!;
    out[name] = [];
    ws.eachRow({ includeEmpty: true }, (row) => out[name]!.push((row.values as unknown[]).slice(1)));
  }
  return out;
}
const column = (label: string) => INDICATOR_COLUMNS.findIndex((c) => c.label === label) + 1;
function rowOf(ws: ExcelJS.Worksheet, code: string, col: number): number {
  for (let r = 2; r <= ws.rowCount; r++) if (ws.getCell(r, col).value === code) return r;
  throw new Error(`no row ${code}`);
}
function headerColumn(ws: ExcelJS.Worksheet, header: string): number {
  for (let c = 1; c <= ws.columnCount; c++) if (ws.getCell(1, c).value === header) return c;
  throw new Error(`no column ${header}`);
}
async function exportTo(name: string, code = PROJECT): Promise<string> {
  const file = path.join(scratch, name);
  await exportLogframeFile({ pool }, { projectCode: code, outFile: file });
  return file;
}
async function edit(name: string, change: (wb: ExcelJS.Workbook) => void): Promise<string> {
  const wb = await openWorkbook(await exportTo(`${name}.source.xlsx`));
  change(wb);
  const file = path.join(scratch, name);
  await wb.xlsx.writeFile(file);
  return file;
}

describe('export and import of LY10P0542', () => {
  let exported: string;
  let before: ProjectDefinition;
  beforeAll(async () => {
    before = await definition(PROJECT);
    exported = await exportTo('LY10P0542.xlsx');
  });

  it('writes a workbook whose cells read back as the project, its results and its indicators with targets', async () => {
    const wb = await openWorkbook(exported);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['Instructions', 'Project', 'Results', 'Indicators', 'Validation rules', 'Framework nodes', 'Common indicators', 'Donors']);
    const project = wb.getWorksheet(SHEETS.project)!;
    expect(project.getCell('A2').value).toBe('Code');
    expect(project.getCell('B2').value).toBe(PROJECT);
    expect(project.getCell('B3').value).toBe('PO.0185');
    expect(project.getCell('B5').value).toBe('DONOR-A');
    expect(project.getCell('B6').value).toEqual(new Date('2022-01-01T00:00:00Z'));
    expect(project.getCell('B8').value).toBe(300000);
    const results = wb.getWorksheet(SHEETS.results)!;
    expect((results.getRow(1).values as unknown[]).slice(1)).toEqual(['Level', 'Code', 'Parent code', 'Statement', 'Contributes to']);
    expect((results.getRow(3).values as unknown[]).slice(1, 3)).toEqual(['outcome', 'OC1']);
    expect(results.getCell('E3').value).toBe('GCM-23; IOM-GOVERNANCE; SDG-10.7; UNSDCF-1.1.1');
    const ind = wb.getWorksheet(SHEETS.indicators)!;
    expect(ind.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const r = rowOf(ind, 'OP1.3.b', column('Code'));
    expect(ind.getCell(r, column('Type')).value).toBe('count');
    expect(ind.getCell(r, column('LOP target')).value).toBe(300);
    expect(ind.getCell(r, headerColumn(ind, 'Target 2025-Q3')).value).toBe(30);
    expect(ind.getCell(rowOf(ind, 'OC1.c', column('Code')), column('Baseline')).value).toBeNull();
    expect(ind.getCell(r, column('Reporting frequency')).value).toBe('quarter');
    expect(ind.getCell(rowOf(ind, 'OP1.4.a', column('Code')), column('Common indicator code')).value).toBe('CI-GOV-01');
    const nodes = wb.getWorksheet(SHEETS.frameworks)!;
    expect(nodes.rowCount).toBe(1 + (await count('SELECT count(*) AS n FROM framework_nodes')));
    // The library, read-only, as of the database.
    const library = wb.getWorksheet(SHEETS.commonIndicators)!;
    expect(library.rowCount).toBe(1 + (await count('SELECT count(*) AS n FROM common_indicators')));
    expect(library.getCell('A2').value).toBe((await pool.query('SELECT min(code) AS code FROM common_indicators')).rows[0].code);
  });

  it('imports back to exactly the same project, changing nothing; a second export has the same cells', async () => {
    const values = await valueCount();
    const report = await importLogframe({ pool }, { path: exported });
    expect(report).toMatchObject({
      imported: true, created: false, projectCode: PROJECT, errors: [], warnings: [],
      results: { created: 0, updated: before.results.length }, indicators: { created: 0, updated: before.indicators.length },
    });
    expect(await definition(PROJECT)).toEqual(before);
    expect(await valueCount()).toBe(values);
    const again = await exportTo('LY10P0542-again.xlsx');
    expect(cells(await openWorkbook(again))).toEqual(cells(await openWorkbook(exported)));
  });

  it('the export of every demo project round-trips too', async () => {
    for (const { code } of (await pool.query<{ code: string }>('SELECT code FROM projects ORDER BY code')).rows) {
      const previous = await definition(code);
      const { workbook } = await buildLogframeExport({ pool }, code);
      const file = path.join(scratch, `${code}-all.xlsx`);
      fs.writeFileSync(file, workbook);
      const report = await importLogframe({ pool }, { path: file });
      expect(report.errors, code).toEqual([]);
      expect(await definition(code), code).toEqual(previous);
    }
  });
});

describe('a workbook for a new project', () => {
  const expected = JSON.parse(fs.readFileSync(fixture('new-project.json'), 'utf8')) as ProjectDefinition;
  // The workbook has no "Reporting frequency" column: a new indicator is reported quarterly.
  const expectedIndicators = expected.indicators.map((i) => ({ ...i, reportingFrequency: 'quarter' }));

  it('is refused while the common indicator it links to is not in the library; accepted once it is', async () => {
    const refused = await importLogframe({ pool }, { path: fixture('new-project.xlsx'), dryRun: true });
    const row = 2 + expected.indicators.findIndex((i) => i.commonIndicatorCode === 'CI-TRAINED-OFFICIALS');
    expect(refused.errors).toEqual([
      { file: 'new-project.xlsx', sheet: 'Indicators', row, column: 'Common indicator code', message: '"CI-TRAINED-OFFICIALS" is not in the common indicator library (see the Common indicators sheet)' },
    ]);
    const csv = path.join(scratch, 'trained-officials.csv');
    fs.writeFileSync(csv, 'code,title,type,unit,sector\nCI-TRAINED-OFFICIALS,Number of officials trained,count,people,Community policing\n');
    expect(await importCommonIndicators({ pool }, { path: csv })).toMatchObject({ imported: true, created: 1, errors: [] });
  });

  it('--dry-run checks it and stores nothing', async () => {
    const report = await importLogframe({ pool }, { path: fixture('new-project.xlsx'), dryRun: true });
    expect(report).toMatchObject({ imported: false, dryRun: true, created: true, projectCode: 'LY10P0999', errors: [], results: { created: 4 }, indicators: { created: 4 } });
    expect(await count(`SELECT count(*) AS n FROM projects WHERE code = 'LY10P0999'`)).toBe(0);
  });

  it('creates the project with its results, indicators and targets', async () => {
    const report = await importLogframe({ pool }, { path: fixture('new-project.xlsx') });
    expect(report).toMatchObject({ imported: true, created: true, projectCode: 'LY10P0999', errors: [], warnings: [], targets: 18 });
    const stored = await definition('LY10P0999');
    expect(stored).toEqual({
      project: { ...expected.project, donors: [...expected.project.donors].sort() },
      results: expected.results.map((r) => ({ ...r, contributesTo: [...r.contributesTo].sort() })),
      indicators: expectedIndicators,
    });
  });
});

describe('an edited workbook', () => {
  it('changes a target, removes an emptied one, adds an indicator; the data values stay', async () => {
    const values = await valueCount();
    const file = await edit('changed-target.xlsx', (wb) => {
      const ind = wb.getWorksheet(SHEETS.indicators)!;
      const r = rowOf(ind, 'OP1.3.b', column('Code'));
      ind.getCell(r, headerColumn(ind, 'Target 2025-Q3')).value = 42;
      ind.getCell(r, headerColumn(ind, 'Target 2025-Q4')).value = null;
      const added = ind.rowCount + 1;
      const cellsOf: Record<string, string | number> = {
        'Result code': 'OP1.3', Code: 'OP1.3.c', Title: 'Number of local action plans on migration drafted after the workshops', Type: 'count',
        'Aggregation over time': 'sum', 'LOP target': 8, 'Target 2025-Q4': 8,
      };
      for (const [label, v] of Object.entries(cellsOf)) ind.getCell(added, label.startsWith('Target') ? headerColumn(ind, label) : column(label)).value = v;
    });
    const report = await importLogframe({ pool }, { path: file });
    expect(report).toMatchObject({ imported: true, created: false, errors: [], indicators: { created: 1, updated: 10 } });
    const after = await definition(PROJECT);
    const op = after.indicators.find((i) => i.code === 'OP1.3.b')!;
    expect(op.targets['2025-Q3']).toBe(42);
    expect(op.targets['2025-Q4']).toBeUndefined();
    expect(after.indicators.find((i) => i.code === 'OP1.3.c')).toMatchObject({ resultCode: 'OP1.3', type: 'count', unit: '', targets: { LOP: 8, '2025-Q4': 8 } });
    expect(await valueCount()).toBe(values);
  });

  it('keeps results and indicators the workbook leaves out, and says so', async () => {
    const file = await edit('without-row.xlsx', (wb) => {
      const ind = wb.getWorksheet(SHEETS.indicators)!;
      ind.spliceRows(rowOf(ind, 'OP1.3.c', column('Code')), 1);
    });
    const report = await importLogframe({ pool }, { path: file });
    expect(report.imported).toBe(true);
    expect(report.warnings.map((w) => w.message)).toEqual(['indicator OP1.3.c of LY10P0542 is not in the workbook: kept as it is, with its 0 stored values (an import never deletes)']);
    expect((await definition(PROJECT)).indicators.map((i) => i.code)).toContain('OP1.3.c');
  });

  it('changes a reporting frequency with a warning about the stored values; a workbook without the column keeps it', async () => {
    const file = await edit('frequency.xlsx', (wb) => {
      const ind = wb.getWorksheet(SHEETS.indicators)!;
      ind.getCell(rowOf(ind, 'OC1.a', column('Code')), column('Reporting frequency')).value = 'year';
    });
    const stored = await count(`SELECT count(*) AS n FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
                                 WHERE p.code = $1 AND i.code = 'OC1.a' AND v.superseded_at IS NULL`, [PROJECT]);
    expect(stored).toBeGreaterThan(0);
    const report = await importLogframe({ pool }, { path: file });
    expect(report.imported).toBe(true);
    expect(report.warnings.map((w) => w.message)).toContain(`indicator OC1.a changes its reporting frequency from quarter to year; its ${stored} stored values are for quarter periods: new data must be for year periods`);
    expect((await definition(PROJECT)).indicators.find((i) => i.code === 'OC1.a')!.reportingFrequency).toBe('year');
    const frequency = async () => (await pool.query(`SELECT i.reporting_frequency FROM indicators i JOIN projects p ON p.id = i.project_id WHERE p.code = $1 AND i.code = 'OC1.a'`, [PROJECT])).rows[0].reporting_frequency;
    expect(await frequency()).toBe('year');

    const old = await edit('without-frequency.xlsx', (wb) => {
      const ind = wb.getWorksheet(SHEETS.indicators)!;
      ind.spliceColumns(column('Reporting frequency'), 1);
      ind.getCell(rowOf(ind, 'OC1.a', column('Code')), column('Title')).value = 'Number of migration policies drafted or revised with IOM support';
    });
    expect((await importLogframe({ pool }, { path: old })).errors).toEqual([]);
    const after = (await definition(PROJECT)).indicators.find((i) => i.code === 'OC1.a')!;
    expect(after).toMatchObject({ title: 'Number of migration policies drafted or revised with IOM support', reportingFrequency: 'year' });
    expect(await frequency()).toBe('year');
  });

  it('warns when an indicator with stored values changes type', async () => {
    const file = await edit('type-change.xlsx', (wb) => {
      const ind = wb.getWorksheet(SHEETS.indicators)!;
      ind.getCell(rowOf(ind, 'OP1.3.a', column('Code')), column('Type')).value = 'ratio';
    });
    const report = await importLogframe({ pool }, { path: file });
    expect(report.imported).toBe(true);
    expect(report.warnings.map((w) => w.message)).toContainEqual(expect.stringMatching(/^indicator OP1\.3\.a changes type from count to ratio; its \d+ stored values were entered as count: check them$/));
    expect((await definition(PROJECT)).indicators.find((i) => i.code === 'OP1.3.a')!.type).toBe('ratio');
  });
});

describe('a bad workbook', () => {
  it('is refused whole: nothing of it is stored, every problem listed', async () => {
    const before = await definition(PROJECT);
    const file = await edit('bad.xlsx', (wb) => {
      wb.getWorksheet(SHEETS.project)!.getCell('B4').value = 'A new title that must not be stored';
      const ind = wb.getWorksheet(SHEETS.indicators)!;
      ind.getCell(2, column('Baseline')).value = 'none';
      ind.getCell(3, column('LOP target')).value = { formula: '1+1', result: 2 } as ExcelJS.CellFormulaValue;
      wb.getWorksheet(SHEETS.results)!.getCell('E3').value = 'UNSDCF-1.1.1; UNSDCF-LOGFRAME-TEST';
    });
    const report = await importLogframe({ pool }, { path: file });
    expect(report).toMatchObject({ imported: false, projectCode: null });
    expect(report.errors).toEqual([
      { file: 'bad.xlsx', sheet: 'Results', row: 3, column: 'Contributes to', message: 'unknown framework node "UNSDCF-LOGFRAME-TEST" (see the Framework nodes sheet)' },
      { file: 'bad.xlsx', sheet: 'Indicators', row: 2, column: 'Baseline', message: '"none" is not a number' },
      { file: 'bad.xlsx', sheet: 'Indicators', row: 3, column: 'LOP target', message: 'holds a formula (=1+1): type or paste the value only' },
    ]);
    expect(await definition(PROJECT)).toEqual(before);
  });

  it('refuses a link to a common indicator of another type, naming sheet, row and column; nothing stored', async () => {
    const before = await definition(PROJECT);
    let row = 0;
    const file = await edit('common-type.xlsx', (wb) => {
      const ind = wb.getWorksheet(SHEETS.indicators)!;
      row = rowOf(ind, 'OC1.b', column('Code')); // a percentage
      ind.getCell(row, column('Common indicator code')).value = 'CI-PROT-01'; // a count
    });
    const report = await importLogframe({ pool }, { path: file });
    expect(report.errors).toEqual([{
      file: 'common-type.xlsx', sheet: 'Indicators', row, column: 'Common indicator code',
      message: 'CI-PROT-01 "Number of migrants provided with protection assistance" is a count indicator: a percentage indicator cannot link to it (the roll-up adds up only indicators of the same type)',
    }]);
    expect(await definition(PROJECT)).toEqual(before);
  });

  it('checks framework node codes against the database', async () => {
    await pool.query(`INSERT INTO framework_nodes (code, framework, level, parent_code, title, illustrative)
                      VALUES ('UNSDCF-LOGFRAME-TEST', 'unsdcf', 'output', 'UNSDCF-1.1', 'A node added for this test', true)`);
    const file = await edit('new-node.xlsx', (wb) => {
      wb.getWorksheet(SHEETS.results)!.getCell('E3').value = 'UNSDCF-1.1.1; UNSDCF-LOGFRAME-TEST';
    });
    const report = await importLogframe({ pool }, { path: file });
    expect(report.errors).toEqual([]);
    expect((await definition(PROJECT)).results.find((r) => r.code === 'OC1')!.contributesTo).toEqual(['UNSDCF-1.1.1', 'UNSDCF-LOGFRAME-TEST']);
  });

  it('that is not a workbook, or is a zip bomb, is refused before anything is read', async () => {
    expect((await importLogframe({ pool }, { path: fixture('not-a-workbook.xlsx') })).errors).toEqual([
      { file: 'not-a-workbook.xlsx', sheet: null, row: null, column: null, message: 'is not an Excel workbook (.xlsx): it is not a zip file, or it is damaged' },
    ]);
    const bomb = path.join(scratch, 'bomb.xlsx');
    fs.writeFileSync(bomb, zipBomb(300));
    const refused = await importLogframe({ pool }, { path: bomb });
    expect(refused.imported).toBe(false);
    expect(refused.errors[0]!.message).toMatch(/zip bomb/);
  });
});

describe('rbm logframe (the commands)', () => {
  const node = promisify(execFile);
  // The command module as cli/main.ts wires it (parse, run, exit codes from cli/output.ts).
  const HARNESS = `
    import { Command } from 'commander';
    import { registerLogframeCommands } from './cli/commands/logframe.js';
    import { reportError } from './cli/output.js';
    const program = new Command('rbm').exitOverride();
    registerLogframeCommands(program);
    try {
      await program.parseAsync(process.argv.slice(1), { from: 'user' });
      process.exitCode ??= 0;
    } catch (e) {
      const code = e && e.code;
      process.exitCode = typeof code === 'string' && code.startsWith('commander.') ? 2 : reportError(e);
    }
    setTimeout(() => process.exit(), 1000).unref();`;
  async function rbm(args: string[]) {
    const env = { ...process.env, DATABASE_URL: databaseUrl, TEMPORAL_ADDRESS: inject('temporalAddress') };
    try {
      const { stdout, stderr } = await node('node', ['--import', 'tsx', '--input-type=module', '-e', HARNESS, ...args], { cwd: PROJECT_ROOT, env, timeout: 120_000 });
      return { code: 0, stdout, stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  }

  it('export writes the workbook; import exits 0 when imported and 2 with every problem when refused', async () => {
    const out = path.join(scratch, 'cli', 'LY10P0542.xlsx');
    const exported = await rbm(['logframe', 'export', '--project', PROJECT, '--out', out]);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/^.*LY10P0542\.xlsx\nLY10P0542: 6 results, 11 indicators, \d+ targets\n$/);
    expect(fs.existsSync(out)).toBe(true);

    const ok = await rbm(['logframe', 'import', out, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ file: 'LY10P0542.xlsx', imported: true, created: false, projectCode: PROJECT, errors: [] });

    const dry = await rbm(['logframe', 'import', fixture('new-project.xlsx'), '--dry-run']);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/project LY10P0999 would be updated: .* \(dry run: nothing stored\)/);

    const bad = await rbm(['logframe', 'import', path.join(scratch, 'bad.xlsx'), '--json']);
    expect(bad.code).toBe(2);
    const json = JSON.parse(bad.stdout);
    expect(json.imported).toBe(false);
    expect(json.errors).toHaveLength(2); // the framework node exists now
    for (const e of json.errors) expect(Object.keys(e)).toEqual(['file', 'sheet', 'row', 'column', 'message']);

    const human = await rbm(['logframe', 'import', path.join(scratch, 'bad.xlsx')]);
    expect(human.code).toBe(2);
    expect(human.stdout).toBe([
      'bad.xlsx: refused, nothing imported (2 problems):',
      '  sheet Indicators, row 2, column Baseline: "none" is not a number',
      '  sheet Indicators, row 3, column LOP target: holds a formula (=1+1): type or paste the value only',
      '',
    ].join('\n'));

    const missing = await rbm(['logframe', 'export', '--project', 'LY10P9999']);
    expect(missing.code).toBe(4);
  });
});
