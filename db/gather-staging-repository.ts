/**
 * Fetched rows staged in PostgreSQL between the fetch and the store of a gather run (issue 18): any
 * worker may store what another fetched. A retried fetch of the same run replaces its row; only the id
 * and the SHA-256 travel through Temporal.
 */
import type { Queryable } from './pool.js';

export interface StagedRef {
  id: number;
  sha256: string;
  rows: number;
}

export interface StagedBody {
  id: number;
  sourceId: string;
  fileName: string;
  sha256: string;
  body: string;
}

/** Stages a run's rows (a retry of the same run replaces them, under the same id). */
export async function stageRows(q: Queryable, s: { sourceId: string; runId: string; fileName: string; sha256: string; rows: number; body: string }): Promise<StagedRef> {
  const { rows } = await q.query(
    `INSERT INTO gather_staging (source_id, run_id, file_name, sha256, row_count, body) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (source_id, run_id) DO UPDATE SET file_name = EXCLUDED.file_name, sha256 = EXCLUDED.sha256, row_count = EXCLUDED.row_count,
                                                  body = EXCLUDED.body, created_at = now()
     RETURNING id`,
    [s.sourceId, s.runId, s.fileName, s.sha256, s.rows, s.body],
  );
  return { id: Number(rows[0].id), sha256: s.sha256, rows: s.rows };
}

export async function readStaged(q: Queryable, id: number): Promise<StagedBody | undefined> {
  const { rows } = await q.query('SELECT id, source_id, file_name, sha256, body FROM gather_staging WHERE id = $1', [id]);
  const r = rows[0];
  return r ? { id: Number(r.id), sourceId: r.source_id as string, fileName: r.file_name as string, sha256: r.sha256 as string, body: r.body as string } : undefined;
}

/** Removes a run's staged rows, and any left over from runs that ended without it (terminated) over a week ago. */
export async function dropStaged(q: Queryable, id: number): Promise<void> {
  await q.query(`DELETE FROM gather_staging WHERE id = $1 OR created_at < now() - interval '7 days'`, [id]);
}

/** How many runs have rows staged (the specs check that a finished run leaves none). */
export async function countStaged(q: Queryable, sourceId?: string): Promise<number> {
  const { rows } = await q.query('SELECT count(*)::int AS n FROM gather_staging WHERE $1::text IS NULL OR source_id = $1', [sourceId ?? null]);
  return rows[0].n as number;
}
