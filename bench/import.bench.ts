/**
 * Import throughput: 1,000,000 valid rows of indicator data as CSV, imported end to end (stream parse
 * -> validate -> COPY into staging -> set-based checks and merge into indicator_values) into an
 * embedded PostgreSQL that this benchmark starts on a free port and a temporary folder, with the demo
 * portfolio loaded. The ceiling, measured in the same run: a raw COPY of the same rows, already in the
 * table's own columns, into the same table. The import runs in a fresh Node process, as `rbm import`
 * would, so that its peak RSS is its own; then again on the same file (every row unchanged); then the
 * mission overview's model over the result, as the render activity builds it, against the baseline of
 * the same roll-up over every value read. BENCH_IMPORT_ROWS (or `--rows N`) changes the number of rows.
 *
 * Then the same on real-shaped data with fsync on for both the import and the COPY
 * (bench/import-shaped.ts). `--only valid` or `--only shaped` runs one of the two.
 *
 * The rows: for each count indicator of the demo that is disaggregated by location, and each of its
 * quarters, a total, every one-dimension breakdown, and the full cross of its dimensions, over the
 * project's locations plus invented ones ("Muhalla 0001"...) until the file has the rows asked for.
 * Every breakdown adds up exactly to the total and covers the demo's own categories, so every row is
 * valid, including against the demo values it revises.
 */
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import copyStreams from 'pg-copy-streams';
import { loadDemoPortfolio } from '../app/portfolio.js';
import { PROJECT_ROOT } from '../config/config.js';
import { migrateDatabase } from '../db/migrate.js';
import { freePort } from '../runtime/ports.js';
import { createPool, type Pool } from '../db/pool.js';
import { reportingQuarters } from '../demo/build.js';
import { demoPortfolio } from '../demo/portfolio.js';
import type { DisaggregationDimension } from '../domain/results-framework.js';
import { DISAGGREGATION_DIMENSIONS } from '../domain/results-framework.js';
import { startEmbeddedPostgres } from '../runtime/embedded-postgres.js';
import { createLogger } from '../runtime/logger.js';
import { intOption } from './args.js';
import { runShapedImport } from './import-shaped.js';
import type { Benchmark, Figure } from './run.js';

const run = promisify(execFile);
let ROWS = Number(process.env.BENCH_IMPORT_ROWS ?? 1_000_000);
const CSV_HEADER = `project_code,indicator_code,period,value,${DISAGGREGATION_DIMENSIONS.join(',')},source\n`;
const COPY_COLUMNS = `indicator_id, period, ${DISAGGREGATION_DIMENSIONS.join(', ')}, value, source, entered_by`;

const bench: Benchmark = {
  title: `Import of rows of indicator data (CSV, end to end) against a raw COPY: valid count rows (fsync off), then real-shaped rows (fsync on)`,
  async run(options = {}) {
    ROWS = intOption(options, 'rows', ROWS);
    const only = options['only'];
    if (only !== undefined && only !== 'valid' && only !== 'shaped') throw new Error('--only takes valid or shaped');
    const figures: Figure[] = only === 'shaped' ? [] : await runValidCounts();
    if (only !== 'valid') figures.push(...(await runShapedImport(ROWS, importInChildProcess)));
    return figures;
  },
};
export default bench;

/** Valid count rows only, fsync off on both sides (the first figures of this benchmark). */
async function runValidCounts(): Promise<Figure[]> {
  const log = createLogger('warn', 'bench-import');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rbm-bench-import-'));
  fs.chmodSync(dir, 0o755); // the embedded server may run as the `postgres` user
  const pg = await startEmbeddedPostgres({ dataDir: path.join(dir, 'pg'), port: await freePort(), persistent: false, log });
  const pool = createPool(pg.url, 4);
  pool.on('error', () => undefined); // an idle connection told of the server's shutdown at the end
  try {
    await migrateDatabase(pg.url, log);
    await loadDemoPortfolio({ pool }, '2025-Q4');
    const csvFile = path.join(dir, 'values.csv');
    const copyFile = path.join(dir, 'values.copy');
    const written = await writeRows(pool, csvFile, copyFile);

    const copySeconds = await rawCopySeconds(pool, copyFile);

    const first = await importInChildProcess(pg.url, csvFile);
    if (first.refused || first.rejected || first.accepted + first.unchanged !== written) {
      throw new Error(`the benchmark's rows should all be accepted: ${JSON.stringify(first)}`);
    }
    const again = await importInChildProcess(pg.url, csvFile);
    if (again.unchanged !== written) throw new Error(`a second import should leave every row unchanged: ${JSON.stringify(again)}`);

    // The roll-up is another module's; without it the import's figures still stand.
    const overview = await missionOverviewInChildProcess(pg.url, '2025-Q4').catch((e: Error) => {
      process.stdout.write(`  (mission overview not measured: ${e.message.split('\n').find((l) => /Error/.test(l)) ?? e.message})\n`);
      return undefined;
    });

    const figures: Figure[] = [
      { name: 'import: rows (valid, CSV)', value: written, unit: 'rows' },
      { name: 'import: CSV file size', value: fs.statSync(csvFile).size / 1024 ** 2, unit: 'MB' },
      { name: 'import: end to end', value: first.seconds, unit: 's' },
      { name: 'import: throughput (goal >= 100,000)', value: written / first.seconds, unit: 'rows/s' },
      { name: 'raw COPY of the same rows into indicator_values', value: copySeconds, unit: 's' },
      { name: 'raw COPY: throughput', value: written / copySeconds, unit: 'rows/s' },
      { name: 'import / raw COPY throughput (goal >= 0.3)', value: copySeconds / first.seconds, unit: 'ratio' },
      { name: 'import: peak RSS of the importing process (goal < 300)', value: first.peakRssMb, unit: 'MB' },
      { name: 'import of the same file again (all unchanged)', value: again.seconds, unit: 's' },
      { name: 'import again: peak RSS', value: again.peakRssMb, unit: 'MB' },
    ];
    if (overview) {
      figures.push(
        { name: `mission overview ${overview.period} over these rows (goal < 1)`, value: overview.seconds, unit: 's' },
        { name: 'mission overview: rows read (reduced in SQL)', value: overview.valuesRead, unit: 'rows' },
        { name: 'mission overview: peak RSS', value: overview.peakRssMb, unit: 'MB' },
        { name: 'baseline: the same roll-up over every value read', value: overview.allValuesSeconds, unit: 's' },
        { name: 'baseline: values read', value: overview.allValues, unit: 'rows' },
        { name: 'mission overview / baseline', value: overview.seconds / overview.allValuesSeconds, unit: 'ratio' },
      );
    }
    return figures;
  } finally {
    await pool.end();
    await pg.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

interface Group {
  projectCode: string;
  indicatorCode: string;
  indicatorId: number;
  period: string;
  /** Categories per dimension of the indicator; location last. */
  dims: Array<{ dim: DisaggregationDimension; categories: string[] }>;
}

// The demo's categories (demo/values.ts), so that every demo value of a touched cell is revised.
const CATEGORIES: Record<Exclude<DisaggregationDimension, 'location'>, string[]> = {
  sex: ['male', 'female'],
  age_group: ['0-17', '18-59', '60+'],
  population_type: ['migrant', 'IDP', 'returnee', 'host community'],
  nationality: ['Nigeria', 'Niger', 'Sudan', 'Chad', 'Mali', 'Other'],
};

/** Writes ROWS valid rows as the import CSV and, resolved to indicator ids, as COPY text for the ceiling. */
export async function writeRows(pool: Pool, csvFile: string, copyFile: string): Promise<number> {
  const ids = new Map((await pool.query(`SELECT p.code || '/' || i.code AS key, i.id FROM indicators i JOIN projects p ON p.id = i.project_id`)).rows.map((r) => [r.key as string, r.id as number]));
  const groups: Group[] = [];
  for (const p of demoPortfolio().projects) {
    for (const ind of p.indicators) {
      if (ind.type !== 'count' || ind.timeAggregation === 'average' || !ind.disaggregations.includes('location')) continue;
      const others = ind.disaggregations.filter((d) => d !== 'location') as Array<Exclude<DisaggregationDimension, 'location'>>;
      for (const period of reportingQuarters(p.project)) {
        groups.push({
          projectCode: p.project.code, indicatorCode: ind.code, indicatorId: ids.get(`${p.project.code}/${ind.code}`)!, period,
          dims: [...others.map((dim) => ({ dim, categories: CATEGORIES[dim] })), { dim: 'location', categories: [...p.project.locations] }],
        });
      }
    }
  }
  // Rows of a group with n locations: 1 total + the other dimensions' categories + n + (cross) n x product.
  const fixed = (g: Group) => 1 + g.dims.slice(0, -1).reduce((a, d) => a + d.categories.length, 0);
  const perLocation = (g: Group) => 1 + (g.dims.length > 1 ? g.dims.slice(0, -1).reduce((a, d) => a * d.categories.length, 1) : 0);
  const base = groups.reduce((a, g) => a + fixed(g), 0);
  const slope = groups.reduce((a, g) => a + perLocation(g), 0);
  const n = Math.floor((ROWS - base) / slope);
  const rest = ROWS - base - n * slope;
  // Location-only groups take one row per extra location: they absorb the remainder exactly.
  const simple = groups.filter((g) => g.dims.length === 1);
  const extra = new Map(simple.map((g, i) => [g, Math.floor(rest / simple.length) + (i < rest % simple.length ? 1 : 0)]));
  for (const g of groups) {
    const loc = g.dims[g.dims.length - 1]!;
    const want = Math.max(n, loc.categories.length) + (extra.get(g) ?? 0);
    for (let k = loc.categories.length; k < want; k++) loc.categories.push(`Muhalla ${String(k).padStart(4, '0')}`);
  }

  const csv = fs.createWriteStream(csvFile);
  const copy = fs.createWriteStream(copyFile);
  let csvChunk = CSV_HEADER;
  let copyChunk = '';
  let count = 0;
  const flush = async (force = false) => {
    if (!force && csvChunk.length < 1 << 20) return;
    if (!csv.write(csvChunk)) await once(csv, 'drain');
    if (!copy.write(copyChunk)) await once(copy, 'drain');
    csvChunk = '';
    copyChunk = '';
  };
  for (const [gi, g] of groups.entries()) {
    const cross = g.dims.reduce((a, d) => a * d.categories.length, 1);
    const total = cross * 3 + (gi % 17);
    const emit = (cells: Partial<Record<DisaggregationDimension, string>>, value: number) => {
      const dims = DISAGGREGATION_DIMENSIONS.map((d) => cells[d] ?? '');
      csvChunk += `${g.projectCode},${g.indicatorCode},${g.period},${value},${dims.join(',')},bench\n`;
      copyChunk += `${g.indicatorId}\t${g.period}\t${dims.join('\t')}\t${value}\tbench\tbench-copy\n`;
      count++;
    };
    emit({}, total);
    for (const { dim, categories } of g.dims) split(total, categories.length).forEach((v, i) => emit({ [dim]: categories[i]! }, v));
    if (g.dims.length > 1) {
      const parts = split(total, cross);
      let i = 0;
      for (const combo of product(g.dims)) emit(combo, parts[i++]!);
    }
    await flush();
  }
  await flush(true);
  await Promise.all([new Promise((r) => csv.end(r)), new Promise((r) => copy.end(r))]);
  return count;
}

/** An integer total split into n parts that add up to it exactly. */
function split(total: number, n: number): number[] {
  const base = Math.floor(total / n);
  return Array.from({ length: n }, (_, i) => base + (i < total % n ? 1 : 0));
}

function* product(dims: Group['dims'], i = 0, acc: Partial<Record<DisaggregationDimension, string>> = {}): Generator<Partial<Record<DisaggregationDimension, string>>> {
  if (i === dims.length) {
    yield acc;
    return;
  }
  for (const c of dims[i]!.categories) yield* product(dims, i + 1, { ...acc, [dims[i]!.dim]: c });
}

/**
 * The ceiling: the same rows, already resolved to indicator ids, COPYed straight into indicator_values
 * (same indexes). The demo's values are deleted first so the rows do not collide with current cells;
 * everything is rolled back after, and the table vacuumed, so the import starts from the same state.
 */
async function rawCopySeconds(pool: Pool, copyFile: string): Promise<number> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('DELETE FROM indicator_values');
    const t0 = performance.now();
    await pipeline(fs.createReadStream(copyFile, { highWaterMark: 1 << 20 }), client.query(copyStreams.from(`COPY indicator_values (${COPY_COLUMNS}) FROM STDIN`)));
    const seconds = (performance.now() - t0) / 1000;
    await client.query('ROLLBACK');
    await client.query('VACUUM ANALYZE indicator_values');
    return seconds;
  } finally {
    client.release();
  }
}

interface ChildImport {
  seconds: number;
  peakRssMb: number;
  accepted: number;
  rejected: number;
  unchanged: number;
  refused: boolean;
  errors: unknown[];
}

/**
 * Runs importFile in a fresh Node process, as `rbm import` would, so that its peak RSS is the import's
 * own and not this benchmark's (which has generated the file and run the COPY).
 */
async function importInChildProcess(databaseUrl: string, csvFile: string): Promise<ChildImport> {
  const code = `
    const { importFile } = await import(${JSON.stringify(moduleUrl('app/imports.ts'))});
    const { createPool } = await import(${JSON.stringify(moduleUrl('db/pool.ts'))});
    const pool = createPool(${JSON.stringify(databaseUrl)}, 4);
    const t0 = performance.now();
    const r = await importFile({ pool }, { path: ${JSON.stringify(csvFile)}, importedBy: 'bench' });
    const seconds = (performance.now() - t0) / 1000;
    await pool.end();
    process.stdout.write(JSON.stringify({ seconds, peakRssMb: process.resourceUsage().maxRSS / 1024, accepted: r.accepted,
      rejected: r.rejected, unchanged: r.unchanged, refused: r.refused, errors: r.errors.slice(0, 5) }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { maxBuffer: 1 << 20, cwd: PROJECT_ROOT });
  return JSON.parse(stdout) as ChildImport;
}

interface OverviewTiming {
  period: string;
  seconds: number;
  /** The baseline: every project's every value read (readValuesAsOf), then rolled up. */
  allValuesSeconds: number;
  valuesRead: number;
  allValues: number;
  peakRssMb: number;
}

/**
 * The mission overview's model as the render activity builds it (activities/report-files.ts
 * buildMissionModelFromDb: values reduced in SQL, then domain/rollup.ts), in a fresh process so that
 * its memory is its own; and, as the baseline in the same process, the roll-up over every value read.
 */
async function missionOverviewInChildProcess(databaseUrl: string, period: string): Promise<OverviewTiming> {
  const code = `
    const { createPool } = await import(${JSON.stringify(moduleUrl('db/pool.ts'))});
    const { buildMissionModelFromDb } = await import(${JSON.stringify(moduleUrl('activities/report-files.ts'))});
    const { getProjectBundle, listProjects } = await import(${JSON.stringify(moduleUrl('db/portfolio-repository.ts'))});
    const { databaseNow, readRollupValuesAsOf, readValuesAsOf } = await import(${JSON.stringify(moduleUrl('db/values-repository.ts'))});
    const { buildMissionRollup } = await import(${JSON.stringify(moduleUrl('domain/rollup.ts'))});
    const pool = createPool(${JSON.stringify(databaseUrl)}, 2);
    const period = ${JSON.stringify(period)};
    const dataAsOf = await databaseNow(pool);
    const request = { projectCode: 'MISSION', period, templateId: 'mission-overview', dataAsOf, cycleId: null, version: 0, stage: 'preview', decisions: [], generatedAt: dataAsOf };
    const t0 = performance.now();
    const model = await buildMissionModelFromDb(pool, request);
    const seconds = (performance.now() - t0) / 1000;
    const valuesRead = [...(await readRollupValuesAsOf(pool, dataAsOf)).values()].reduce((a, v) => a + v.length, 0);
    const rss = process.resourceUsage().maxRSS / 1024;
    const t1 = performance.now();
    const projects = [];
    const nodes = new Map();
    let allValues = 0;
    for (const p of await listProjects(pool)) {
      const bundle = await getProjectBundle(pool, p.code);
      for (const n of bundle.frameworkNodes) nodes.set(n.code, n);
      const values = await readValuesAsOf(pool, p.code, dataAsOf);
      allValues += values.length;
      projects.push({ project: bundle.project, donorNames: bundle.donorNames, results: bundle.results, indicators: bundle.indicators, values });
    }
    const baseline = buildMissionRollup({ projects, frameworkNodes: [...nodes.values()], period });
    const allValuesSeconds = (performance.now() - t1) / 1000;
    await pool.end();
    if (!model.rollup.indicatorCount) throw new Error('empty roll-up');
    if (JSON.stringify(baseline.byStatus) !== JSON.stringify(model.rollup.byStatus)) throw new Error('the reduced read changed the roll-up');
    process.stdout.write(JSON.stringify({ period, seconds, allValuesSeconds, valuesRead, allValues, peakRssMb: rss }));`;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { maxBuffer: 1 << 20, cwd: PROJECT_ROOT });
  return JSON.parse(stdout) as OverviewTiming;
}

const moduleUrl = (rel: string) => pathToFileURL(path.join(PROJECT_ROOT, rel)).href;

