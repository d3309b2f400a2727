/**
 * Data quality reads for the M&E portfolio: rejected rows waiting in the import quarantine, indicators
 * without a current value for a period, and the gather log's last run and last success per source.
 */
import type { Queryable } from './pool.js';
import { groupBy } from '../domain/group-by.js';

/** Unresolved quarantine entries per project code (the row's own project_code cell; "" when it has none). */
export async function quarantineCountsByProject(q: Queryable): Promise<Map<string, number>> {
  const { rows } = await q.query<{ project: string; n: string }>(
    `SELECT coalesce(cells->>'project_code', '') AS project, count(*) AS n
       FROM import_quarantine WHERE resolved_at IS NULL GROUP BY 1`,
  );
  return new Map(rows.map((r) => [r.project, Number(r.n)]));
}

/** A project's indicators (codes, in order) with no current value of any disaggregation for `period`. */
export async function indicatorsWithoutValue(q: Queryable, projectCode: string, period: string): Promise<string[]> {
  return (await indicatorsWithoutValueFor(q, [{ projectCode, period }])).get(projectCode) ?? [];
}

/**
 * The same for many projects at once, each with its own period, in one query: per project code, its
 * indicators (codes, in order) with no current value for that period. Projects missing nothing are absent.
 */
export async function indicatorsWithoutValueFor(q: Queryable, checks: Array<{ projectCode: string; period: string }>): Promise<Map<string, string[]>> {
  if (!checks.length) return new Map();
  const { rows } = await q.query<{ project_code: string; code: string }>(
    `SELECT p.code AS project_code, i.code
       FROM unnest($1::text[], $2::text[]) AS x(project_code, period)
       JOIN projects p ON p.code = x.project_code
       JOIN indicators i ON i.project_id = p.id
       -- One index probe per indicator (LIMIT 1 keeps it a probe: NOT EXISTS became a hash anti-join over every value).
       LEFT JOIN LATERAL (SELECT 1 AS found FROM indicator_values v WHERE v.indicator_id = i.id AND v.period = x.period AND v.superseded_at IS NULL LIMIT 1) f ON true
      WHERE f.found IS NULL
      ORDER BY p.code, i.ordinal, i.code`,
    [checks.map((c) => c.projectCode), checks.map((c) => c.period)],
  );
  return new Map([...groupBy(rows, (r) => r.project_code)].map(([project, missing]) => [project, missing.map((r) => r.code)]));
}

export interface SourceRunFacts {
  sourceId: string;
  sourceKind: string;
  projectCode: string;
  lastStatus: 'running' | 'succeeded' | 'failed';
  lastStartedAt: string;
  lastError: string | null;
  /** When the last successful run finished; null if none ever succeeded. */
  lastSuccessAt: string | null;
}

/** For every source in the gather log: its latest run and its latest successful run. */
export async function sourceRunFacts(q: Queryable): Promise<SourceRunFacts[]> {
  const { rows } = await q.query(
    `SELECT DISTINCT ON (g.source_id) g.source_id, g.source_kind, g.project_code, g.status, g.started_at, g.error,
            (SELECT max(s.finished_at) FROM gather_runs s WHERE s.source_id = g.source_id AND s.status = 'succeeded') AS last_success
       FROM gather_runs g ORDER BY g.source_id, g.started_at DESC, g.id DESC`,
  );
  return rows.map((r) => ({
    sourceId: r.source_id, sourceKind: r.source_kind, projectCode: r.project_code, lastStatus: r.status,
    lastStartedAt: (r.started_at as Date).toISOString(), lastError: r.error,
    lastSuccessAt: r.last_success ? (r.last_success as Date).toISOString() : null,
  }));
}

