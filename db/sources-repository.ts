/** The gather log, the watermarks of incremental sources and the drop-folder files already imported. */
import type { Watermark } from '../sources/gather-types.js';
import type { Pool, Queryable } from './pool.js';
import { inTransaction } from './pool.js';

export interface GatherCounts {
  fetched: number | null;
  accepted: number;
  rejected: number;
  unchanged: number;
  skipped: number;
}

export interface GatherRun extends GatherCounts {
  id: number;
  sourceId: string;
  sourceKind: string;
  projectCode: string;
  workflowId: string;
  runId: string;
  startedAt: string;
  finishedAt: string | null;
  status: 'running' | 'succeeded' | 'failed';
  error: string | null;
  watermarkBefore: string | null;
  watermarkAfter: string | null;
  detail: Record<string, unknown>;
}

const iso = (d: Date | string | null) => (d === null ? null : d instanceof Date ? d.toISOString() : d);

function toRun(r: Record<string, unknown>): GatherRun {
  return {
    id: Number(r.id), sourceId: r.source_id as string, sourceKind: r.source_kind as string, projectCode: r.project_code as string,
    workflowId: r.workflow_id as string, runId: r.run_id as string, startedAt: iso(r.started_at as Date)!, finishedAt: iso(r.finished_at as Date | null),
    status: r.status as GatherRun['status'], fetched: r.fetched as number | null, accepted: r.accepted as number, rejected: r.rejected as number,
    unchanged: r.unchanged as number, skipped: r.skipped as number, error: r.error as string | null,
    watermarkBefore: r.watermark_before as string | null, watermarkAfter: r.watermark_after as string | null, detail: r.detail as Record<string, unknown>,
  };
}

/** Opens the log row of a gather run (a retried call returns the same row). */
export async function beginGatherRun(q: Queryable, r: { sourceId: string; sourceKind: string; projectCode: string; workflowId: string; runId: string }): Promise<{ id: number; watermark: Watermark | null }> {
  const { rows } = await q.query(
    `INSERT INTO gather_runs (source_id, source_kind, project_code, workflow_id, run_id, watermark_before)
     VALUES ($1, $2, $3, $4, $5, (SELECT watermark FROM source_watermarks WHERE source_id = $1))
     ON CONFLICT (run_id) DO UPDATE SET run_id = EXCLUDED.run_id
     RETURNING id`,
    [r.sourceId, r.sourceKind, r.projectCode, r.workflowId, r.runId],
  );
  const mark = await q.query('SELECT watermark, seen_ids FROM source_watermarks WHERE source_id = $1', [r.sourceId]);
  const m = mark.rows[0];
  return { id: Number(rows[0].id), watermark: m ? { at: m.watermark as string, ids: m.seen_ids as string[] } : null };
}

export async function getWatermark(q: Queryable, sourceId: string): Promise<string | null> {
  const { rows } = await q.query('SELECT watermark FROM source_watermarks WHERE source_id = $1', [sourceId]);
  return (rows[0]?.watermark as string | undefined) ?? null;
}

/**
 * Closes a gather run's log row and, for a run that stored its rows, moves the source's watermark
 * forward (never back), in one transaction. A second call for a finished row changes nothing.
 */
export async function finishGatherRun(
  pool: Pool,
  f: { id: number; sourceId: string; counts: GatherCounts; error: string | null; watermark: Watermark | null; detail: Record<string, unknown> },
): Promise<boolean> {
  return inTransaction(pool, async (tx) => {
    const { rowCount } = await tx.query(
      `UPDATE gather_runs SET finished_at = now(), status = $2, fetched = $3, accepted = $4, rejected = $5, unchanged = $6, skipped = $7,
              error = $8, watermark_after = $9, detail = $10
        WHERE id = $1 AND finished_at IS NULL`,
      [f.id, f.error ? 'failed' : 'succeeded', f.counts.fetched, f.counts.accepted, f.counts.rejected, f.counts.unchanged, f.counts.skipped, f.error, f.error ? null : (f.watermark?.at ?? null), JSON.stringify(f.detail)],
    );
    if (!rowCount) return false;
    if (!f.error && f.watermark !== null) {
      await tx.query(
        `INSERT INTO source_watermarks (source_id, watermark, seen_ids, gather_run_id) VALUES ($1, $2, $4, $3)
         ON CONFLICT (source_id) DO UPDATE
           SET watermark = GREATEST(source_watermarks.watermark, EXCLUDED.watermark),
               seen_ids = CASE WHEN EXCLUDED.watermark > source_watermarks.watermark THEN EXCLUDED.seen_ids
                               WHEN EXCLUDED.watermark = source_watermarks.watermark THEN ARRAY(SELECT DISTINCT i FROM unnest(source_watermarks.seen_ids || EXCLUDED.seen_ids) i ORDER BY i)
                               ELSE source_watermarks.seen_ids END,
               gather_run_id = CASE WHEN EXCLUDED.watermark > source_watermarks.watermark THEN EXCLUDED.gather_run_id ELSE source_watermarks.gather_run_id END,
               updated_at = now()`,
        [f.sourceId, f.watermark.at, f.id, f.watermark.ids],
      );
    }
    return true;
  });
}

export async function listGatherRuns(q: Queryable, filter: { sourceId?: string; limit?: number } = {}): Promise<GatherRun[]> {
  const { rows } = await q.query(
    `SELECT * FROM gather_runs WHERE ($1::text IS NULL OR source_id = $1) ORDER BY started_at DESC, id DESC LIMIT $2`,
    [filter.sourceId ?? null, filter.limit ?? 50],
  );
  return rows.map(toRun);
}

export async function getGatherRunByRunId(q: Queryable, runId: string): Promise<GatherRun | undefined> {
  const { rows } = await q.query('SELECT * FROM gather_runs WHERE run_id = $1', [runId]);
  return rows[0] ? toRun(rows[0]) : undefined;
}

/** The latest run of each source, and its watermark. */
export async function sourceStates(q: Queryable): Promise<Map<string, { lastRun: GatherRun | undefined; watermark: string | null }>> {
  const { rows } = await q.query(
    `SELECT DISTINCT ON (g.source_id) g.* FROM gather_runs g ORDER BY g.source_id, g.started_at DESC, g.id DESC`,
  );
  const marks = await q.query('SELECT source_id, watermark FROM source_watermarks');
  const out = new Map<string, { lastRun: GatherRun | undefined; watermark: string | null }>();
  for (const r of rows) out.set(r.source_id as string, { lastRun: toRun(r), watermark: null });
  for (const m of marks.rows) out.set(m.source_id as string, { lastRun: out.get(m.source_id as string)?.lastRun, watermark: m.watermark as string });
  return out;
}

export interface ImportedDropFile {
  sourceId: string;
  sha256: string;
  fileName: string;
  outcome: 'done' | 'failed';
  batchId: number | null;
  accepted: number;
  rejected: number;
  unchanged: number;
  movedTo: string;
  importedAt: string;
  /** The import report written beside the file. */
  report: unknown;
}

export async function findDropFile(q: Queryable, sourceId: string, sha256: string): Promise<ImportedDropFile | undefined> {
  const { rows } = await q.query('SELECT * FROM source_files WHERE source_id = $1 AND sha256 = $2', [sourceId, sha256]);
  const r = rows[0];
  if (!r) return undefined;
  return {
    sourceId: r.source_id, sha256: r.sha256, fileName: r.file_name, outcome: r.outcome, batchId: r.batch_id === null ? null : Number(r.batch_id),
    accepted: r.accepted, rejected: r.rejected, unchanged: r.unchanged, movedTo: r.moved_to, importedAt: iso(r.imported_at)!, report: r.report,
  };
}

export async function recordDropFile(q: Queryable, f: Omit<ImportedDropFile, 'importedAt'> & { gatherRunId: number | null }): Promise<void> {
  await q.query(
    `INSERT INTO source_files (source_id, sha256, file_name, outcome, batch_id, accepted, rejected, unchanged, moved_to, gather_run_id, report)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (source_id, sha256) DO NOTHING`,
    [f.sourceId, f.sha256, f.fileName, f.outcome, f.batchId, f.accepted, f.rejected, f.unchanged, f.movedTo, f.gatherRunId, JSON.stringify(f.report)],
  );
}

/** Serialises the drop-folder imports of one source across workers (a session lock on its own connection). */
export async function withSourceLock<T>(pool: Pool, sourceId: string, fn: () => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [`rbm:source:${sourceId}`]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [`rbm:source:${sourceId}`]).catch(() => undefined);
    }
  } finally {
    client.release();
  }
}
