/**
 * The library of common indicators against the real PostgreSQL of the global setup, in a database of
 * its own (the spec changes the library and links): the migration on a database that already used
 * free-text codes; `rbm common-indicators list|show|import` as real processes (the --json contract,
 * exit codes, every problem of a refused file with its file, row and column, nothing stored); the
 * same-type rule where projects are written; the roll-up of a common line across projects from the
 * database; and the web page and API.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import type { FastifyInstance } from 'fastify';
import { runner } from 'node-pg-migrate';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../config/config.js';
import { loadCommonIndicatorLibrary } from '../db/common-indicators-repository.js';
import { migrateDatabase } from '../db/migrate.js';
import { createPool, type Pool } from '../db/pool.js';
import { getProjectBundle, listProjects, upsertProject } from '../db/portfolio-repository.js';
import { databaseNow, readValuesAsOf } from '../db/values-repository.js';
import { demoCommonIndicators } from '../demo/common-indicators.js';
import { governanceProject } from '../demo/projects/governance.js';
import { RbmError } from '../domain/errors.js';
import { buildMissionRollup, type RollupProjectInput } from '../domain/rollup.js';
import type { FrameworkNode } from '../domain/results-framework.js';
import { createLogger } from '../runtime/logger.js';
import { ownDatabase } from './support/own-database.js';
import { runRbm } from './support/rbm-process.js';
import { Agent, databaseOnlyContext, serveWeb } from './support/web-agent.js';

const DATABASE = 'rbm_common_indicators_spec';
const PERIOD = '2025-Q3';

let pool: Pool;
let databaseUrl: string;
let scratch: string;

beforeAll(async () => {
  ({ pool, databaseUrl } = await ownDatabase(DATABASE));
  scratch = fs.mkdtempSync(path.join(inject('scratchDir'), 'common-indicators-'));
});
afterAll(async () => {
  await pool?.end();
});

const rbm = (args: string[]) => runRbm(args, { ...process.env, DATABASE_URL: databaseUrl, RBM_DATA_DIR: path.join(scratch, 'data') });
const write = (name: string, text: string) => {
  const file = path.join(scratch, name);
  fs.writeFileSync(file, text);
  return file;
};
const count = async (sql: string, params: unknown[] = []) => Number((await pool.query(sql, params)).rows[0].n);
const libraryRows = async () => (await pool.query('SELECT code, title, type, unit, time_aggregation, direction, definition, sector, illustrative, updated_at FROM common_indicators ORDER BY code')).rows;

describe('the migration', () => {
  it('turns the codes an existing database already uses into library entries, then enforces the link', async () => {
    const name = 'rbm_common_indicators_migration';
    const admin = new pg.Client({ connectionString: inject('databaseUrl') });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    const url = new URL(inject('databaseUrl'));
    url.pathname = `/${name}`;
    const dir = path.join(PROJECT_ROOT, 'db', 'migrations');
    const before = fs.readdirSync(dir).filter((f) => f.endsWith('.sql') && f < '1733068800000').length;
    await runner({ databaseUrl: url.toString(), dir, direction: 'up', count: before, migrationsTable: 'pgmigrations', log: () => undefined });
    const db = createPool(url.toString());
    try {
      // A database of before the library: codes as free text, one blank.
      await db.query(`INSERT INTO projects (code, title, start_date, end_date) VALUES ('P1', 'Project 1', '2025-01-01', '2025-12-31')`);
      await db.query(`INSERT INTO results (project_id, code, level, statement) SELECT id, 'OP1', 'output', 'Output' FROM projects`);
      await db.query(`INSERT INTO indicators (project_id, result_id, code, title, type, unit, time_aggregation, common_indicator_code)
                      SELECT p.id, r.id, x.code, x.title, x.type, x.unit, 'sum', x.common FROM projects p JOIN results r ON r.project_id = p.id,
                      (VALUES ('A', 'People trained', 'count', 'people', 'CI-TRAINED'), ('B', 'Officials trained', 'count', 'officials', 'CI-TRAINED'),
                              ('C', 'Plan adopted', 'yes_no', '', '  ')) AS x(code, title, type, unit, common)`);
      expect(await migrateDatabase(url.toString(), createLogger('warn'))).toContain('1733068800000_common-indicators');
      const entries = (await db.query('SELECT code, title, type, unit FROM common_indicators')).rows;
      expect(entries).toEqual([{ code: 'CI-TRAINED', title: 'People trained', type: 'count', unit: 'people' }]); // the first indicator's wording
      expect((await db.query(`SELECT code, common_indicator_code FROM indicators ORDER BY code`)).rows.map((r) => r.common_indicator_code)).toEqual(['CI-TRAINED', 'CI-TRAINED', null]);
      const refused = await db.query(`UPDATE indicators SET common_indicator_code = 'CI-NOWHERE' WHERE code = 'C'`).catch((e: { code: string }) => e);
      expect(refused).toMatchObject({ code: '23503' }); // foreign key violation
    } finally {
      await db.end();
    }
  });
});

describe('rbm common-indicators (the commands)', () => {
  it('list --json: every entry with how many project indicators and projects link to it', async () => {
    const r = await rbm(['common-indicators', 'list', '--json']);
    expect(r.code).toBe(0);
    const list = JSON.parse(r.stdout);
    expect(list.map((e: { code: string }) => e.code)).toEqual(demoCommonIndicators().map((e) => e.code).sort());
    const gov = list.find((e: { code: string }) => e.code === 'CI-GOV-01');
    expect(gov).toMatchObject({ type: 'count', unit: 'people', linkedIndicators: 3, linkedProjects: 3, projects: ['LY10P0542', 'LY10P0563', 'LY10P0576'], illustrative: true, frameworkNodes: ['GCM-23', 'SDG-10.7', 'UNSDCF-1.1.1'] });
    expect(Object.keys(gov).sort()).toEqual(['code', 'createdAt', 'definition', 'direction', 'frameworkNodes', 'illustrative', 'linkedIndicators', 'linkedProjects', 'projects', 'sector', 'timeAggregation', 'title', 'type', 'unit', 'updatedAt'].sort());
    const linked = await count(`SELECT count(*) AS n FROM indicators WHERE common_indicator_code IS NOT NULL`);
    expect(list.reduce((n: number, e: { linkedIndicators: number }) => n + e.linkedIndicators, 0)).toBe(linked);

    const human = await rbm(['common-indicators', 'list']);
    expect(human.code).toBe(0);
    expect(human.stdout.split('\n')[0]).toMatch(/^code\s+type\s+unit\s+sector\s+linkedIndicators\s+linkedProjects\s+title$/);
    expect(human.stdout).toMatch(/CI-GOV-01\s+count\s+people\s+Migration governance\s+3\s+3\s+Number of government officials/);
  });

  it('show CODE: the entry and its linked project indicators; exit 4 for an unknown code', async () => {
    const r = await rbm(['common-indicators', 'show', 'CI-GOV-02', '--json']);
    expect(r.code).toBe(0);
    const v = JSON.parse(r.stdout);
    expect(v).toMatchObject({ code: 'CI-GOV-02', type: 'percentage', linkedIndicators: 3, linkedProjects: 3 });
    expect(v.indicators.map((i: { projectCode: string; indicatorCode: string; type: string }) => `${i.projectCode}/${i.indicatorCode}:${i.type}`)).toEqual([
      'LY10P0542/OP1.4.b:percentage', 'LY10P0551/OP2.1.b:percentage', 'LY10P0576/OP2.1.b:percentage',
    ]);
    const human = await rbm(['common-indicators', 'show', 'CI-GOV-02']);
    expect(human.stdout).toMatch(/^CI-GOV-02: Percentage of trained participants .* \(illustrative\)\n  percentage \(%\), average over time, higher is better; Capacity building\n/);
    expect(human.stdout).toContain('Linked by 3 project indicators of 3 projects:');
    // Its results: a percentage rolls up as the ratio of the summed parts, quarter by quarter.
    expect(v.results.periods.map((p: { period: string }) => p.period)).toEqual(['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4']);
    for (const { line } of v.results.periods) {
      if (line.denominator) expect(line.actual).toBeCloseTo((line.numerator / line.denominator) * 100, 2);
    }
    expect(human.stdout).toContain('Results across the linked projects (the last quarters reported):');
    expect(human.stdout).toMatch(/2025-Q4 +\S+ +\S+ +\S+%/);
    const missing = await rbm(['common-indicators', 'show', 'CI-NOPE']);
    expect(missing.code).toBe(4);
    expect(missing.stderr).toBe('rbm: no common indicator CI-NOPE (see `rbm common-indicators list`)\n');
  });

  it('import --dry-run checks and counts; import stores, all or nothing; the same file again changes nothing', async () => {
    const file = write('library.csv', [
      'code,title,type,unit,time_aggregation,direction,sector,frameworks,definition',
      'CI-WASH-01,Number of people with access to safe drinking water in supported sites,count,people,sum,increase,WASH,SDG-6.1; UNSDCF-4.1.1,"People living or held in sites where the water supply meets the standard, counted once"',
      'CI-DTM-01,Number of migrants interviewed through DTM flow monitoring surveys (flow monitoring points),count,people,,,Displacement Tracking Matrix,GCM-1,',
      'CI-PROT-01,Number of migrants provided with protection assistance,count,people,sum,increase,Protection,GCM-7; UNSDCF-3.1.2,Migrants in vulnerable situations who received protection case management or specialised mental health and psychosocial support in the period.',
    ].join('\r\n'));
    // CI-PROT-01 as the demo defines it, but not illustrative: an update too.
    const before = await libraryRows();
    const dry = await rbm(['common-indicators', 'import', file, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    const report = JSON.parse(dry.stdout);
    expect(report).toEqual({
      file: 'library.csv', imported: false, dryRun: true, created: 1, updated: 2, unchanged: 0, errors: [],
      entries: [{ code: 'CI-WASH-01', row: 2, outcome: 'created' }, { code: 'CI-DTM-01', row: 3, outcome: 'updated' }, { code: 'CI-PROT-01', row: 4, outcome: 'updated' }],
    });
    expect(await libraryRows()).toEqual(before);

    const done = await rbm(['common-indicators', 'import', file]);
    expect(done.code).toBe(0);
    expect(done.stdout).toBe('library.csv: common indicators 1 new, 2 updated, 0 unchanged.\n');
    const wash = (await pool.query(`SELECT c.*, array(SELECT node_code FROM common_indicator_frameworks f WHERE f.common_indicator_code = c.code ORDER BY 1) AS nodes FROM common_indicators c WHERE code = 'CI-WASH-01'`)).rows[0];
    expect(wash).toMatchObject({ type: 'count', unit: 'people', sector: 'WASH', illustrative: false, nodes: ['SDG-6.1', 'UNSDCF-4.1.1'], definition: 'People living or held in sites where the water supply meets the standard, counted once' });
    expect((await pool.query(`SELECT title FROM common_indicators WHERE code = 'CI-DTM-01'`)).rows[0].title).toBe('Number of migrants interviewed through DTM flow monitoring surveys (flow monitoring points)');
    expect(await count(`SELECT count(*) AS n FROM common_indicators`)).toBe(before.length + 1);

    const stored = await libraryRows();
    const again = JSON.parse((await rbm(['common-indicators', 'import', file, '--json'])).stdout);
    expect(again).toMatchObject({ imported: true, created: 0, updated: 0, unchanged: 3 });
    expect(await libraryRows()).toEqual(stored); // updated_at too
  });

  it('a bad file is refused whole: exit 2, every problem with file, row and column, nothing stored', async () => {
    const file = write('bad-library.csv', [
      'code,title,type,unit,direction,frameworks,colour',
      'CI-NEW-01,A new indicator,count,people,,,',
      'CI NEW 02,,number,,up,UNSDCF-9.9.9,',
      'CI-NEW-01,Duplicate,percentage,%,,,',
      'CI-NEW-03,=SUM(A1:A2),count,,,,',
    ].join('\n'));
    const before = await libraryRows();
    const r = await rbm(['common-indicators', 'import', file, '--json']);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout);
    expect(json).toMatchObject({ imported: false, created: 0, updated: 0, entries: [] });
    expect(json.errors).toEqual([
      { file: 'bad-library.csv', row: 1, column: 'colour', message: 'unknown column "colour": the columns are code, title, type, unit, time_aggregation, direction, definition, sector, frameworks, illustrative, validation_rule' },
      { file: 'bad-library.csv', row: 3, column: 'title', message: 'title is required' },
      { file: 'bad-library.csv', row: 3, column: 'code', message: '"CI NEW 02" is not a common indicator code: letters, digits, ".", "_" or "-", at most 50 characters, e.g. CI-PROT-01' },
      { file: 'bad-library.csv', row: 3, column: 'type', message: '"number" is not one of count, percentage, ratio, yes_no, qualitative' },
      { file: 'bad-library.csv', row: 3, column: 'direction', message: '"up" is not one of increase, decrease' },
      { file: 'bad-library.csv', row: 3, column: 'frameworks', message: 'unknown framework node "UNSDCF-9.9.9": give codes of UNSDCF outputs, IOM pillars, SDG targets or GCM objectives (GET /api/v1/frameworks lists them)' },
      { file: 'bad-library.csv', row: 4, column: 'code', message: 'CI-NEW-01 is already defined on row 2' },
      { file: 'bad-library.csv', row: 5, column: 'title', message: '"=SUM(A1:A2)" starts like a spreadsheet formula (= + - @): remove or reword that first character' },
    ]);
    for (const e of json.errors) expect(Object.keys(e)).toEqual(['file', 'row', 'column', 'message']);
    expect(await libraryRows()).toEqual(before);

    const human = await rbm(['common-indicators', 'import', file]);
    expect(human.code).toBe(2);
    expect(human.stdout.split('\n').slice(0, 3)).toEqual([
      'bad-library.csv: refused, nothing imported (8 problems):',
      '  row 1, column colour: unknown column "colour": the columns are code, title, type, unit, time_aggregation, direction, definition, sector, frameworks, illustrative, validation_rule',
      '  row 3, column title: title is required',
    ]);

    expect((await rbm(['common-indicators', 'import'])).code).toBe(2);
    const missing = await rbm(['common-indicators', 'import', path.join(scratch, 'nowhere.csv'), '--json']);
    expect(missing.code).toBe(2);
    expect(JSON.parse(missing.stdout).errors).toEqual([{ file: 'nowhere.csv', row: null, column: null, message: 'does not exist' }]);
    const semicolons = await rbm(['common-indicators', 'import', write('semicolons.csv', 'code;title;type\nCI-X;X;count\n'), '--json']);
    expect(JSON.parse(semicolons.stdout).errors).toEqual([{ file: 'semicolons.csv', row: 1, column: null, message: 'the header is one cell: separate the columns with commas (save the file as "CSV UTF-8 (comma delimited)")' }]);
    const empty = await rbm(['common-indicators', 'import', write('empty.csv', ''), '--json']);
    expect(JSON.parse(empty.stdout).errors).toEqual([{ file: 'empty.csv', row: null, column: null, message: 'is empty' }]);
    fs.writeFileSync(path.join(scratch, 'cp1252.csv'), Buffer.concat([Buffer.from('code,title,type\nCI-X,Caf'), Buffer.from([0xe9]), Buffer.from(',count\n')]));
    const cp1252 = await rbm(['common-indicators', 'import', path.join(scratch, 'cp1252.csv'), '--json']);
    expect(JSON.parse(cp1252.stdout).errors).toEqual([{ file: 'cp1252.csv', row: null, column: null, message: 'is not UTF-8 text: save it as "CSV UTF-8 (comma delimited)" and import it again' }]);
    expect(await libraryRows()).toEqual(before);
  });

  it('an entry that project indicators link to keeps its type', async () => {
    const file = write('retype.csv', 'code,title,type,unit\nCI-GOV-01,Share of government officials trained,percentage,%\nCI-FREE-01,A new one,yes_no,\n');
    const r = await rbm(['common-indicators', 'import', file, '--json']);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).errors).toEqual([{
      file: 'retype.csv', row: 2, column: 'type',
      message: 'CI-GOV-01 is a count indicator linked by 3 project indicators (LY10P0542/OP1.4.a, LY10P0563/OP2.1.b, LY10P0576/OP2.1.a): it cannot become a percentage indicator; unlink them (or change their type) first, or add a new common indicator',
    }]);
    expect(await count(`SELECT count(*) AS n FROM common_indicators WHERE code = 'CI-FREE-01'`)).toBe(0);
    // An entry nothing links to may change its type.
    const free = write('free.csv', 'code,title,type\nCI-WASH-01,Percentage of people with access to safe drinking water,percentage\n');
    expect(JSON.parse((await rbm(['common-indicators', 'import', free, '--json'])).stdout)).toMatchObject({ imported: true, updated: 1 });
  });

  it('reads an XLSX (its first worksheet), refusing formula cells by row and column', async () => {
    const wb = new ExcelJS.Workbook();
    const ws = wb.addWorksheet('Library');
    ws.addRow(['Code', 'Title', 'Type', 'Unit', 'Time aggregation']);
    ws.addRow(['CI-HLTH-02', 'Number of children under 5 vaccinated', 'Count', 'children', 'Sum']);
    ws.addRow(['CI-HLTH-03', { formula: 'A2&" copy"', result: 'CI-HLTH-02 copy' }, 'count', '', '']);
    const bad = path.join(scratch, 'library.xlsx');
    await wb.xlsx.writeFile(bad);
    const refused = await rbm(['common-indicators', 'import', bad, '--json']);
    expect(refused.code).toBe(2);
    expect(JSON.parse(refused.stdout).errors).toEqual([{ file: 'library.xlsx', row: 3, column: 'title', message: 'holds a formula (=A2&" copy") in cell B3: type or paste the value only' }]);
    ws.spliceRows(3, 1);
    await wb.xlsx.writeFile(bad);
    const ok = await rbm(['common-indicators', 'import', bad, '--json']);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ imported: true, created: 1, entries: [{ code: 'CI-HLTH-02', row: 2, outcome: 'created' }] });
    expect((await pool.query(`SELECT type, time_aggregation FROM common_indicators WHERE code = 'CI-HLTH-02'`)).rows[0]).toEqual({ type: 'count', time_aggregation: 'sum' });
  });
});

describe('links where projects are written', () => {
  it('refuses a project indicator linked to an unknown common indicator or to one of another type; nothing of the project changes', async () => {
    const def = governanceProject();
    const before = await getProjectBundle(pool, def.project.code);
    const wrongType = { ...def, indicators: def.indicators.map((i) => (i.code === 'OC1.b' ? { ...i, commonIndicatorCode: 'CI-GOV-01' } : i)) };
    const err = await upsertProject(pool, wrongType).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RbmError);
    expect(err).toMatchObject({
      code: 'invalid_input',
      message: 'indicator OC1.b of LY10P0542: CI-GOV-01 "Number of government officials trained on migration governa…" is a count indicator: a percentage indicator cannot link to it (the roll-up adds up only indicators of the same type)',
    });
    const unknown = { ...def, indicators: def.indicators.map((i) => (i.code === 'OC1.a' ? { ...i, commonIndicatorCode: 'CI-NOPE' } : i)) };
    await expect(upsertProject(pool, unknown)).rejects.toThrow('indicator OC1.a of LY10P0542: "CI-NOPE" is not in the common indicator library (see `rbm common-indicators list`)');
    const after = await getProjectBundle(pool, def.project.code);
    expect(after.indicators).toEqual(before.indicators);
    expect(after.indicators.every((i) => i.reportingFrequency === 'quarter')).toBe(true);
  });
});

describe('the mission overview from the database', () => {
  async function rollupFromDb() {
    const asOf = await databaseNow(pool);
    const projects: RollupProjectInput[] = [];
    const nodes = new Map<string, FrameworkNode>();
    for (const p of await listProjects(pool)) {
      const b = await getProjectBundle(pool, p.code);
      for (const n of b.frameworkNodes) nodes.set(n.code, n);
      projects.push({ project: b.project, donorNames: b.donorNames, results: b.results, indicators: b.indicators, values: await readValuesAsOf(pool, p.code, asOf) });
    }
    return buildMissionRollup({ projects, frameworkNodes: [...nodes.values()], period: PERIOD, commonIndicators: await loadCommonIndicatorLibrary(pool) });
  }
  /** Period totals of the indicators linked to `code` in `projects`, straight from SQL. */
  async function sqlTotals(code: string, projects: string[]) {
    const { rows } = await pool.query(
      `SELECT coalesce(sum(v.value), 0)::float AS value, sum(v.numerator)::float AS numerator, sum(v.denominator)::float AS denominator,
              (SELECT sum(t.value) FROM indicator_targets t JOIN indicators i2 ON i2.id = t.indicator_id JOIN projects p2 ON p2.id = i2.project_id
                WHERE i2.common_indicator_code = $1 AND p2.code = ANY($3) AND t.period = $2)::float AS target
         FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
        WHERE i.common_indicator_code = $1 AND p.code = ANY($3) AND v.period = $2 AND v.superseded_at IS NULL
          AND v.sex = '' AND v.age_group = '' AND v.population_type = '' AND v.nationality = '' AND v.location = ''`,
      [code, PERIOD, projects],
    );
    return rows[0] as { value: number; numerator: number | null; denominator: number | null; target: number };
  }

  it('sums a common count across its three projects under the IOM Governance pillar, titled by the library', async () => {
    const rollup = await rollupFromDb();
    const gov = rollup.byPillar.find((g) => g.key === 'IOM-GOVERNANCE')!;
    const line = gov.lines.find((l) => l.key === 'CI-GOV-01')!;
    const projects = ['LY10P0542', 'LY10P0563', 'LY10P0576'];
    const sql = await sqlTotals('CI-GOV-01', projects);
    expect(sql.value).toBeGreaterThan(0);
    expect(line).toMatchObject({
      common: true, type: 'count', unit: 'people', projects, indicatorCount: 3, actual: sql.value, target: sql.target,
      title: 'Number of government officials trained on migration governance, migration data or migration health',
    });
    expect(line.percentOfTarget).toBeCloseTo((sql.value / sql.target) * 100, 1);
    // Under UNSDCF outputs the three indicators sit under three different outputs: three lines of one indicator each.
    const byOutput = rollup.byUnsdcf.flatMap((g) => g.lines.filter((l) => l.key === 'CI-GOV-01').map((l) => [g.key, l.projects.join()]));
    expect(byOutput).toEqual([['UNSDCF-2.1.1', 'LY10P0542'], ['UNSDCF-3.1.1', 'LY10P0563'], ['UNSDCF-3.2.2', 'LY10P0576']]);
  });

  it('rolls a common percentage up as the ratio of the summed parts; a renamed entry renames the line', async () => {
    const file = write('rename.csv', 'code,title,type,unit,time_aggregation\nCI-GOV-02,Percentage of trainees passing the post-training test,percentage,%,average\n');
    expect(JSON.parse((await rbm(['common-indicators', 'import', file, '--json'])).stdout)).toMatchObject({ imported: true, updated: 1 });
    const rollup = await rollupFromDb();
    const line = rollup.byPillar.find((g) => g.key === 'IOM-GOVERNANCE')!.lines.find((l) => l.key === 'CI-GOV-02')!;
    const sql = await sqlTotals('CI-GOV-02', ['LY10P0542', 'LY10P0576']);
    expect(line).toMatchObject({ title: 'Percentage of trainees passing the post-training test', projects: ['LY10P0542', 'LY10P0576'], numerator: sql.numerator, denominator: sql.denominator });
    expect(line.actual).toBeCloseTo((sql.numerator! / sql.denominator!) * 100, 2);
    // the third linked project (MHPSS) reports under the Resilience pillar
    expect(rollup.byPillar.find((g) => g.key === 'IOM-RESILIENCE')!.lines.find((l) => l.key === 'CI-GOV-02')!.projects).toEqual(['LY10P0551']);
  });
});

describe('the library on the web', () => {
  let http: FastifyInstance;
  beforeAll(async () => {
    http = await serveWeb(databaseOnlyContext(pool, 'common-indicators-web'));
  });
  afterAll(async () => {
    await http?.close();
  });

  it('lists the library for staff, with the linked indicators of the projects each user may read', async () => {
    const officer = await Agent.signedIn('me.officer');
    const page = await officer.fetch('/library');
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<a href="/library" class="active" aria-current="page">Common indicators</a>');
    expect(html).toContain('<a href="/library/CI-GOV-01"><code>CI-GOV-01</code></a>');
    expect(html).toContain('LY10P0542, LY10P0563, LY10P0576');
    const entry = await (await officer.fetch('/library/CI-GOV-01')).text();
    for (const code of ['LY10P0542', 'LY10P0563', 'LY10P0576']) expect(entry).toContain(`<code>${code}</code>`);

    const pm = await Agent.signedIn('pm.governance');
    const own = await (await pm.fetch('/library/CI-GOV-01')).text();
    expect(own).toContain('<code>LY10P0542</code>');
    expect(own).not.toContain('<code>LY10P0563</code>');
    expect(own).toContain('2 more in projects you do not have access to.');
    const api = await pm.json('/api/v1/common-indicators/CI-GOV-01');
    expect(api).toMatchObject({ code: 'CI-GOV-01', linkedIndicators: 3, hidden: 2, indicators: [{ projectCode: 'LY10P0542', indicatorCode: 'OP1.4.a' }] });
    expect(api.indicators).toHaveLength(1);
  });

  it('rolls an entry up across the projects each user may read, for the last four quarters reported', async () => {
    const total = async (code: string, period: string, projects: string[]) => Number((await pool.query(
      `SELECT sum(v.value) AS n FROM indicator_values v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id
        WHERE i.common_indicator_code = $1 AND v.period = $2 AND p.code = ANY($3) AND v.superseded_at IS NULL
          AND v.sex = '' AND v.age_group = '' AND v.population_type = '' AND v.nationality = '' AND v.location = ''`,
      [code, period, projects],
    )).rows[0].n);
    const all = ['LY10P0542', 'LY10P0563', 'LY10P0576'];
    const officer = await Agent.signedIn('me.officer');
    const api = await officer.json('/api/v1/common-indicators/CI-GOV-01');
    expect(api.results.projects).toEqual(all);
    expect(api.results.periods.map((p: { period: string }) => p.period)).toEqual(['2025-Q1', '2025-Q2', '2025-Q3', '2025-Q4']);
    for (const { period, line } of api.results.periods) {
      expect(line, period).toMatchObject({ key: 'CI-GOV-01', actual: await total('CI-GOV-01', period, all), projects: all });
    }
    const html = await (await officer.fetch('/library/CI-GOV-01')).text();
    expect(html).toContain('<h2>Results across projects</h2>');
    const q3 = api.results.periods.find((p: { period: string }) => p.period === '2025-Q3').line;
    expect(html).toContain(`<td class="nowrap">${q3.actual}</td><td class="nowrap">${q3.target}</td><td class="nowrap">${q3.percentOfTarget}%</td>`);

    // A project manager sees the figure of the one project of theirs, never the others'.
    const pm = await (await Agent.signedIn('pm.governance')).json('/api/v1/common-indicators/CI-GOV-01');
    expect(pm.results.projects).toEqual(['LY10P0542']);
    expect(pm.results.periods.at(-1).line.actual).toBe(await total('CI-GOV-01', '2025-Q4', ['LY10P0542']));
  });

  it('shows each framework as a tree with the projects contributing to each node', async () => {
    const officer = await Agent.signedIn('viewer');
    const unsdcf = await officer.fetch('/frameworks');
    expect(unsdcf.status).toBe(200);
    const html = await unsdcf.text();
    // Every UNSDCF node is listed once, nested under its parent, with its contributing projects linked.
    const nodes = (await pool.query(`SELECT code, parent_code FROM framework_nodes WHERE framework = 'unsdcf'`)).rows as Array<{ code: string; parent_code: string | null }>;
    expect(nodes.length).toBeGreaterThan(3);
    for (const n of nodes) expect(html.split(`<li data-node="${n.code}">`).length - 1, n.code).toBe(1);
    const child = nodes.find((n) => n.parent_code)!;
    expect(html.indexOf(`<li data-node="${child.code}">`)).toBeGreaterThan(html.indexOf(`<li data-node="${child.parent_code}">`));
    const contributing = (await pool.query(
      `SELECT DISTINCT c.node_code, p.code FROM result_contributions c JOIN results r ON r.id = c.result_id JOIN projects p ON p.id = r.project_id
        JOIN framework_nodes n ON n.code = c.node_code WHERE n.framework = 'unsdcf' ORDER BY 1, 2 LIMIT 1`,
    )).rows[0] as { node_code: string; code: string };
    const item = html.slice(html.indexOf(`<li data-node="${contributing.node_code}">`));
    expect(item.slice(0, item.indexOf('</li>'))).toContain(`<a href="/projects/${contributing.code}"><code>${contributing.code}</code></a>`);
    const pillars = await (await officer.fetch('/frameworks?framework=iom_pillar')).text();
    expect(pillars).toContain('<li data-node="IOM-GOVERNANCE">');
    expect(pillars).not.toContain(`<li data-node="${child.code}">`);
    expect((await officer.fetch('/frameworks?framework=nope')).status).toBe(400);
    expect((await (await Agent.signedIn('donor.b')).fetch('/frameworks')).status).toBe(403);
  });

  it('answers the JSON API with zod-validated codes, refuses donors, and documents the routes', async () => {
    const officer = await Agent.signedIn('admin');
    const list = await officer.json('/api/v1/common-indicators');
    expect(list.find((e: { code: string }) => e.code === 'CI-PROT-01')).toMatchObject({ linkedIndicators: 2, linkedProjects: 2, projects: ['LY10P0551', 'LY10P0570'] });
    expect((await officer.fetch('/api/v1/common-indicators/CI-NOPE')).status).toBe(404);
    const bad = await officer.fetch('/api/v1/common-indicators/not%20a%20code');
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: 'invalid_input', field: 'code', in: 'path' });
    const donor = await Agent.signedIn('donor.eu');
    expect((await donor.fetch('/library')).status).toBe(403);
    expect((await donor.fetch('/api/v1/common-indicators')).status).toBe(403);
    expect((await new Agent(null).fetch('/library')).status).toBe(302);
    const doc = await (await new Agent(null).fetch('/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/v1/common-indicators', '/api/v1/common-indicators/{code}', '/api/v1/projects']));
  });
});
