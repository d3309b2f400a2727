/**
 * Logframe use cases: a project's results matrix to an Excel workbook, and a workbook (new or edited)
 * into the database, so that defining or changing a project needs no code. An import is all or
 * nothing: the workbook is checked whole (logframe/reader.ts) against the framework nodes and donors
 * of the database, then the project, its results, indicators and targets are created or updated by
 * code in one transaction. Results and indicators missing from the workbook are kept (their data
 * values stay), and said so in the report.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import { getCommonIndicators, loadCommonIndicatorLibrary } from '../db/common-indicators-repository.js';
import type { Queryable } from '../db/pool.js';
import { getProjectBundle, upsertProject } from '../db/portfolio-repository.js';
import type { ReportingFrequency } from '../domain/results-framework.js';
import type { LogframeIssue } from '../logframe/layout.js';
import { SHEETS } from '../logframe/layout.js';
import { loadLogframeWorkbook, readLogframe, type KnownCodes } from '../logframe/reader.js';
import { writeLogframe, type LogframeReference } from '../logframe/writer.js';
import { authorize, type Principal } from './auth.js';
import type { AppContext } from './context.js';

type DbContext = Pick<AppContext, 'pool'>;

export interface LogframeImportRequest {
  /** The workbook on disk. */
  path: string;
  /** The name problems are reported under (default: the file's base name). */
  file?: string;
  /** Check and count only; nothing is stored. */
  dryRun?: boolean;
}

/**
 * Imports a logframe workbook as a signed-in user: refused (403) unless the user may define the project
 * the workbook names, decided before anything of that project is read, so that neither its stored
 * results and indicators nor its counts of values reach the report of someone who may not define it.
 */
export async function importLogframeAs(ctx: DbContext, p: Principal, request: LogframeImportRequest): Promise<LogframeImportReport> {
  return importLogframe(ctx, request, (projectCode) => authorize(p, 'define_project', projectCode));
}

export interface LogframeImportReport {
  file: string;
  /** false: refused, nothing stored (see errors). */
  imported: boolean;
  dryRun: boolean;
  projectCode: string | null;
  /** The project did not exist before. */
  created: boolean;
  results: { created: number; updated: number };
  indicators: { created: number; updated: number };
  targets: number;
  /** Stored anyway: results and indicators kept because the workbook does not list them, type changes over stored values. */
  warnings: LogframeIssue[];
  /** Every problem when refused ({file, sheet, row, column, message}). */
  errors: LogframeIssue[];
}

async function knownCodes(q: Queryable): Promise<KnownCodes> {
  const nodes = await q.query<{ code: string }>('SELECT code FROM framework_nodes');
  const donors = await q.query<{ code: string }>('SELECT code FROM donors');
  const projects = await q.query<{ code: string; alt_code: string | null }>('SELECT code, alt_code FROM projects');
  return {
    frameworkNodes: new Set(nodes.rows.map((r) => r.code)), donors: new Set(donors.rows.map((r) => r.code)), commonIndicators: await loadCommonIndicatorLibrary(q),
    projects: projects.rows.map((r) => ({ code: r.code, altCode: r.alt_code })),
  };
}

/** Every framework node, donor and common indicator, for the reference sheets of an export. */
async function referenceCodes(q: Queryable): Promise<LogframeReference> {
  const nodes = await q.query('SELECT code, framework, level, parent_code, title, illustrative FROM framework_nodes ORDER BY framework, code');
  const donors = await q.query<{ code: string; name: string }>('SELECT code, name FROM donors ORDER BY code');
  return {
    frameworkNodes: nodes.rows.map((n) => ({ code: n.code, framework: n.framework, level: n.level, parentCode: n.parent_code, title: n.title, illustrative: n.illustrative })),
    donors: donors.rows,
    commonIndicators: [...(await getCommonIndicators(q)).values()].map(({ createdAt: _c, updatedAt: _u, ...entry }) => entry),
  };
}

/**
 * Imports a logframe workbook: creates or updates one project by its code, all or nothing.
 * `mayDefine` (a user's right) is asked with the project's code once the workbook reads whole.
 */
export async function importLogframe(ctx: DbContext, request: LogframeImportRequest, mayDefine?: (projectCode: string) => void): Promise<LogframeImportReport> {
  const file = request.file ?? path.basename(request.path);
  const dryRun = request.dryRun ?? false;
  const report: LogframeImportReport = {
    file, imported: false, dryRun, projectCode: null, created: false,
    results: { created: 0, updated: 0 }, indicators: { created: 0, updated: 0 }, targets: 0, warnings: [], errors: [],
  };
  const workbook = await loadLogframeWorkbook(file, request.path);
  if (Array.isArray(workbook)) return { ...report, errors: workbook };

  const client = await ctx.pool.connect();
  try {
    await client.query('BEGIN');
    const reading = readLogframe(workbook, file, await knownCodes(client));
    if (!reading.ok) {
      await client.query('ROLLBACK');
      return { ...report, errors: reading.issues };
    }
    const def = reading.definition;
    const code = def.project.code;
    mayDefine?.(code);
    // One import of a project at a time: the second waits and then sees the first one's codes.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rbm:logframe:${code}`]);
    const existing = await client.query<{ id: number; illustrative: boolean }>('SELECT id, illustrative FROM projects WHERE code = $1', [code]);
    const before = existing.rows[0];
    const oldResults = new Set<string>();
    const oldIndicators = new Map<string, { type: string; frequency: ReportingFrequency; values: number }>();
    if (before) {
      for (const r of (await client.query<{ code: string }>('SELECT code FROM results WHERE project_id = $1', [before.id])).rows) oldResults.add(r.code);
      const inds = await client.query<{ code: string; type: string; reporting_frequency: ReportingFrequency; values: number }>(
        `SELECT i.code, i.type, i.reporting_frequency,
                (SELECT count(*) FROM indicator_values v WHERE v.indicator_id = i.id AND v.superseded_at IS NULL)::int AS values
           FROM indicators i WHERE i.project_id = $1`,
        [before.id],
      );
      for (const i of inds.rows) oldIndicators.set(i.code, { type: i.type, frequency: i.reporting_frequency, values: i.values });
    }
    const warn = (sheet: string, message: string) => report.warnings.push({ file, sheet, row: null, column: null, message });
    const inBook = { results: new Set(def.results.map((r) => r.code)), indicators: new Set(def.indicators.map((i) => i.code)) };
    for (const r of [...oldResults].sort()) if (!inBook.results.has(r)) warn(SHEETS.results, `result ${r} of ${code} is not in the workbook: kept as it is (an import never deletes)`);
    for (const [i, old] of [...oldIndicators].sort(([a], [b]) => a.localeCompare(b))) {
      if (!inBook.indicators.has(i)) warn(SHEETS.indicators, `indicator ${i} of ${code} is not in the workbook: kept as it is, with its ${old.values} stored values (an import never deletes)`);
    }
    for (const i of def.indicators) {
      const old = oldIndicators.get(i.code);
      if (old && old.type !== i.type && old.values > 0) warn(SHEETS.indicators, `indicator ${i.code} changes type from ${old.type} to ${i.type}; its ${old.values} stored values were entered as ${old.type}: check them`);
      if (old && i.reportingFrequency && old.frequency !== i.reportingFrequency && old.values > 0) {
        warn(SHEETS.indicators, `indicator ${i.code} changes its reporting frequency from ${old.frequency} to ${i.reportingFrequency}; its ${old.values} stored values are for ${old.frequency} periods: new data must be for ${i.reportingFrequency} periods`);
      }
    }
    // A workbook without the "Reporting frequency" column keeps each indicator's stored frequency.
    const indicators = def.indicators.map((i) => ({ ...i, reportingFrequency: i.reportingFrequency ?? oldIndicators.get(i.code)?.frequency ?? 'quarter' }));

    await upsertProject(client, { project: { ...def.project, illustrative: def.project.illustrative ?? before?.illustrative ?? false }, results: def.results, indicators, validationRules: def.validationRules });
    if (dryRun) await client.query('ROLLBACK');
    else await client.query('COMMIT');
    return {
      ...report,
      imported: !dryRun,
      projectCode: code,
      created: !before,
      results: { created: def.results.filter((r) => !oldResults.has(r.code)).length, updated: def.results.filter((r) => oldResults.has(r.code)).length },
      indicators: { created: def.indicators.filter((i) => !oldIndicators.has(i.code)).length, updated: def.indicators.filter((i) => oldIndicators.has(i.code)).length },
      targets: def.indicators.reduce((n, i) => n + Object.keys(i.targets).length, 0),
    };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

export interface LogframeExport {
  projectCode: string;
  workbook: Buffer;
  results: number;
  indicators: number;
  targets: number;
}

/** A project's results matrix as a logframe workbook, with the framework nodes and donors for reference. */
export async function buildLogframeExport(ctx: DbContext, projectCode: string): Promise<LogframeExport> {
  const bundle = await getProjectBundle(ctx.pool, projectCode);
  const workbook = await writeLogframe(
    { project: bundle.project, results: bundle.results, indicators: bundle.indicators, validationRules: bundle.validationRules },
    await referenceCodes(ctx.pool),
  );
  return {
    projectCode: bundle.project.code, workbook, results: bundle.results.length, indicators: bundle.indicators.length,
    targets: bundle.indicators.reduce((n, i) => n + Object.keys(i.targets).length, 0),
  };
}

/** Writes the export to `outFile` (its folder is created). */
export async function exportLogframeFile(ctx: DbContext, r: { projectCode: string; outFile: string }): Promise<Omit<LogframeExport, 'workbook'> & { file: string; bytes: number }> {
  const { workbook, ...rest } = await buildLogframeExport(ctx, r.projectCode);
  await fs.mkdir(path.dirname(path.resolve(r.outFile)), { recursive: true });
  await fs.writeFile(r.outFile, workbook);
  return { ...rest, file: r.outFile, bytes: workbook.length };
}
