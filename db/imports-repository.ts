/**
 * Storage of imports. The fast path of a batch, all inside one transaction:
 *   rows -> COPY into a temporary staging table (valid rows normalised, rejected rows with their cells
 *   and reasons) -> set-based checks across rows (duplicate cells; disaggregations against the total)
 *   -> set-based merge into indicator_values with the revision semantics of values-repository.ts
 *   (a changed row supersedes the current one; an identical row is left alone and counted unchanged)
 *   -> rejected rows into the quarantine.
 * Also the batches, warnings and quarantine entries themselves.
 */
import { once } from 'node:events';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import type { PeriodKind } from '../domain/periods.js';
import { buildCatalogue, type Catalogue, type CatalogueIndicator } from '../imports/catalogue.js';
import { copyLine, copyNumber, copyText } from '../imports/copy-text.js';
import type { DisaggregationMismatch } from '../imports/disaggregation-messages.js';
import type { Cells } from '../imports/format.js';
import { COLUMNS } from '../imports/format.js';
import type { RowIssue } from '../imports/issues.js';
import type { ValidRow } from '../imports/row-validation.js';
import type { Queryable } from './pool.js';

// ---------------------------------------------------------------------------------------------------
// Catalogue

export async function loadCatalogue(q: Queryable): Promise<Catalogue> {
  const projects = await q.query(`SELECT code, alt_code, start_date::text AS start_date, end_date::text AS end_date FROM projects`);
  const indicators = await q.query(
    `SELECT i.id, i.code, p.code AS project_code, i.type, i.time_aggregation, i.disaggregations, i.disaggregation_check, i.reporting_frequency
       FROM indicators i JOIN projects p ON p.id = i.project_id`,
  );
  return buildCatalogue(
    projects.rows.map((r) => ({ code: r.code, altCode: r.alt_code, startDate: r.start_date, endDate: r.end_date })),
    indicators.rows.map(
      (r): CatalogueIndicator => ({
        id: r.id, code: r.code, projectCode: r.project_code, type: r.type, timeAggregation: r.time_aggregation,
        disaggregations: r.disaggregations, disaggregationCheck: r.disaggregation_check, frequency: r.reporting_frequency as PeriodKind,
      }),
    ),
  );
}

// ---------------------------------------------------------------------------------------------------
// Batches

export interface BatchStart {
  kind: 'file' | 'resubmit' | 'correction';
  fileName: string;
  sha256: string | null;
  bytes: number | null;
  format: string | null;
  importedBy: string;
}
export interface BatchCounts {
  accepted: number;
  rejected: number;
  unchanged: number;
  warnings: number;
}

/** One import at a time: two batches merging the same cells would trip over each other. */
export async function lockImports(tx: pg.PoolClient): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', ['rbm:import']);
}

export async function createBatch(q: Queryable, b: BatchStart): Promise<number> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO import_batches (kind, file_name, file_sha256, file_bytes, format, imported_by, status)
     VALUES ($1, $2, $3, $4, $5, $6, 'running') RETURNING id`,
    [b.kind, b.fileName, b.sha256, b.bytes, b.format, b.importedBy],
  );
  return Number(rows[0]!.id);
}

export async function finishBatch(q: Queryable, id: number, c: BatchCounts): Promise<void> {
  await q.query(
    `UPDATE import_batches SET status = 'stored', finished_at = clock_timestamp(), accepted = $2, rejected = $3, unchanged = $4, warnings = $5 WHERE id = $1`,
    [id, c.accepted, c.rejected, c.unchanged, c.warnings],
  );
}

/** A file that could not be imported at all is remembered too (outside the rolled-back transaction). */
export async function recordRefusedBatch(q: Queryable, b: BatchStart, refusal: string): Promise<number> {
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO import_batches (kind, file_name, file_sha256, file_bytes, format, imported_by, status, finished_at, refusal)
     VALUES ($1, $2, $3, $4, $5, $6, 'refused', clock_timestamp(), $7) RETURNING id`,
    [b.kind, b.fileName, b.sha256, b.bytes, b.format, b.importedBy, refusal],
  );
  return Number(rows[0]!.id);
}

export interface BatchSummary {
  id: number;
  kind: string;
  fileName: string;
  sha256: string | null;
  format: string | null;
  importedBy: string;
  startedAt: string;
  status: string;
  accepted: number;
  rejected: number;
  unchanged: number;
  warnings: number;
  refusal: string | null;
}

/**
 * The latest batches; with `visibleTo`, only those the user imported, those with quarantined rows of
 * the given projects, and those of the data sources of those projects (a project-scoped officer).
 */
export async function listBatches(q: Queryable, limit = 50, visibleTo?: { userId: string; projects: string[] }): Promise<BatchSummary[]> {
  const { rows } = await q.query(
    `SELECT b.* FROM import_batches b
      WHERE $2::text IS NULL OR b.imported_by = $2
         OR EXISTS (SELECT 1 FROM import_quarantine iq WHERE iq.batch_id = b.id AND upper(trim(iq.cells->>'project_code')) = ANY($3::text[]))
         OR EXISTS (SELECT 1 FROM gather_runs g WHERE b.imported_by = 'source:' || g.source_id AND upper(g.project_code) = ANY($3::text[]))
      ORDER BY b.id DESC LIMIT $1`,
    [limit, visibleTo?.userId ?? null, visibleTo?.projects.map((c) => c.toUpperCase()) ?? []],
  );
  return rows.map((r) => ({
    id: Number(r.id), kind: r.kind, fileName: r.file_name, sha256: r.file_sha256, format: r.format, importedBy: r.imported_by,
    startedAt: (r.started_at as Date).toISOString(), status: r.status, accepted: r.accepted, rejected: r.rejected,
    unchanged: r.unchanged, warnings: r.warnings, refusal: r.refusal,
  }));
}

export async function insertWarnings(q: Queryable, batchId: number, warnings: Array<{ row: number | null; column: string | null; message: string }>): Promise<void> {
  if (!warnings.length) return;
  await q.query(
    `INSERT INTO import_warnings (batch_id, row_number, column_name, message)
     SELECT $1, w.row_number, w.column_name, w.message FROM jsonb_to_recordset($2::jsonb) AS w(row_number int, column_name text, message text)`,
    [batchId, JSON.stringify(warnings.map((w) => ({ row_number: w.row, column_name: w.column, message: w.message })))],
  );
}

// ---------------------------------------------------------------------------------------------------
// Staging

const CELL_COLUMNS = ['sex', 'age_group', 'population_type', 'nationality', 'location'] as const;
const STAGING_COLUMNS = ['ord', 'indicator_id', 'period', ...CELL_COLUMNS, 'value', 'numerator', 'denominator', 'text_value', 'source', 'comment', 'evidence_url', 'raw', 'problems'] as const;
const SAME_CELL = (a: string, b: string) => ['indicator_id', 'period', ...CELL_COLUMNS].map((c) => `${a}.${c} = ${b}.${c}`).join(' AND ');

/**
 * The staging table of this transaction. `ord` identifies a row: its row number in the file, or the
 * quarantine entry id on a resubmission. `problems` is null for a row that passed its own checks.
 */
export async function createStaging(tx: pg.PoolClient): Promise<void> {
  // Hashing a million staged rows in memory rather than on disk; and hash joins rather than merge
  // joins, which would sort a million rows on seven text columns (seconds) to match cells.
  await tx.query(`SET LOCAL work_mem = '256MB'`);
  await tx.query(`SET LOCAL enable_mergejoin = off`);
  await tx.query(`DROP TABLE IF EXISTS import_staging`);
  await tx.query(
    `CREATE TEMP TABLE import_staging (
       ord bigint NOT NULL, indicator_id int, period text,
       sex text, age_group text, population_type text, nationality text, location text,
       value numeric, numerator numeric, denominator numeric, text_value text,
       source text, comment text, evidence_url text, raw jsonb, problems jsonb
     ) ON COMMIT DROP`,
  );
}

export interface StagingWriter {
  valid(ord: number, row: ValidRow): Promise<void> | void;
  rejected(ord: number, cells: Cells, issues: RowIssue[]): Promise<void> | void;
  /** Ends the COPY; resolves when PostgreSQL has every row. */
  close(): Promise<void>;
  /** Cancels the COPY (the connection is usable again for the ROLLBACK once this resolves). */
  abort(reason: Error): Promise<void>;
}

const FLUSH_CHARS = 256 * 1024;

/** Streams rows into the staging table with COPY, in chunks, waiting when the socket is full. */
export function openStagingWriter(tx: pg.PoolClient): StagingWriter {
  const stream = tx.query(copyStreams.from(`COPY import_staging (${STAGING_COLUMNS.join(', ')}) FROM STDIN`));
  let failure: Error | undefined;
  stream.on('error', (e: Error) => (failure = e));
  let pending = '';
  const push = (line: string): Promise<void> | void => {
    pending += line;
    if (pending.length < FLUSH_CHARS) return;
    if (failure) throw failure;
    const ok = stream.write(pending);
    pending = '';
    if (!ok) return once(stream, 'drain').then(() => undefined);
  };
  return {
    valid(ord, r) {
      // Written out field by field: this line is built a million times for a large file.
      const d = r.dims;
      return push(
        `${ord}\t${r.indicatorId}\t${copyText(r.period)}\t${copyText(d[0])}\t${copyText(d[1])}\t${copyText(d[2])}\t${copyText(d[3])}\t${copyText(d[4])}\t` +
          `${copyNumber(r.value)}\t${copyNumber(r.numerator)}\t${copyNumber(r.denominator)}\t${copyText(r.text)}\t` +
          `${copyText(r.source)}\t${copyText(r.comment)}\t${copyText(r.evidenceUrl)}\t\\N\t\\N\n`,
      );
    },
    rejected(ord, cells, issues) {
      return push(copyLine([ord, null, null, null, null, null, null, null, null, null, null, null, null, null, null, JSON.stringify(cellsObject(cells)), JSON.stringify(issues)]));
    },
    async close() {
      if (failure) throw failure;
      const finished = once(stream, 'finish');
      stream.end(pending);
      pending = '';
      await finished;
      if (failure) throw failure;
    },
    async abort(reason) {
      if (stream.destroyed) return;
      const closed = new Promise<void>((resolve) => stream.once('close', () => resolve()));
      stream.destroy(reason);
      await closed;
    },
  };
}

/** The non-empty cells of a row as {column: text}: how a quarantined row is kept. */
export function cellsObject(cells: Cells): Record<string, string> {
  const o: Record<string, string> = {};
  COLUMNS.forEach((c, i) => {
    if (cells[i]) o[c] = cells[i]!;
  });
  return o;
}

/** Statistics for the planner: it otherwise takes the freshly filled table for an empty one. */
export async function analyseStaging(tx: pg.PoolClient): Promise<void> {
  await tx.query('ANALYZE import_staging');
}

/**
 * Rejects every row whose cell (indicator, period, disaggregation) appears more than once in the batch,
 * each naming the first six rows of its cell (and how many more). Linear in the rows whatever the
 * repeats: the duplicated cells by hashing, then the rows of those cells once, aggregated once per
 * cell (its count and first rows, materialised), then one hash join to mark them.
 */
export async function rejectDuplicateCells(tx: pg.PoolClient, ordLabel: 'rows' | 'quarantine entries'): Promise<number> {
  const prefix = ordLabel === 'rows' ? '' : '#';
  const cell = ['indicator_id', 'period', ...CELL_COLUMNS];
  // Duplicated cells first, by hashing (sorting a million rows on seven text columns takes seconds);
  // then the rows of those cells only. Hash joins throughout: the planner guesses how many cells are
  // duplicated, and a nested loop over a wrong guess scans the staging table once per cell.
  await tx.query('SET LOCAL enable_nestloop = off');
  const res = await tx.query(
    `WITH dup AS MATERIALIZED (
       SELECT ${cell.join(', ')} FROM import_staging WHERE problems IS NULL
        GROUP BY ${cell.join(', ')} HAVING count(*) > 1
     ), d AS MATERIALIZED (
       SELECT ${cell.map((c) => `s.${c}`).join(', ')}, count(*) AS n, (array_agg(s.ord ORDER BY s.ord))[1:6] AS ords
         FROM import_staging s JOIN dup ON ${SAME_CELL('s', 'dup')}
        WHERE s.problems IS NULL
        GROUP BY ${cell.map((c) => `s.${c}`).join(', ')}
     )
     UPDATE import_staging s
        SET problems = jsonb_build_array(jsonb_build_object('column', NULL, 'message', format(
              'the same value (project, indicator, period and disaggregation) is given on %s %s%s%s: keep one and resubmit it',
              $1::text, $2::text, array_to_string(d.ords, ', ' || $2::text),
              CASE WHEN d.n > 6 THEN format(' and %s more', d.n - 6) ELSE '' END)))
       FROM d
      WHERE s.problems IS NULL AND ${SAME_CELL('s', 'd')}`,
    [ordLabel, prefix],
  );
  await tx.query('SET LOCAL enable_nestloop = on');
  return res.rowCount ?? 0;
}

/**
 * Disaggregations that do not add up to the total, in the state the batch would leave: the batch's
 * rows over the stored current rows of the same indicators and periods. Each combination of dimensions
 * (sex; location; sex x location ...) must add up to the total on its own. Counts are summed (not
 * averages: an average per group does not add up); percentages and ratios by numerator and denominator.
 * Only combinations the batch touches are reported, so an old inconsistency does not reject new rows.
 */
export async function findDisaggregationMismatches(tx: pg.PoolClient): Promise<DisaggregationMismatch[]> {
  // The combination of dimensions as a bit mask (one bit per dimension, 0 the total): a small hash key
  // for the ~600,000 combinations of a million-row file; named ("sex x location") only in the result.
  const mask = (t: string) => CELL_COLUMNS.map((c, k) => `((${t}.${c} <> '')::int << ${k})`).join(' | ');
  const signature = (m: string) => `concat_ws(' x ', ${CELL_COLUMNS.map((c, k) => `CASE WHEN ${m} & ${1 << k} <> 0 THEN '${c.replace('_', ' ')}' END`).join(', ')})`;
  // sum() skips nulls; the filter keeps it from allocating a numeric sum for a group of nulls only.
  const sums = (t: string) => `${['value', 'numerator', 'denominator'].map((c) => `sum(${t}.${c}) FILTER (WHERE ${t}.${c} IS NOT NULL) AS ${c}`).join(', ')},
       count(*) AS n, count(${t}.numerator) AS with_numerator, count(${t}.denominator) AS with_denominator`;
  // sum() over the rows of both sides: null when neither side has a value.
  const plus = (c: string) => `CASE WHEN b.${c} IS NULL THEN st.${c} WHEN st.${c} IS NULL THEN b.${c} ELSE b.${c} + st.${c} END AS ${c}`;
  // Grouped by sorting: hashing ~600,000 groups, each with its numeric sums, takes ~400 MB and spills
  // to disk, while sorting the rows on (indicator, period, mask) then summing each run is about twice
  // as fast and small.
  await tx.query('SET LOCAL enable_hashagg = off');
  // Sums per (indicator, period, dimension combination) of the batch in one pass, then of the stored rows
  // of the same indicators and periods that the batch does not replace (import_matched: see
  // matchCurrentValues, which must run first); the combination 0 is the total.
  const { rows } = await tx.query(
    `WITH checked AS (
       SELECT id, type FROM indicators WHERE type IN ('percentage', 'ratio') OR (type = 'count' AND time_aggregation <> 'average')
     ), batch AS (
       SELECT s.indicator_id, s.period, ${mask('s')} AS sig, c.type, ${sums('s')}, min(s.ord) AS first_ord
         FROM import_staging s JOIN checked c ON c.id = s.indicator_id WHERE s.problems IS NULL
        GROUP BY 1, 2, 3, 4
     ), touched AS (
       SELECT DISTINCT indicator_id, period, type FROM batch
     ), stored AS (
       SELECT v.indicator_id, v.period, ${mask('v')} AS sig, t.type, ${sums('v')}, NULL::bigint AS first_ord
         FROM indicator_values v JOIN touched t ON t.indicator_id = v.indicator_id AND t.period = v.period
        WHERE v.superseded_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM import_matched m WHERE m.id = v.id)
        GROUP BY 1, 2, 3, 4
     ), combined AS (
       -- The batch's sums plus the stored ones of the same combination, joined (most combinations are on
       -- one side only) rather than grouped a second time: a million-row file has ~600,000 combinations.
       SELECT coalesce(b.indicator_id, st.indicator_id) AS indicator_id, coalesce(b.period, st.period) AS period,
              coalesce(b.sig, st.sig) AS sig, coalesce(b.type, st.type) AS type, ${['value', 'numerator', 'denominator'].map(plus).join(', ')},
              ${['n', 'with_numerator', 'with_denominator'].map((c) => `coalesce(b.${c}, 0) + coalesce(st.${c}, 0) AS ${c}`).join(', ')},
              b.first_ord
         FROM batch b FULL JOIN stored st ON st.indicator_id = b.indicator_id AND st.period = b.period AND st.sig = b.sig
     ), mismatched AS MATERIALIZED (
       -- Each combination against the total of its indicator and period (the indicator's type rides
       -- along, so that the few mismatches alone are then joined to indicators and projects).
       SELECT s.indicator_id, s.period, s.sig, t.value AS total, s.value AS sum, t.numerator AS total_numerator, s.numerator AS sum_numerator,
              t.denominator AS total_denominator, s.denominator AS sum_denominator, t.first_ord AS total_ord, s.first_ord
         FROM combined s JOIN combined t ON t.indicator_id = s.indicator_id AND t.period = s.period AND t.sig = 0
        WHERE s.sig <> 0 AND (t.first_ord IS NOT NULL OR s.first_ord IS NOT NULL)
          AND CASE WHEN s.type = 'count' THEN s.value IS DISTINCT FROM t.value
                   ELSE t.numerator IS NOT NULL AND t.denominator IS NOT NULL AND s.with_numerator = s.n AND s.with_denominator = s.n
                        AND (s.numerator <> t.numerator OR s.denominator <> t.denominator) END
     )
     SELECT i.id AS indicator_id, p.code AS project_code, i.code AS indicator_code, i.type, i.disaggregation_check, s.period, ${signature('s.sig')} AS signature,
            s.total, s.sum, s.total_numerator, s.sum_numerator, s.total_denominator, s.sum_denominator, s.total_ord, s.first_ord
       FROM mismatched s JOIN indicators i ON i.id = s.indicator_id JOIN projects p ON p.id = i.project_id
      ORDER BY p.code, i.code, s.period, signature`,
  );
  await tx.query('SET LOCAL enable_hashagg = on');
  return rows.map((r) => ({
    indicatorId: r.indicator_id, projectCode: r.project_code, indicatorCode: r.indicator_code, type: r.type, check: r.disaggregation_check,
    period: r.period, signature: r.signature, total: r.total, sum: r.sum, totalNumerator: r.total_numerator, sumNumerator: r.sum_numerator,
    totalDenominator: r.total_denominator, sumDenominator: r.sum_denominator,
    totalOrd: r.total_ord === null ? null : Number(r.total_ord), firstOrd: r.first_ord === null ? null : Number(r.first_ord),
  }));
}

/** Rejects every row of the batch for the given indicators and periods, with the reasons given. */
export async function rejectGroups(tx: pg.PoolClient, groups: Array<{ indicatorId: number; period: string; reasons: RowIssue[] }>): Promise<number> {
  if (!groups.length) return 0;
  const res = await tx.query(
    `UPDATE import_staging s SET problems = g.reasons
       FROM jsonb_to_recordset($1::jsonb) AS g(indicator_id int, period text, reasons jsonb)
      WHERE s.problems IS NULL AND s.indicator_id = g.indicator_id AND s.period = g.period`,
    [JSON.stringify(groups.map((g) => ({ indicator_id: g.indicatorId, period: g.period, reasons: g.reasons })))],
  );
  return res.rowCount ?? 0;
}

/**
 * Stores the rows that passed, as one set: a row that differs from the current value of its cell
 * (value, numerator, denominator, text, source, comment or evidence link) supersedes it; a new cell
 * is inserted; an identical row changes nothing and counts as unchanged.
 */
/**
 * Pairs each staged row that passed with the current value of its cell, if any, matched once on the
 * seven cell columns (import_matched: ord, id of the current value, whether the row changes it). The
 * disaggregation check and the merge then only need these ids.
 */
export async function matchCurrentValues(tx: pg.PoolClient): Promise<void> {
  // A hash join: the planner otherwise probes the unique index once per staged row (4x slower here).
  await tx.query('SET LOCAL enable_nestloop = off');
  await tx.query(
    `CREATE TEMP TABLE import_matched ON COMMIT DROP AS
     SELECT s.ord, v.id,
            (v.value IS DISTINCT FROM s.value OR v.numerator IS DISTINCT FROM s.numerator OR v.denominator IS DISTINCT FROM s.denominator
             OR v.text_value IS DISTINCT FROM s.text_value OR v.source <> s.source OR v.comment <> s.comment OR v.evidence_url <> s.evidence_url) AS changed
       FROM import_staging s JOIN indicator_values v ON ${SAME_CELL('v', 's')}
      WHERE s.problems IS NULL AND v.superseded_at IS NULL`,
  );
  await tx.query('SET LOCAL enable_nestloop = on');
  await tx.query('ANALYZE import_matched');
}

/**
 * Stores the rows that passed, as one set (after matchCurrentValues): a row that differs from the
 * current value of its cell (value, numerator, denominator, text, source, comment or evidence link)
 * supersedes it; a new cell is inserted; an identical row changes nothing and counts as unchanged.
 */
export async function mergeStaged(tx: pg.PoolClient, enteredBy: string, batchId: number): Promise<{ accepted: number; unchanged: number }> {
  const { rows } = await tx.query<{ at: string; valid: string }>(
    `SELECT clock_timestamp() AS at, (SELECT count(*) FROM import_staging WHERE problems IS NULL) AS valid`,
  );
  const at = rows[0]!.at;
  await tx.query(
    `UPDATE indicator_values SET superseded_at = $1
      WHERE id IN (SELECT m.id FROM import_matched m JOIN import_staging s ON s.ord = m.ord WHERE m.changed AND s.problems IS NULL)`,
    [at],
  );
  const inserted = await tx.query(
    `INSERT INTO indicator_values (indicator_id, period, ${CELL_COLUMNS.join(', ')}, value, numerator, denominator, text_value,
                                   source, comment, evidence_url, entered_by, entered_at, import_batch_id)
     SELECT s.indicator_id, s.period, ${CELL_COLUMNS.map((c) => `s.${c}`).join(', ')}, s.value, s.numerator, s.denominator, s.text_value,
            s.source, s.comment, s.evidence_url, $2, $1, $3
       FROM import_staging s
      WHERE s.problems IS NULL AND NOT EXISTS (SELECT 1 FROM import_matched m WHERE m.ord = s.ord AND NOT m.changed)`,
    [at, enteredBy, batchId],
  );
  await tx.query('DROP TABLE import_matched');
  const accepted = inserted.rowCount ?? 0;
  return { accepted, unchanged: Number(rows[0]!.valid) - accepted };
}

/**
 * The indicator periods the batch stores values for, each with its first row (`ord`), in the order of
 * those rows: what the data-quality warnings check (app/import-quality.ts). Grouped on the staging
 * table's own columns first, then named: the same rows as grouping a million rows by codes, faster.
 */
export async function stagedIndicatorPeriods(tx: Queryable): Promise<Array<{ projectCode: string; indicatorCode: string; period: string; ord: number }>> {
  const { rows } = await tx.query<{ project_code: string; indicator_code: string; period: string; ord: string }>(
    `SELECT p.code AS project_code, i.code AS indicator_code, s.period, s.ord
       FROM (SELECT indicator_id, period, min(ord) AS ord FROM import_staging WHERE problems IS NULL GROUP BY 1, 2) s
       JOIN indicators i ON i.id = s.indicator_id JOIN projects p ON p.id = i.project_id
      ORDER BY s.ord`,
  );
  return rows.map((r) => ({ projectCode: r.project_code, indicatorCode: r.indicator_code, period: r.period, ord: Number(r.ord) }));
}

export async function countRejected(tx: pg.PoolClient): Promise<number> {
  const { rows } = await tx.query<{ n: string }>(`SELECT count(*) AS n FROM import_staging WHERE problems IS NOT NULL`);
  return Number(rows[0]!.n);
}

/** The first rejected rows with their reasons, in row order. */
export async function rejectedRows(tx: pg.PoolClient, limit: number): Promise<Array<{ ord: number; reasons: RowIssue[] }>> {
  const { rows } = await tx.query(`SELECT ord, problems FROM import_staging WHERE problems IS NOT NULL ORDER BY ord LIMIT $1`, [limit]);
  return rows.map((r) => ({ ord: Number(r.ord), reasons: r.problems }));
}

// The cells of a row rejected by a check across rows, rebuilt from its normalised form.
const REBUILT_CELLS = `jsonb_strip_nulls(jsonb_build_object(
  'project_code', p.code, 'indicator_code', i.code, 'period', s.period,
  'value', coalesce(s.text_value, s.value::text),
  ${CELL_COLUMNS.map((c) => `'${c}', nullif(s.${c}, '')`).join(', ')},
  'source', nullif(s.source, ''), 'comment', nullif(s.comment, ''), 'evidence_url', nullif(s.evidence_url, ''),
  'numerator', s.numerator::text, 'denominator', s.denominator::text))`;

/**
 * Keeps the rejected rows of a file in the quarantine. A row already quarantined from the same file
 * (same sha256) is updated in place, so importing a file twice does not duplicate its entries; rows of
 * that file quarantined before and accepted now are marked accepted.
 */
export async function quarantineFileRows(tx: pg.PoolClient, batch: { id: number; fileName: string; sha256: string; by: string }): Promise<void> {
  await tx.query(
    `INSERT INTO import_quarantine (batch_id, file_name, file_sha256, row_number, cells, reasons)
     SELECT $1, $2, $3, s.ord, coalesce(s.raw, ${REBUILT_CELLS}), s.problems
       FROM import_staging s LEFT JOIN indicators i ON i.id = s.indicator_id LEFT JOIN projects p ON p.id = i.project_id
      WHERE s.problems IS NOT NULL
     ON CONFLICT (file_sha256, row_number) WHERE resolved_at IS NULL
     DO UPDATE SET batch_id = excluded.batch_id, cells = excluded.cells, reasons = excluded.reasons, updated_at = now()`,
    [batch.id, batch.fileName, batch.sha256],
  );
  await tx.query(
    `UPDATE import_quarantine q SET resolved_at = now(), resolved_by = $3, resolution = 'accepted', resolved_batch_id = $2
       FROM import_staging s
      WHERE q.file_sha256 = $1 AND q.resolved_at IS NULL AND q.row_number = s.ord AND s.problems IS NULL`,
    [batch.sha256, batch.id, batch.by],
  );
}

// ---------------------------------------------------------------------------------------------------
// Quarantine

export interface QuarantineEntry {
  id: number;
  batchId: number;
  file: string;
  row: number;
  cells: Record<string, string>;
  reasons: RowIssue[];
  createdAt: string;
  updatedAt: string;
}

/** Open quarantine entries; `projects` keeps those whose project_code cell is one of them (any case). */
export async function listQuarantine(q: Queryable, filter: { batchId?: number; ids?: number[]; limit?: number; projects?: string[] } = {}): Promise<QuarantineEntry[]> {
  const { rows } = await q.query(
    `SELECT * FROM import_quarantine
      WHERE resolved_at IS NULL AND ($1::bigint IS NULL OR batch_id = $1) AND ($2::bigint[] IS NULL OR id = ANY($2))
        AND ($4::text[] IS NULL OR upper(trim(cells->>'project_code')) = ANY($4::text[]))
      ORDER BY id LIMIT $3`,
    [filter.batchId ?? null, filter.ids ?? null, filter.limit ?? null, filter.projects?.map((c) => c.toUpperCase()) ?? null],
  );
  return rows.map((r) => ({
    id: Number(r.id), batchId: Number(r.batch_id), file: r.file_name, row: r.row_number, cells: r.cells, reasons: r.reasons,
    createdAt: (r.created_at as Date).toISOString(), updatedAt: (r.updated_at as Date).toISOString(),
  }));
}

export async function countQuarantine(q: Queryable, filter: { batchId?: number } = {}): Promise<number> {
  const { rows } = await q.query<{ n: string }>(
    `SELECT count(*) AS n FROM import_quarantine WHERE resolved_at IS NULL AND ($1::bigint IS NULL OR batch_id = $1)`,
    [filter.batchId ?? null],
  );
  return Number(rows[0]!.n);
}

/** After a resubmission: accepted entries are resolved; the others keep their new cells and reasons. */
export async function settleResubmitted(tx: pg.PoolClient, batchId: number, by: string, edited: Array<{ id: number; cells: Record<string, string> }>): Promise<void> {
  await tx.query(
    `UPDATE import_quarantine q SET cells = e.cells, updated_at = now()
       FROM jsonb_to_recordset($1::jsonb) AS e(id bigint, cells jsonb) WHERE q.id = e.id`,
    [JSON.stringify(edited)],
  );
  await tx.query(
    `UPDATE import_quarantine q SET reasons = s.problems, updated_at = now()
       FROM import_staging s WHERE q.id = s.ord AND s.problems IS NOT NULL`,
  );
  await tx.query(
    `UPDATE import_quarantine q SET resolved_at = now(), resolved_by = $2, resolution = 'accepted', resolved_batch_id = $1
       FROM import_staging s WHERE q.id = s.ord AND s.problems IS NULL`,
    [batchId, by],
  );
}

export async function discardQuarantined(q: Queryable, ids: number[], by: string): Promise<number[]> {
  const { rows } = await q.query<{ id: string }>(
    `UPDATE import_quarantine SET resolved_at = now(), resolved_by = $2, resolution = 'discarded'
      WHERE id = ANY($1::bigint[]) AND resolved_at IS NULL RETURNING id`,
    [ids, by],
  );
  return rows.map((r) => Number(r.id));
}

/**
 * Rejects the staged rows (after matchCurrentValues) that would change a value of a locked period
 * (domain/approval-lock.ts); a row identical to the stored value is no change and passes. Returns how
 * many were rejected.
 */
export async function rejectLockedChanges(tx: pg.PoolClient, locks: Array<{ projectCode: string; period: string; message: string }>): Promise<number> {
  if (!locks.length) return 0;
  const res = await tx.query(
    `UPDATE import_staging s SET problems = jsonb_build_array(jsonb_build_object('column', 'period', 'message', l.message))
       FROM jsonb_to_recordset($1::jsonb) AS l(project_code text, period text, message text), indicators i, projects p
      WHERE s.problems IS NULL AND i.id = s.indicator_id AND p.id = i.project_id AND p.code = l.project_code AND s.period = l.period
        AND NOT EXISTS (SELECT 1 FROM import_matched m WHERE m.ord = s.ord AND NOT m.changed)`,
    [JSON.stringify(locks.map((l) => ({ project_code: l.projectCode, period: l.period, message: l.message })))],
  );
  return res.rowCount ?? 0;
}
