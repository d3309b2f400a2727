/**
 * Imports of indicator data (the long format, imports/format.ts) from CSV, XLSX or JSON, and the
 * quarantine of rejected rows: list, fix and resubmit, or discard. The accepted rows of a batch are
 * stored in one transaction; the batch is remembered with its file's sha256, who and when, and counts.
 */
import { dataLocks, lockedMessage } from '../domain/approval-lock.js';
import { listApprovedCycles } from '../db/cycles-repository.js';
import { importQualityWarnings } from './import-quality.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type pg from 'pg';
import { RbmError } from '../domain/errors.js';
import { inTransaction } from '../db/pool.js';
import {
  analyseStaging, cellsObject, countQuarantine, countRejected, createBatch, createStaging, discardQuarantined, findDisaggregationMismatches, finishBatch,
  insertWarnings, listBatches, listQuarantine, loadCatalogue, lockImports, matchCurrentValues, mergeStaged, openStagingWriter, quarantineFileRows,
  recordRefusedBatch, rejectDuplicateCells, rejectGroups, rejectLockedChanges, rejectedRows, settleResubmitted, type BatchStart, type BatchSummary,
  type QuarantineEntry,
} from '../db/imports-repository.js';
import { groupRejections, mismatchWarnings, type OrdLabel } from '../imports/disaggregation-messages.js';
import type { TextEncoding } from '../imports/encoding.js';
import { COL, COLUMNS, normaliseColumnName, type Column, type SourceRow } from '../imports/format.js';
import type { DisaggregationDimension } from '../domain/results-framework.js';
import { FileRefused, refuse, type ImportIssue, type RowIssue } from '../imports/issues.js';
import { openRows } from '../imports/open-source.js';
import { findProject } from '../imports/catalogue.js';
import { RowValidator } from '../imports/row-validation.js';
import type { Principal } from './auth.js';
import type { AppContext } from './context.js';
import { dataScopeOf, notYourProject, requireDataDesk, type ProjectScope } from './data-scope.js';

type DbContext = Pick<AppContext, 'pool'>;

export interface ImportFileCommand {
  path: string;
  importedBy: string;
  delimiter?: string;
  encoding?: TextEncoding;
  /** How many problems to return (all rejected rows stay in the quarantine whatever this is). */
  errorLimit?: number;
  /**
   * The projects rows may be for (the user's, or a data source's); a row for another project is
   * rejected with "you may not enter data for project X". Absent: any project (the operator's CLI).
   */
  scope?: ProjectScope;
  /** Called as rows stream in (the CLI's progress line): rows read and rows rejected so far; once more when all are read. */
  onProgress?: (p: ImportProgress) => void;
}

export interface ImportProgress {
  /** reading: rows stream in; checking: all read, the checks across rows and the merge run. */
  stage: 'reading' | 'checking';
  rowsRead: number;
  /** Rows rejected while reading; rejections across rows (duplicates, totals) come at the end. */
  rejected: number;
}

export interface ImportReport {
  batchId: number | null;
  file: string;
  accepted: number; // rows stored: new cells and changed values (each change a new revision)
  rejected: number; // rows kept in the quarantine
  unchanged: number; // rows equal to the value already stored
  errors: ImportIssue[]; // the first problems, in row order
  warnings: ImportIssue[];
  /** Nothing could be imported: unreadable file, wrong header, wrong encoding. */
  refused: boolean;
}

/** 0 every row accepted (or unchanged), 3 some rows rejected, 2 the file refused. */
export const importExitCode = (r: ImportReport): 0 | 2 | 3 => (r.refused ? 2 : r.rejected > 0 ? 3 : 0);

export const DEFAULT_ERROR_LIMIT = 1000;

export async function importFile(ctx: DbContext, cmd: ImportFileCommand): Promise<ImportReport> {
  const file = path.basename(cmd.path);
  const limit = cmd.errorLimit ?? DEFAULT_ERROR_LIMIT;
  let start: BatchStart | undefined;
  try {
    const facts = await fileFacts(file, cmd.path);
    start = { kind: 'file', fileName: file, sha256: facts.sha256, bytes: facts.bytes, format: null, importedBy: cmd.importedBy };
    const { format, rows } = await openRows(file, cmd.path, { delimiter: cmd.delimiter, encoding: cmd.encoding });
    start.format = format;
    const batch = start;
    return await inTransaction(ctx.pool, async (tx) => {
      await lockImports(tx);
      const batchId = await createBatch(tx, batch);
      const outcome = await runBatch(tx, rows, { batchId, enteredBy: cmd.importedBy, ords: 'rows', errorLimit: limit, scope: cmd.scope, onProgress: cmd.onProgress });
      await quarantineFileRows(tx, { id: batchId, fileName: file, sha256: facts.sha256, by: cmd.importedBy });
      return finishReport(tx, batchId, file, outcome, (row) => ({ file, row }));
    });
  } catch (e) {
    if (!(e instanceof FileRefused)) throw e;
    const batchId = start ? await recordRefusedBatch(ctx.pool, start, e.message) : null;
    return { batchId, file, accepted: 0, rejected: 0, unchanged: 0, errors: e.issues, warnings: [], refused: true };
  }
}

interface BatchOutcome {
  accepted: number;
  rejected: number;
  unchanged: number;
  errors: Array<{ ord: number; reasons: RowIssue[] }>;
  warnings: Array<{ ord: number | null; column: string; message: string }>;
}

interface BatchRun {
  batchId: number;
  enteredBy: string;
  /** What `ord` (SourceRow.row) is: a row number of the file, or a quarantine entry id. */
  ords: 'rows' | 'quarantine entries' | 'a correction';
  errorLimit: number;
  /** The projects rows may be for (absent: any). */
  scope?: ProjectScope;
  onProgress?: (p: ImportProgress) => void;
}

const ordLabel = (ords: BatchRun['ords']): OrdLabel =>
  ords === 'rows' ? (ord) => `row ${ord}` : ords === 'a correction' ? () => 'the corrected value' : (ord) => `quarantine entry #${ord}`;

/**
 * One batch through the fast path: validate each row while streaming it into the staging table, then
 * the checks across rows and the merge, all set-based. `row` of each source row is its `ord`.
 */
async function runBatch(tx: pg.PoolClient, rows: AsyncIterable<SourceRow[]>, run: BatchRun): Promise<BatchOutcome> {
  const label = ordLabel(run.ords);
  const catalogue = await loadCatalogue(tx);
  const validator = new RowValidator(catalogue);
  await createStaging(tx);
  const writer = openStagingWriter(tx);
  const outOfScope = scopeCheck(run.scope, (code) => findProject(catalogue, code)?.code);
  const progress = { rowsRead: 0, rejected: 0 };
  try {
    for await (const batch of rows) {
      for (const r of batch) {
        const refusal = outOfScope(r.cells);
        if (refusal) {
          // Only this reason: a row for a project the user may not enter data for says nothing more about it.
          progress.rejected++;
          const wait = writer.rejected(r.row, r.cells, [refusal]);
          if (wait) await wait;
          continue;
        }
        const verdict = validator.validate(r.cells);
        const ok = verdict.ok && !r.issues.length;
        if (!ok) progress.rejected++;
        const wait = ok
          ? writer.valid(r.row, verdict.row)
          : writer.rejected(r.row, r.cells, combine(r.issues, verdict.ok ? [] : verdict.issues));
        if (wait) await wait;
      }
      progress.rowsRead += batch.length;
      run.onProgress?.({ stage: 'reading', ...progress });
    }
    run.onProgress?.({ stage: 'checking', ...progress });
  } catch (e) {
    await writer.abort(e instanceof Error ? e : new Error(String(e)));
    throw e;
  }
  await writer.close();
  await analyseStaging(tx);
  await rejectDuplicateCells(tx, run.ords === 'a correction' ? 'rows' : run.ords); // one row: never a duplicate
  await matchCurrentValues(tx);
  // Approved periods are locked: only a correction (one value, with a reason) may change them, and it reopens the report.
  if (run.ords !== 'a correction') await rejectLockedChanges(tx, dataLocks(await listApprovedCycles(tx)).map((l) => ({ ...l, message: lockedMessage(l) })));
  const mismatches = await findDisaggregationMismatches(tx);
  await rejectGroups(tx, groupRejections(mismatches, label));
  const merged = await mergeStaged(tx, run.enteredBy, run.batchId);
  return {
    ...merged,
    rejected: await countRejected(tx),
    errors: await rejectedRows(tx, run.errorLimit),
    // Data-quality warnings (outliers, validation rules) on what the batch stores: never refusals.
    warnings: [...mismatchWarnings(mismatches, label), ...(await importQualityWarnings(tx))],
  };
}

/** The report of a batch, its warnings stored and its counts written to the batch. */
async function finishReport(
  tx: pg.PoolClient, batchId: number, file: string, outcome: BatchOutcome, place: (ord: number | null) => { file: string; row: number | null },
): Promise<ImportReport> {
  const report: ImportReport = {
    batchId, file, accepted: outcome.accepted, rejected: outcome.rejected, unchanged: outcome.unchanged, refused: false,
    errors: outcome.errors.flatMap((e) => e.reasons.map((r) => ({ ...place(e.ord), column: r.column, message: r.message }))),
    warnings: outcome.warnings.map((w) => ({ ...place(w.ord), column: w.column, message: w.message })),
  };
  await insertWarnings(tx, batchId, report.warnings);
  await finishBatch(tx, batchId, { ...outcome, warnings: outcome.warnings.length });
  return report;
}

/**
 * The issue of a row whose project is outside the scope (undefined: in scope, or an empty code that
 * validation reports). Decided on the project the row's code resolves to (`projectOf`: its own code,
 * in any case, or its other code), as the row would be stored, not on the code as written.
 */
function scopeCheck(scope: ProjectScope | undefined, projectOf: (code: string) => string | undefined): (cells: string[]) => RowIssue | undefined {
  if (!scope || scope.all) return () => undefined;
  const seen = new Map<string, RowIssue | undefined>(); // a file names few projects and has a million rows
  return (cells) => {
    const code = (cells[COL.project_code] ?? '').trim();
    if (!code) return undefined;
    if (!seen.has(code)) {
      const allowed = scope.allows(projectOf(code) ?? code);
      seen.set(code, allowed ? undefined : { column: 'project_code', message: notYourProject(code.length > 40 ? `${code.slice(0, 40)}…` : code) });
    }
    return seen.get(code);
  };
}

/** Problems the source found (a formula cell) win over what validation then says of the emptied cell. */
function combine(source: RowIssue[], validation: RowIssue[]): RowIssue[] {
  if (!source.length) return validation;
  const taken = new Set(source.map((i) => i.column));
  return [...source, ...validation.filter((i) => !taken.has(i.column))];
}

async function fileFacts(file: string, filePath: string): Promise<{ sha256: string; bytes: number }> {
  const stat = await fs.stat(filePath).catch((e: NodeJS.ErrnoException) => {
    throw refuse(file, e.code === 'ENOENT' ? 'does not exist' : `cannot be read (${e.code ?? e.message})`);
  });
  if (!stat.isFile()) throw refuse(file, 'is not a file');
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(filePath, { highWaterMark: 1024 * 1024 })) hash.update(chunk as Buffer);
  return { sha256: hash.digest('hex'), bytes: stat.size };
}

// ---------------------------------------------------------------------------------------------------
// Quarantine

export const quarantineList = (ctx: DbContext, filter: { batchId?: number; limit?: number } = {}): Promise<QuarantineEntry[]> => listQuarantine(ctx.pool, filter);
export const quarantineCount = (ctx: DbContext, filter: { batchId?: number } = {}): Promise<number> => countQuarantine(ctx.pool, filter);
export const importBatchesList = (ctx: DbContext, limit?: number): Promise<BatchSummary[]> => listBatches(ctx.pool, limit);

export interface ResubmitCommand {
  ids: number[];
  /** Corrections applied to every given entry before it is checked again, e.g. {value: '12'}. */
  set: Record<string, string>;
  by: string;
  errorLimit?: number;
  /** The projects the user may enter data for: other entries are "not found", and a correction may not move a row out of it. */
  scope?: ProjectScope;
}

/**
 * Checks the given quarantined rows again (after applying the corrections) as one batch: accepted rows
 * are stored and leave the quarantine; rejected ones stay, with their corrections and new reasons.
 */
export async function resubmitQuarantined(ctx: DbContext, cmd: ResubmitCommand): Promise<ImportReport> {
  if (!cmd.ids.length) throw new RbmError('invalid_input', 'give the id of at least one quarantined row (see `rbm import quarantine list`)');
  const corrections = normaliseCorrections(cmd.set);
  return inTransaction(ctx.pool, async (tx) => {
    await lockImports(tx);
    const entries = await openEntries(tx, cmd.ids, cmd.scope);
    const edited = entries.map((e) => ({ id: e.id, cells: COLUMNS.map((c) => (c in corrections ? corrections[c]! : (e.cells[c] ?? ''))) }));
    const batchId = await createBatch(tx, {
      kind: 'resubmit', fileName: `quarantine ${entries.map((e) => `#${e.id}`).join(', ')}`.slice(0, 500), sha256: null, bytes: null, format: null, importedBy: cmd.by,
    });
    const rows: SourceRow[] = edited.map((e) => ({ row: e.id, cells: e.cells, issues: [] }));
    const outcome = await runBatch(tx, (async function* () { yield rows; })(), { batchId, enteredBy: cmd.by, ords: 'quarantine entries', errorLimit: cmd.errorLimit ?? DEFAULT_ERROR_LIMIT, scope: cmd.scope });
    // A correction that names a project outside the scope is refused: the entry keeps its cells, with the reason.
    const inScope = (cells: string[]) => !cmd.scope || cmd.scope.all || !(cells[COL.project_code] ?? '').trim() || cmd.scope.allows(cells[COL.project_code]!);
    const original = new Map(entries.map((e) => [e.id, e.cells]));
    await settleResubmitted(tx, batchId, cmd.by, edited.map((e) => ({ id: e.id, cells: inScope(e.cells) ? cellsObject(e.cells) : original.get(e.id)! })));
    // Problems are reported on the row of the file the entry came from.
    const byId = new Map(entries.map((e) => [e.id, e]));
    return finishReport(tx, batchId, 'quarantine', outcome, (id) => ({ file: byId.get(id ?? -1)?.file ?? 'quarantine', row: byId.get(id ?? -1)?.row ?? null }));
  });
}

export interface ValueCorrectionCommand {
  projectCode: string;
  indicatorCode: string;
  period: string;
  /** The cell's disaggregation ('' or absent: not split by that dimension). */
  disaggregation: Partial<Record<DisaggregationDimension, string>>;
  /** As typed: checked like a cell of a file (numbers, yes/no, text for qualitative indicators). */
  value: string;
  numerator?: string;
  denominator?: string;
  /** Why it changed: required, it stays with the revision. */
  comment: string;
  evidenceUrl?: string;
  by: string;
}

/**
 * One value corrected by hand (the web's indicator page): the same checks and revision rules as a
 * row of a file, in a batch of its own ("correction by USER"); a refused correction stores nothing and
 * is not quarantined (the officer sees why at once).
 */
export async function correctValue(ctx: DbContext, c: ValueCorrectionCommand): Promise<ImportReport> {
  if (!c.comment.trim()) throw new RbmError('invalid_input', 'say why the value changes: the comment stays with the new revision', { field: 'comment', in: 'body' });
  const given: Partial<Record<Column, string>> = {
    project_code: c.projectCode, indicator_code: c.indicatorCode, period: c.period, value: c.value, ...c.disaggregation,
    numerator: c.numerator ?? '', denominator: c.denominator ?? '', comment: c.comment.trim(), evidence_url: c.evidenceUrl ?? '', source: `corrected by ${c.by}`,
  };
  const cells = COLUMNS.map((col) => given[col]?.trim() ?? '');
  const file = `correction by ${c.by}`;
  return inTransaction(ctx.pool, async (tx) => {
    await lockImports(tx);
    const batchId = await createBatch(tx, { kind: 'correction', fileName: file, sha256: null, bytes: null, format: null, importedBy: c.by });
    const rows: SourceRow[] = [{ row: 1, cells, issues: [] }];
    const outcome = await runBatch(tx, (async function* () { yield rows; })(), { batchId, enteredBy: c.by, ords: 'a correction', errorLimit: DEFAULT_ERROR_LIMIT });
    return finishReport(tx, batchId, file, outcome, () => ({ file, row: null }));
  });
}

/** Drops quarantined rows that should not be imported (all of them, or none if one id is not open). */
export async function discardQuarantinedRows(ctx: DbContext, ids: number[], by: string, scope?: ProjectScope): Promise<number[]> {
  return inTransaction(ctx.pool, async (tx) => {
    await openEntries(tx, ids, scope);
    return discardQuarantined(tx, ids, by);
  });
}

/** The open entries of `ids`; one that is not open, or not of a project in `scope`, is "not found". */
async function openEntries(q: pg.PoolClient, ids: number[], scope?: ProjectScope): Promise<QuarantineEntry[]> {
  const entries = await listQuarantine(q, { ids, projects: scope && !scope.all ? scope.projects : undefined });
  const open = new Set(entries.map((e) => e.id));
  const missing = ids.filter((id) => !open.has(id));
  if (missing.length) throw new RbmError('not_found', `no open quarantine entry ${missing.map((id) => `#${id}`).join(', ')} (see \`rbm import quarantine list\`)`);
  return entries;
}

function normaliseCorrections(set: Record<string, string>): Partial<Record<Column, string>> {
  const out: Partial<Record<Column, string>> = {};
  for (const [key, value] of Object.entries(set)) {
    const column = normaliseColumnName(key) as Column;
    if (!(column in COL)) throw new RbmError('invalid_input', `--set ${key}: not a column of the format (${COLUMNS.join(', ')})`);
    out[column] = value;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The data desk as a signed-in user uses it (web pages and API): the role and the user's projects are
// checked here, for every read and write.

/** Imports a file for the user: rows for projects outside the user's scope are rejected, the others land. */
export async function importFileAs(ctx: DbContext, p: Principal, cmd: Omit<ImportFileCommand, 'importedBy' | 'scope'>): Promise<ImportReport> {
  requireDataDesk(p);
  return importFile(ctx, { ...cmd, importedBy: p.userId, scope: dataScopeOf(p) });
}

/** The open quarantine entries of the user's projects (an unscoped officer also sees rows naming no or an unknown project). */
export async function quarantineFor(ctx: DbContext, p: Principal, filter: { batchId?: number; project?: string; limit?: number } = {}): Promise<QuarantineEntry[]> {
  requireDataDesk(p);
  const scope = dataScopeOf(p);
  if (filter.project && !scope.allows(filter.project)) return [];
  const projects = filter.project ? [filter.project] : scope.all ? undefined : scope.projects;
  return listQuarantine(ctx.pool, { batchId: filter.batchId, limit: filter.limit, projects });
}

/** The latest import batches the user may see: all for an unscoped officer; else their own and those of their projects. */
export async function importBatchesFor(ctx: DbContext, p: Principal, limit?: number): Promise<BatchSummary[]> {
  requireDataDesk(p);
  const scope = dataScopeOf(p);
  return listBatches(ctx.pool, limit, scope.all ? undefined : { userId: p.userId, projects: scope.projects });
}

/** Resubmits quarantined rows of the user's projects; a correction may not move a row to another project. */
export async function resubmitQuarantinedAs(ctx: DbContext, p: Principal, cmd: Omit<ResubmitCommand, 'by' | 'scope'>): Promise<ImportReport> {
  requireDataDesk(p);
  return resubmitQuarantined(ctx, { ...cmd, by: p.userId, scope: dataScopeOf(p) });
}

/** Discards quarantined rows of the user's projects (an entry of another project is "not found"). */
export async function discardQuarantinedAs(ctx: DbContext, p: Principal, ids: number[]): Promise<number[]> {
  requireDataDesk(p);
  return discardQuarantinedRows(ctx, ids, p.userId, dataScopeOf(p));
}
