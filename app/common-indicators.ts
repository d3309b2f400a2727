/**
 * Use cases of the mission's library of common indicators (domain/common-indicators.ts): list it with
 * how many project indicators and projects link to each entry, show one entry with its linked project
 * indicators, and create or update entries from a CSV or XLSX file (the header is documented in
 * domain/common-indicators.ts and by `rbm common-indicators import --help`).
 *
 * An import is all or nothing, like a logframe import: the file is checked whole (every problem with
 * its file, row and column), then against the database (framework nodes exist; an entry that project
 * indicators link to keeps its type, since a link is only allowed between indicators of the same
 * type), and only then are the entries written, in one transaction. Entries the file does not list
 * are kept.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import {
  getCommonIndicators, linkedIndicators, linksOfOtherType, listCommonIndicators, upsertCommonIndicators,
  type CommonIndicatorListRow, type CommonIndicatorRow, type LinkedIndicator, type UpsertOutcome,
} from '../db/common-indicators-repository.js';
import { getProjectBundle } from '../db/portfolio-repository.js';
import { databaseNow, readRollupValuesAsOf } from '../db/values-repository.js';
import { RbmError } from '../domain/errors.js';
import { parsePeriod } from '../domain/periods.js';
import { parseRuleExpression } from '../domain/data-quality.js';
import { rollupCommonIndicator, type CommonIndicatorPeriod } from '../domain/rollup.js';
import { readLibraryRows, typeWord, type CommonIndicator, type LibraryIssue, type LibraryRow } from '../domain/common-indicators.js';
import type { IndicatorType } from '../domain/results-framework.js';
import { clip } from '../domain/value-rules.js';
import { CsvSyntaxError, parseComplete } from '../imports/csv-records.js';
import { hasUtf8Bom } from '../imports/encoding.js';
import { FileRefused } from '../imports/issues.js';
import { detectFormat } from '../imports/open-source.js';
import { columnLetter } from '../imports/xlsx-source.js';
import { loadLogframeWorkbook } from '../logframe/reader.js';
import { can, type Principal } from './auth.js';
import type { AppContext } from './context.js';
import { requireStaff } from './web-views.js';

type DbContext = Pick<AppContext, 'pool'>;

/** A library is a few hundred rows: a file far larger than that is not one. */
const MAX_FILE_BYTES = 20 * 1024 * 1024;

export const commonIndicatorsList = (ctx: DbContext): Promise<CommonIndicatorListRow[]> => listCommonIndicators(ctx.pool);

/**
 * The library as a staff user sees it: each entry names only the projects the user may read among
 * those linking to it (a project's code is not told to others); the counts stay over all of them, as
 * an entry's page says how many linked indicators are in projects the user cannot see.
 */
export async function commonIndicatorsFor(ctx: DbContext, p: Principal): Promise<CommonIndicatorListRow[]> {
  requireStaff(p, 'the library of common indicators is for IOM staff');
  return (await listCommonIndicators(ctx.pool)).map((r) => ({ ...r, projects: r.projects.filter((code) => can(p, 'read_project', code)) }));
}

/** One entry as a staff user sees it: the linked indicators and the results over the projects the user may read, and how many are hidden. */
export async function commonIndicatorFor(ctx: DbContext, p: Principal, code: string): Promise<CommonIndicatorView & { hidden: number; results: CommonIndicatorResults }> {
  requireStaff(p, 'the library of common indicators is for IOM staff');
  const view = await commonIndicatorShow(ctx, code);
  const canRead = (projectCode: string) => can(p, 'read_project', projectCode);
  const indicators = view.indicators.filter((i) => canRead(i.projectCode));
  return { ...view, indicators, hidden: view.indicators.length - indicators.length, results: await commonIndicatorResults(ctx, code, { canRead }) };
}

export interface CommonIndicatorView extends CommonIndicatorRow {
  linkedIndicators: number;
  linkedProjects: number;
  /** The project indicators that link to it. */
  indicators: LinkedIndicator[];
}

/** One entry with the project indicators linked to it; not_found (exit 4) for an unknown code. */
export async function commonIndicatorShow(ctx: DbContext, code: string): Promise<CommonIndicatorView> {
  const entry = (await getCommonIndicators(ctx.pool, [code])).get(code);
  if (!entry) throw new RbmError('not_found', `no common indicator ${code} (see \`rbm common-indicators list\`)`);
  const indicators = await linkedIndicators(ctx.pool, code);
  return { ...entry, linkedIndicators: indicators.length, linkedProjects: new Set(indicators.map((i) => i.projectCode)).size, indicators };
}

export interface CommonIndicatorResults {
  /** The projects rolled up (those the reader may see, among the linked ones). */
  projects: string[];
  /** The last quarters with a value of a linked indicator, oldest first. */
  periods: CommonIndicatorPeriod[];
}

/**
 * The entry's mission-wide results of the last `quarters` quarters reported: every linked project
 * indicator of the projects `canRead` allows, rolled into one line per quarter (domain/rollup.ts).
 */
export async function commonIndicatorResults(
  ctx: DbContext, code: string, opts: { canRead?: (projectCode: string) => boolean; quarters?: number } = {},
): Promise<CommonIndicatorResults> {
  const entry = (await getCommonIndicators(ctx.pool, [code])).get(code);
  if (!entry) throw new RbmError('not_found', `no common indicator ${code} (see \`rbm common-indicators list\`)`);
  const links = (await linkedIndicators(ctx.pool, code)).filter((l) => opts.canRead?.(l.projectCode) ?? true);
  const projectCodes = [...new Set(links.map((l) => l.projectCode))];
  if (!projectCodes.length) return { projects: [], periods: [] };
  const values = await readRollupValuesAsOf(ctx.pool, await databaseNow(ctx.pool));
  const linked = [];
  for (const projectCode of projectCodes) {
    const bundle = await getProjectBundle(ctx.pool, projectCode);
    for (const l of links.filter((x) => x.projectCode === projectCode)) {
      const indicator = bundle.indicators.find((i) => i.code === l.indicatorCode);
      if (indicator) linked.push({ project: bundle.project, indicator, values: (values.get(projectCode) ?? []).filter((v) => v.indicatorCode === indicator.code) });
    }
  }
  const reported = new Set(linked.flatMap((l) => l.values.filter((v) => v.value !== null).map((v) => v.period)).filter((p) => parsePeriod(p).kind === 'quarter'));
  const periods = [...reported].sort().slice(-(opts.quarters ?? 4));
  return { projects: projectCodes, periods: rollupCommonIndicator(entry, linked, periods) };
}

export interface CommonIndicatorImportRequest {
  path: string;
  /** The name problems are reported under (default: the file's base name). */
  file?: string;
  /** Check and count only; nothing is stored. */
  dryRun?: boolean;
}

export interface CommonIndicatorImportReport {
  file: string;
  /** false: refused, nothing stored (see errors); or a dry run. */
  imported: boolean;
  dryRun: boolean;
  created: number;
  updated: number;
  unchanged: number;
  /** What happened (or would happen) to each entry of the file. */
  entries: Array<{ code: string; row: number; outcome: UpsertOutcome }>;
  /** Every problem when refused: {file, row, column, message}. */
  errors: LibraryIssue[];
}

/** Creates or updates library entries from a CSV or XLSX file, all or nothing. */
export async function importCommonIndicators(ctx: DbContext, request: CommonIndicatorImportRequest): Promise<CommonIndicatorImportReport> {
  const file = request.file ?? path.basename(request.path);
  const dryRun = request.dryRun ?? false;
  const report: CommonIndicatorImportReport = { file, imported: false, dryRun, created: 0, updated: 0, unchanged: 0, entries: [], errors: [] };
  const read = await readLibraryFile(file, request.path);
  if ('issues' in read) return { ...report, errors: read.issues };

  const client = await ctx.pool.connect();
  try {
    await client.query('BEGIN');
    // One library import at a time: the second waits, then checks against the first one's entries.
    await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['rbm:common-indicators']);
    const nodes = new Set((await client.query<{ code: string }>('SELECT code FROM framework_nodes')).rows.map((r) => r.code));
    const reading = readLibraryRows(file, read.rows, nodes);
    const errors = [...reading.issues];
    // A library rule names entries of the library (this file's or stored ones).
    const known = new Set([...reading.entries.map((e) => e.code), ...(await getCommonIndicators(client)).keys()]);
    for (const e of reading.entries) {
      const expr = e.validationRule ? parseRuleExpression(e.validationRule) : null;
      for (const c of expr?.ok ? [...expr.left, ...expr.right] : []) {
        if (!known.has(c)) errors.push({ file, row: e.row, column: 'validation_rule', message: `"${c}" is not a common indicator of the library (nor of this file)` });
      }
    }
    // An entry that project indicators link to keeps its type: the links would join indicators of another type.
    const existing = await getCommonIndicators(client, reading.entries.map((e) => e.code));
    const retyped = new Map<string, IndicatorType>(reading.entries.filter((e) => existing.has(e.code) && existing.get(e.code)!.type !== e.type).map((e) => [e.code, e.type]));
    const blocked = await linksOfOtherType(client, retyped);
    for (const e of reading.entries) {
      const links = blocked.get(e.code);
      if (!links) continue;
      const was = existing.get(e.code)!.type;
      const names = links.slice(0, 5).map((l) => `${l.projectCode}/${l.indicatorCode}`).join(', ');
      errors.push({
        file, row: e.row, column: 'type',
        message: `${e.code} is ${typeWord(was)} indicator linked by ${links.length} project indicator${links.length === 1 ? '' : 's'} (${names}${links.length > 5 ? ', …' : ''}): it cannot become ${typeWord(e.type)} indicator; unlink them (or change their type) first, or add a new common indicator`,
      });
    }
    if (errors.length) {
      await client.query('ROLLBACK');
      return { ...report, errors: errors.sort((a, b) => (a.row ?? 0) - (b.row ?? 0)) };
    }
    const entries: CommonIndicator[] = reading.entries.map(({ row: _row, ...e }) => e);
    const outcome = await upsertCommonIndicators(client, entries);
    await client.query(dryRun ? 'ROLLBACK' : 'COMMIT');
    const list = reading.entries.map((e) => ({ code: e.code, row: e.row, outcome: outcome.get(e.code)! }));
    const count = (o: UpsertOutcome) => list.filter((x) => x.outcome === o).length;
    return { ...report, imported: !dryRun, created: count('created'), updated: count('updated'), unchanged: count('unchanged'), entries: list };
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

// ---- reading the file ------------------------------------------------------------------------------

const fileIssue = (file: string, message: string, row: number | null = null, column: string | null = null): { issues: LibraryIssue[] } => ({ issues: [{ file, row, column, message }] });

/** The rows of a CSV (UTF-8, comma-separated) or of the first worksheet of an XLSX; unreadable files become issues. */
export async function readLibraryFile(file: string, filePath: string): Promise<{ rows: LibraryRow[] } | { issues: LibraryIssue[] }> {
  let bytes: Buffer;
  try {
    const stat = await fs.stat(filePath);
    if (stat.isDirectory()) return fileIssue(file, 'is a folder, not a file');
    if (stat.size > MAX_FILE_BYTES) return fileIssue(file, `is ${Math.round(stat.size / 1024 / 1024)} MB: a library file is at most ${MAX_FILE_BYTES / 1024 / 1024} MB`);
    bytes = await fs.readFile(filePath);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return fileIssue(file, code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? (e as Error).message})`);
  }
  let format: string;
  try {
    format = detectFormat(file, bytes.subarray(0, 4096));
  } catch (e) {
    if (e instanceof FileRefused) return { issues: e.issues };
    throw e;
  }
  if (format === 'json') return fileIssue(file, 'is JSON: import the library from a CSV or XLSX file whose header is code,title,type,... (see `rbm common-indicators import --help`)');
  return format === 'xlsx' ? readWorkbookRows(file, filePath) : readCsvRows(file, bytes);
}

function readCsvRows(file: string, bytes: Buffer): { rows: LibraryRow[] } | { issues: LibraryIssue[] } {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(hasUtf8Bom(bytes) ? bytes.subarray(3) : bytes);
  } catch {
    return fileIssue(file, 'is not UTF-8 text: save it as "CSV UTF-8 (comma delimited)" and import it again');
  }
  if (text.includes('\u0000')) return fileIssue(file, 'is not a text file (it holds NUL bytes): save it as "CSV UTF-8 (comma delimited)"');
  try {
    const { records } = parseComplete(text, ',', true);
    return { rows: records.map((cells, k) => ({ row: k + 1, cells })) };
  } catch (e) {
    if (e instanceof CsvSyntaxError) return fileIssue(file, e.message, e.record);
    throw e;
  }
}

async function readWorkbookRows(file: string, filePath: string): Promise<{ rows: LibraryRow[] } | { issues: LibraryIssue[] }> {
  const wb = await loadLogframeWorkbook(file, filePath); // the zip-bomb checks, then exceljs
  if (Array.isArray(wb)) return { issues: wb.map(({ sheet: _s, ...i }) => i) };
  const ws = wb.worksheets[0];
  if (!ws) return fileIssue(file, 'has no worksheet');
  const width = ws.columnCount;
  const rows: LibraryRow[] = [];
  for (let r = 1; r <= ws.rowCount; r++) {
    const cells: string[] = [];
    const issues: NonNullable<LibraryRow['issues']> = [];
    for (let c = 1; c <= width; c++) {
      const cell = ws.getCell(r, c);
      const v = cell.value as unknown;
      if (v === null || v === undefined) cells.push('');
      else if (typeof v === 'string') cells.push(v);
      else if (typeof v === 'number' || typeof v === 'boolean') cells.push(String(v));
      else if (v instanceof Date) cells.push(v.toISOString().slice(0, 10));
      else if (typeof v === 'object') {
        const o = v as { richText?: Array<{ text: string }>; formula?: string; sharedFormula?: string; text?: unknown; error?: string };
        if (o.formula !== undefined || o.sharedFormula !== undefined) {
          issues.push({ column: c - 1, message: `holds a formula (=${clip(String(o.formula ?? o.sharedFormula))}) in cell ${columnLetter(c)}${r}: type or paste the value only` });
          cells.push('');
        } else if (o.error !== undefined) {
          issues.push({ column: c - 1, message: `holds the Excel error ${o.error} in cell ${columnLetter(c)}${r}` });
          cells.push('');
        } else cells.push(o.richText ? o.richText.map((t) => t.text).join('') : typeof o.text === 'string' ? o.text : '');
      } else cells.push(String(v));
    }
    rows.push({ row: r, cells, ...(issues.length ? { issues } : {}) });
  }
  return { rows };
}
