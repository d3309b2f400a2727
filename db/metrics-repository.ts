/**
 * The aggregate reads behind the state metrics (app/metrics.ts): one cheap query each, run together
 * in one read-only transaction (one consistent snapshot, one connection) whose statement timeout
 * bounds them, so that a slow database makes a scrape lose these figures, never hang.
 */
import { inTransaction, type Pool, type Queryable } from './pool.js';

/** Runs `fn` in a READ ONLY REPEATABLE READ transaction whose statements each stop after `timeoutMs`. */
export function withBoundedReadSnapshot<T>(pool: Pool, timeoutMs: number, fn: (q: Queryable) => Promise<T>): Promise<T> {
  return inTransaction(pool, fn, { begin: 'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY', statementTimeoutMs: timeoutMs });
}

/** Report cycles by their recorded state (report_cycles.state, kept by each audit event). */
export async function countCyclesByState(q: Queryable): Promise<Map<string, number>> {
  const { rows } = await q.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM report_cycles GROUP BY state');
  return new Map(rows.map((r) => [r.state, r.n]));
}

/**
 * Open cycles the workflow flagged late, by state: an `overdue` audit event since the run began (its
 * `cycle_started` or `reopened` event; a reopened cycle is late again only once flagged again).
 */
export async function countOverdueCycles(q: Queryable, openStates: readonly string[]): Promise<Map<string, number>> {
  const { rows } = await q.query<{ state: string; n: number }>(
    `SELECT c.state, count(*)::int AS n FROM report_cycles c
      WHERE c.state = ANY($1)
        AND EXISTS (
          SELECT 1 FROM audit_events o
           WHERE o.cycle_id = c.id AND o.action = 'overdue'
             AND o.id > coalesce((SELECT max(s.id) FROM audit_events s WHERE s.cycle_id = c.id AND s.action IN ('cycle_started', 'reopened')), 0))
      GROUP BY c.state`,
    [openStates],
  );
  return new Map(rows.map((r) => [r.state, r.n]));
}

/** Deliveries (outbox, e-mail, digest) by channel and state. */
export async function countDeliveriesByState(q: Queryable): Promise<Array<{ channel: string; state: string; count: number }>> {
  const { rows } = await q.query<{ channel: string; state: string; n: number }>('SELECT channel, state, count(*)::int AS n FROM deliveries GROUP BY channel, state');
  return rows.map((r) => ({ channel: r.channel, state: r.state, count: r.n }));
}

/**
 * Rows of every import batch (files, resubmissions, corrections, gathered sources) by outcome. Batches
 * are never deleted and their counts are final once stored, so these totals only grow: a counter.
 */
export async function sumImportRows(q: Queryable): Promise<{ accepted: number; rejected: number; unchanged: number }> {
  const { rows } = await q.query<{ accepted: number; rejected: number; unchanged: number }>(
    `SELECT coalesce(sum(accepted), 0)::bigint AS accepted, coalesce(sum(rejected), 0)::bigint AS rejected, coalesce(sum(unchanged), 0)::bigint AS unchanged
       FROM import_batches`,
  );
  return rows[0] ?? { accepted: 0, rejected: 0, unchanged: 0 };
}
