/**
 * Indicator values with revisions. Recording a value that differs from the current one supersedes it
 * (the old row keeps its superseded_at); recording the same value again changes nothing. Reads are
 * "as of" a point in time, so a report version can always be rebuilt from exactly the data it used.
 */
import type { IndicatorValue } from '../domain/results-framework.js';
import type { ValueRevision } from '../domain/value-history.js';
import type { ValueProvenance } from '../domain/report-model.js';
import { ALL_CATEGORIES } from '../domain/rollup-values.js';
import pg from 'pg';
import { inTransaction, type Queryable } from './pool.js';

export interface ValueToRecord extends IndicatorValue {
  projectCode: string;
  source?: string;
  comment?: string;
  evidenceUrl?: string;
}
export interface RecordOutcome {
  inserted: number; // new cells
  revised: number; // cells whose current value changed (old revision kept)
  unchanged: number;
}

const CELL = ['indicator_id', 'period', 'sex', 'age_group', 'population_type', 'nationality', 'location'] as const;
const sameCell = (a: string, b: string) => CELL.map((c) => `${a}.${c} = ${b}.${c}`).join(' AND ');

/**
 * Stores a batch of values atomically (in the caller's transaction, or in one of its own when given
 * the pool). Values of unknown indicators are skipped: validate before recording.
 */
export async function recordValues(q: Queryable, values: ValueToRecord[], enteredBy: string): Promise<RecordOutcome> {
  if (q instanceof pg.Pool) return inTransaction(q, (tx) => recordValues(tx, values, enteredBy));
  if (!values.length) return { inserted: 0, revised: 0, unchanged: 0 };
  const rows = values.map((v) => ({
    project_code: v.projectCode, indicator_code: v.indicatorCode, period: v.period,
    sex: v.disaggregation.sex ?? '', age_group: v.disaggregation.age_group ?? '', population_type: v.disaggregation.population_type ?? '',
    nationality: v.disaggregation.nationality ?? '', location: v.disaggregation.location ?? '',
    value: v.value, numerator: v.numerator ?? null, denominator: v.denominator ?? null, text_value: v.text ?? null,
    source: v.source ?? '', comment: v.comment ?? '', evidence_url: v.evidenceUrl ?? '',
  }));
  await q.query(`CREATE TEMP TABLE IF NOT EXISTS incoming_values (LIKE indicator_values INCLUDING DEFAULTS) ON COMMIT DROP`);
  await q.query('TRUNCATE incoming_values');
  await q.query(
    `INSERT INTO incoming_values (indicator_id, period, sex, age_group, population_type, nationality, location, value, numerator,
                                  denominator, text_value, source, comment, evidence_url, entered_by)
     SELECT i.id, x.period, x.sex, x.age_group, x.population_type, x.nationality, x.location, x.value, x.numerator, x.denominator,
            x.text_value, x.source, x.comment, x.evidence_url, $2
       FROM jsonb_to_recordset($1::jsonb) AS x(project_code text, indicator_code text, period text, sex text, age_group text,
              population_type text, nationality text, location text, value numeric, numerator numeric, denominator numeric,
              text_value text, source text, comment text, evidence_url text)
       JOIN projects p ON p.code = x.project_code
       JOIN indicators i ON i.project_id = p.id AND i.code = x.indicator_code`,
    [JSON.stringify(rows), enteredBy],
  );
  const differs = `(v.value IS DISTINCT FROM n.value OR v.numerator IS DISTINCT FROM n.numerator
                    OR v.denominator IS DISTINCT FROM n.denominator OR v.text_value IS DISTINCT FROM n.text_value)`;
  const revised = await q.query(
    `UPDATE indicator_values v SET superseded_at = clock_timestamp() FROM incoming_values n
      WHERE v.superseded_at IS NULL AND ${sameCell('v', 'n')} AND ${differs}`,
  );
  const inserted = await q.query(
    `INSERT INTO indicator_values (indicator_id, period, sex, age_group, population_type, nationality, location, value, numerator,
                                   denominator, text_value, source, comment, evidence_url, entered_by, entered_at)
     SELECT n.indicator_id, n.period, n.sex, n.age_group, n.population_type, n.nationality, n.location, n.value, n.numerator,
            n.denominator, n.text_value, n.source, n.comment, n.evidence_url, n.entered_by, clock_timestamp()
       FROM incoming_values n
      WHERE NOT EXISTS (SELECT 1 FROM indicator_values v WHERE v.superseded_at IS NULL AND ${sameCell('v', 'n')})`,
  );
  const revisedCount = revised.rowCount ?? 0;
  const insertedCount = inserted.rowCount ?? 0;
  return { inserted: insertedCount - revisedCount, revised: revisedCount, unchanged: values.length - insertedCount };
}

/** Every value of a project as it stood at `asOf` (an ISO timestamp). */
/** The values of a project current at `asOf`, as read for a report; `extra` columns ride along (provenance). */
async function currentRowsAsOf(q: Queryable, projectCode: string, asOf: string, extra = { columns: '', joins: '', values: 'indicator_values' }): Promise<Array<Record<string, any>>> {
  const { rows } = await q.query(
    `SELECT i.code AS indicator_code, v.period, v.sex, v.age_group, v.population_type, v.nationality, v.location,
            v.value, v.numerator, v.denominator, v.text_value ${extra.columns}
       FROM ${extra.values} v JOIN indicators i ON i.id = v.indicator_id JOIN projects p ON p.id = i.project_id ${extra.joins}
      WHERE p.code = $1 AND v.entered_at <= $2 AND (v.superseded_at IS NULL OR v.superseded_at > $2)
      ORDER BY i.code, v.period, v.sex, v.age_group, v.population_type, v.nationality, v.location`,
    [projectCode, asOf],
  );
  return rows;
}

function toValue(r: Record<string, any>): IndicatorValue {
  const disaggregation: IndicatorValue['disaggregation'] = {};
  for (const k of ['sex', 'age_group', 'population_type', 'nationality', 'location'] as const) if (r[k]) disaggregation[k] = r[k];
  return { indicatorCode: r.indicator_code, period: r.period, disaggregation, value: r.value, numerator: r.numerator, denominator: r.denominator, text: r.text_value };
}

export async function readValuesAsOf(q: Queryable, projectCode: string, asOf: string): Promise<IndicatorValue[]> {
  return (await currentRowsAsOf(q, projectCode, asOf)).map(toValue);
}

/** The values a report as of `asOf` reads (the same rows as readValuesAsOf), with their provenance. */
export async function readValueProvenanceAsOf(q: Queryable, projectCode: string, asOf: string): Promise<ValueProvenance[]> {
  const rows = await currentRowsAsOf(q, projectCode, asOf, {
    columns: `, v.source, v.comment, v.entered_by, to_char(v.entered_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS entered_at,
            b.id AS batch_id, b.kind AS batch_kind, b.file_name, v.revision::int AS revision`,
    joins: 'LEFT JOIN import_batches b ON b.id = v.import_batch_id',
    // The revision of each cell counted once over the project's own values (a window, not a subquery per row).
    values: `(SELECT w.*, row_number() OVER (PARTITION BY w.indicator_id, w.period, w.sex, w.age_group, w.population_type, w.nationality, w.location
                                        ORDER BY w.entered_at, w.id) AS revision
                FROM indicator_values w
               WHERE w.entered_at <= $2 AND w.indicator_id IN (SELECT i2.id FROM indicators i2 JOIN projects p2 ON p2.id = i2.project_id WHERE p2.code = $1))`,
  });
  return rows.map((r) => ({
    ...toValue(r), numerator: r.numerator, denominator: r.denominator, text: r.text_value, revision: r.revision, source: r.source, batchId: r.batch_id === null ? null : Number(r.batch_id),
    batchKind: r.batch_kind, fileName: r.file_name, comment: r.comment, enteredBy: r.entered_by, enteredAt: r.entered_at,
  }));
}

/**
 * Every project's values as of `asOf`, reduced to what the mission roll-up needs (domain/rollup-values.ts
 * says what and why): total rows, and one row per indicator, period and dimension with the sums of that
 * dimension's rows. Aggregated in PostgreSQL, so that a million values come back as a few thousand rows.
 * Keyed by project code; `projectCodes` narrows the read to those projects (the portfolio page's).
 */
export async function readRollupValuesAsOf(q: Queryable, asOf: string, projectCodes?: string[]): Promise<Map<string, IndicatorValue[]>> {
  const dimension = `CASE WHEN v.sex <> '' THEN 'sex' WHEN v.age_group <> '' THEN 'age_group' WHEN v.population_type <> '' THEN 'population_type'
                          WHEN v.nationality <> '' THEN 'nationality' WHEN v.location <> '' THEN 'location' ELSE '' END`;
  const dimensionCount = CELL.slice(2).map((c) => `(v.${c} <> '')::int`).join(' + ');
  // Rows as arrays: a read for a whole portfolio is hundreds of thousands of rows, and an object per
  // row with named keys costs more to build than the array the values are then taken from.
  const { rows } = await q.query<[string, string, string, string, number | null, number | null, number | null, string | null]>({
    rowMode: 'array',
    text: `WITH reduced AS (
       SELECT v.indicator_id, v.period, ${dimension} AS dimension, sum(v.value) AS value, sum(v.numerator) AS numerator,
              sum(v.denominator) AS denominator, min(v.text_value) AS text_value
         FROM indicator_values v
        WHERE v.entered_at <= $1 AND (v.superseded_at IS NULL OR v.superseded_at > $1) AND ${dimensionCount} <= 1
          ${projectCodes ? 'AND v.indicator_id = ANY((SELECT array_agg(i.id) FROM indicators i JOIN projects p ON p.id = i.project_id WHERE p.code = ANY($2::text[]))::int[])' : ''}
        GROUP BY 1, 2, 3
     )
     SELECT p.code AS project_code, i.code AS indicator_code, r.period, r.dimension, r.value, r.numerator, r.denominator, r.text_value
       FROM reduced r JOIN indicators i ON i.id = r.indicator_id JOIN projects p ON p.id = i.project_id
      ORDER BY p.code, i.code, r.period, r.dimension`,
    values: projectCodes ? [asOf, projectCodes] : [asOf],
  });
  const byProject = new Map<string, IndicatorValue[]>();
  for (const [projectCode, indicatorCode, period, dimension, value, numerator, denominator, text] of rows) {
    const list = byProject.get(projectCode) ?? [];
    // A total row is the cell's one row (min() is its text); a dimension's row is a sum and has none.
    const total = dimension === '';
    list.push({
      indicatorCode, period, disaggregation: total ? {} : { [dimension]: ALL_CATEGORIES }, value, numerator, denominator, text: total ? text : null,
    });
    byProject.set(projectCode, list);
  }
  return byProject;
}

/** The database's clock, so that "as of" never depends on a worker's clock. */
export async function databaseNow(q: Queryable): Promise<string> {
  // As text with microseconds: a JS Date would round down to milliseconds and could miss a value.
  const { rows } = await q.query<{ now: string }>(
    `SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS now`,
  );
  return rows[0]!.now;
}

/** One stored revision of a value (current or superseded): domain/value-history.ts. */
export type ValueRevisionRow = ValueRevision;

const isoText = (column: string) => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/**
 * Every revision of one indicator's values, current and superseded (optionally of one period),
 * ordered by period, cell, then newest first. Empty for an unknown project or indicator: the caller
 * says which is unknown.
 */
export async function readValueRevisions(q: Queryable, projectCode: string, indicatorCode: string, period?: string): Promise<ValueRevisionRow[]> {
  const { rows } = await q.query(
    `SELECT v.id, v.period, v.sex, v.age_group, v.population_type, v.nationality, v.location, v.value, v.numerator, v.denominator,
            v.text_value, v.source, v.comment, v.evidence_url, v.entered_by, u.name AS entered_by_name,
            ${isoText('v.entered_at')} AS entered_at, ${isoText('v.superseded_at')} AS superseded_at,
            v.import_batch_id, b.file_name AS import_file_name
       FROM indicator_values v
       JOIN indicators i ON i.id = v.indicator_id
       JOIN projects p ON p.id = i.project_id
       LEFT JOIN users u ON u.id = v.entered_by
       LEFT JOIN import_batches b ON b.id = v.import_batch_id
      WHERE p.code = $1 AND i.code = $2 AND ($3::text IS NULL OR v.period = $3)
      ORDER BY v.period, v.sex, v.age_group, v.population_type, v.nationality, v.location, v.entered_at DESC, v.id DESC`,
    [projectCode, indicatorCode, period ?? null],
  );
  return rows.map((r) => {
    const disaggregation: IndicatorValue['disaggregation'] = {};
    for (const k of ['sex', 'age_group', 'population_type', 'nationality', 'location'] as const) if (r[k]) disaggregation[k] = r[k];
    return {
      id: Number(r.id), period: r.period, disaggregation, value: r.value, numerator: r.numerator, denominator: r.denominator, text: r.text_value,
      source: r.source, comment: r.comment, evidenceUrl: r.evidence_url, enteredBy: r.entered_by, enteredByName: r.entered_by_name ?? null,
      enteredAt: r.entered_at, supersededAt: r.superseded_at ?? null,
      importBatchId: r.import_batch_id === null ? null : Number(r.import_batch_id), importFileName: r.import_file_name ?? null,
    };
  });
}
